package dev.meshcd.cli;

import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.report.SarifRenderer;
import dev.meshcd.compiler.review.Review;
import dev.meshcd.compiler.review.ReviewReport;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.source.IoProblem;
import dev.meshcd.compiler.workspace.Workspaces;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "review", mixinStandardHelpOptions = true,
        description = "The pull-request review of a mesh change, as one markdown document: the verdict (does HEAD"
                + " compile, would it sync), the findings HEAD introduces and fixes, Istio resources added, removed"
                + " and changed, per proxy the change in effective routing in words and as a Mermaid flowchart."
                + " BASE and HEAD are directories, or with --repo Git revisions read straight from the repository."
                + " With --kubeconfig, both are analyzed against the live cluster and HEAD's changed objects are"
                + " server-side applied with dryRun=All (through the cluster's admission webhooks; nothing is stored):"
                + " which fields would change, whether the API server accepts them, what the sync would prune.%n"
                + "The document is printed either way. Exit 0 when HEAD has no error, 1 when it has, 2 on usage or"
                + " I/O errors.")
final class ReviewCommand extends PrintingCommand {
    @Parameters(index = "0", paramLabel = "BASE", description = "Directory, or Git revision with --repo.")
    String base;

    @Parameters(index = "1", paramLabel = "HEAD", description = "Directory, or Git revision with --repo.")
    String head;

    @Option(names = "--repo", paramLabel = "PATH", description = "A local Git repository; BASE and HEAD are revisions of it.")
    Path repo;

    @Option(names = "--path", paramLabel = "DIR", defaultValue = "", description = "With --repo: only files under this repository path.")
    String subPath;

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "" + ReviewReport.DEFAULT_MAX_CHARS,
            description = "The longest document to print: sections are summarised, then cut with a note"
                    + " (default: ${DEFAULT-VALUE}, under the forges' comment limit of 65,536; 0: no limit).")
    int maxChars;

    @Option(names = "--sarif", paramLabel = "FILE", description = "Also write the findings HEAD introduces as SARIF 2.1.0 (for code scanning).")
    Path sarif;

    @Option(names = "--sync-name", paramLabel = "NAME", defaultValue = "default",
            description = "With --kubeconfig: the name of the sync that applies this repository (run --repo's --name;"
                    + " default: ${DEFAULT-VALUE}): only objects carrying it are counted as pruned.")
    String syncName;

    @picocli.CommandLine.Mixin
    MeshLoading.Options options;

    @picocli.CommandLine.Mixin
    ReviewPostOptions post;

    @Override
    int run(PrintWriter stdout, PrintWriter stderr) throws Exception {
        if (repo == null && (base.equals(DirectorySource.STDIN) || head.equals(DirectorySource.STDIN))) {
            stderr.println("meshcd review: BASE and HEAD are directories or revisions; standard input (-) is not one");
            return ExitCodes.USAGE;
        }
        if (maxChars < 0) {
            stderr.println("meshcd review: --max-chars must be 0 (no limit) or more");
            return ExitCodes.USAGE;
        }
        dev.meshcd.sync.forge.ForgeTarget forge = null;
        String headCommit = null;
        try {
            if (post.posting()) { // checked before the review: a missing token is a usage error, not a late failure
                forge = post.target(repo, System.getenv());
                headCommit = post.headCommit(repo, head);
            }
        } catch (MeshLoading.UsageException e) {
            stderr.println("meshcd review: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        ReviewReport report;
        try {
            CompileResult[] sides = repo == null ? directories() : revisions();
            report = Review.review(sides[0], sides[1], Optional.empty());
            if (options.repo.kubeconfig != null) {
                report = report.withDryRun(ReviewDryRun.run(options.repo.cluster(), sides[1], report, syncName,
                        sides[1].index().domainSuffix(), head));
            }
        } catch (MeshLoading.UsageException e) {
            stderr.println("meshcd review: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (sarif != null) {
            CompileResult introduced = new CompileResult(List.of(), null, report.findings().introduced(), 0, 0);
            try {
                Files.writeString(sarif, new SarifRenderer(Version.current()).render(introduced), StandardCharsets.UTF_8);
            } catch (IOException e) {
                stderr.println("meshcd review: cannot write " + sarif + ": " + IoProblem.describe(e));
                return ExitCodes.USAGE;
            }
        }
        String markdown = report.markdown(maxChars);
        stdout.print(markdown);
        if (forge != null && !post.publish(forge, ReviewPostOptions.review(report, markdown), headCommit, stderr)) {
            return ExitCodes.USAGE;
        }
        return report.compiles() ? ExitCodes.OK : ExitCodes.ERRORS;
    }

    /** Two directories, each compiled on its own (their files are named differently, so nothing is shared). */
    private CompileResult[] directories() throws MeshLoading.UsageException {
        CompileResult b = options.repo.open(List.of(Path.of(base))).compile(Compiler.Mode.CHECK);
        CompileResult h = options.repo.open(List.of(Path.of(head))).compile(Compiler.Mode.CHECK);
        return new CompileResult[]{b, h};
    }

    /**
     * Two revisions through one workspace: BASE compiled whole, then HEAD as an update with only the files that
     * differ between the two commits (as the sync loop goes from one commit to the next).
     */
    private CompileResult[] revisions() throws MeshLoading.UsageException {
        Workspaces.Opened opened = options.repo.openRevision(repo, base, subPath);
        try (Repository git = new FileRepositoryBuilder().readEnvironment().findGitDir(repo.toAbsolutePath().toFile())
                .setMustExist(true).build()) {
            Review.Sides sides = Review.compileRevisions(opened, git, base, head, subPath);
            return new CompileResult[]{sides.base(), sides.head()};
        } catch (GitTreeSource.UnknownRevisionException e) {
            throw new MeshLoading.UsageException(e.getMessage());
        } catch (IOException e) {
            throw new MeshLoading.UsageException(IoProblem.describe(e));
        }
    }
}
