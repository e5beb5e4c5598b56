package dev.meshcd.cli;

import dev.meshcd.compiler.diff.DiffReport;
import dev.meshcd.compiler.diff.MeshDiff;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.report.TextRenderer;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspaces;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare two versions of a mesh: Istio resources added, removed or changed, and per proxy the"
                + " change in effective routing. BASE and HEAD are directories, or with --repo Git revisions read"
                + " straight from the repository (no checkout).%n"
                + "Exit 0 when both compile, 1 when HEAD has errors, 2 on usage or I/O errors.")
final class DiffCommand extends PrintingCommand {
    enum Format { text, markdown, json }

    @Parameters(index = "0", paramLabel = "BASE", description = "Directory, or Git revision with --repo.")
    String base;

    @Parameters(index = "1", paramLabel = "HEAD", description = "Directory, or Git revision with --repo.")
    String head;

    @Option(names = "--repo", paramLabel = "PATH", description = "A local Git repository; BASE and HEAD are revisions of it.")
    Path repo;

    @Option(names = "--path", paramLabel = "DIR", defaultValue = "", description = "With --repo: only files under this repository path.")
    String subPath;

    @Option(names = "--format", defaultValue = "text", description = "text, markdown or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @picocli.CommandLine.Mixin
    MeshLoading.Options options;

    @Override
    int run(PrintWriter stdout, PrintWriter stderr) throws Exception {
        EffectiveMesh b;
        EffectiveMesh h;
        if (repo == null && (base.equals(DirectorySource.STDIN) || head.equals(DirectorySource.STDIN))) {
            stderr.println("meshcd diff: BASE and HEAD are directories or revisions; standard input (-) is not one");
            return ExitCodes.USAGE;
        }
        try {
            b = EffectiveMesh.of(open(base).compile(Compiler.Mode.CHECK));
            h = EffectiveMesh.of(open(head).compile(Compiler.Mode.CHECK));
        } catch (MeshLoading.UsageException e) {
            stderr.println("meshcd diff: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (h.hasErrors()) {
            stdout.print(TextRenderer.lines(h.diagnostics()));
            stderr.println("meshcd diff: HEAD (" + head + ") has errors");
            return ExitCodes.ERRORS;
        }
        if (b.hasErrors()) {
            stderr.println("meshcd diff: note: BASE (" + base + ") has errors; its configuration may be incomplete");
        }
        DiffReport report = MeshDiff.diff(b, h);
        switch (format) {
            case text -> stdout.print(report.toText());
            case markdown -> stdout.print(report.toMarkdown());
            case json -> stdout.println(new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report.toJson(new com.fasterxml.jackson.databind.ObjectMapper())));
        }
        return ExitCodes.OK;
    }

    /**
     * One side of the diff, opened as every command opens a repository: a directory with its own meshcd.yaml
     * (or {@code --config}), or a Git revision with meshcd.yaml at {@code --path}'s root in that revision.
     */
    private Workspaces.Opened open(String ref) throws MeshLoading.UsageException {
        return repo == null ? options.repo.open(List.of(Path.of(ref))) : options.repo.openRevision(repo, ref, subPath);
    }
}
