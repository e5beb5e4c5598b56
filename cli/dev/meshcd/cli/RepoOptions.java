package dev.meshcd.cli;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.source.IoProblem;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.workspace.Workspaces;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How every compiling command opens a repository: the paths (or a Git revision), meshcd.yaml (discovered or
 * {@code --config}; its exclude list, namespace, external workloads and suppressions) and {@code -n}. One
 * place, so every command sees the same repository through the same {@link Workspaces front door}.
 */
final class RepoOptions {
    @Option(names = {"-n", "--namespace"}, description = "Namespace of objects that name none (default: meshcd.yaml's defaultNamespace, else \"default\").")
    String namespace;

    @Option(names = "--config", paramLabel = "FILE", description = "meshcd config file (default: the first meshcd.yaml found in the first PATH's directory or its parents up to the working directory; for a Git revision, meshcd.yaml at the path's root).")
    Path config;

    @Option(names = "--no-config", description = "Do not look for meshcd.yaml.")
    boolean noConfig;

    @Option(names = "--max-file-size", paramLabel = "SIZE", converter = FileSizeOption.class,
            description = FileSizeOption.DESCRIPTION)
    Integer maxFileSize;

    private Workspaces.ConfigChoice choice() {
        return Workspaces.ConfigChoice.of(config, noConfig);
    }

    /**
     * Opens paths on disk ({@code -} is standard input); a missing or unreadable path or config is a
     * {@link MeshLoading.UsageException} that says why.
     */
    Workspaces.Opened open(List<Path> paths) throws MeshLoading.UsageException {
        try {
            return Workspaces.onDisk(paths, choice(), namespace, maxFileSize, System.in);
        } catch (NoSuchFileException e) {
            throw new MeshLoading.UsageException(e.getFile() + ": no such file or directory");
        } catch (IOException e) {
            throw new MeshLoading.UsageException("cannot read input: " + IoProblem.describe(e));
        }
    }

    /** Opens a revision of a local Git repository (files under {@code subPath}). */
    Workspaces.Opened openRevision(Path repo, String revision, String subPath) throws MeshLoading.UsageException {
        try {
            return Workspaces.atRevision(repo, revision, subPath, choice(), namespace, maxFileSize);
        } catch (NoSuchFileException e) {
            throw new MeshLoading.UsageException(e.getFile() + ": no such file or directory");
        } catch (GitTreeSource.UnknownRevisionException e) {
            throw new MeshLoading.UsageException(e.getMessage());
        } catch (IOException e) {
            throw new MeshLoading.UsageException(IoProblem.describe(e));
        }
    }

    /** Opens and compiles paths on disk; notes (a PATH whose every file meshcd.yaml excludes) go to {@code err}. */
    CompileResult compile(List<Path> paths, Compiler.Mode mode, PrintWriter err) throws MeshLoading.UsageException {
        Workspaces.Opened opened = open(paths);
        exclusionNotes(opened, paths).forEach(n -> err.println("meshcd: note: " + n));
        return opened.compile(mode);
    }

    /**
     * A directory named on the command line whose every file meshcd.yaml's {@code exclude} drops: said, rather than
     * a silent "0 files" (files named one by one are never excluded).
     */
    static List<String> exclusionNotes(Workspaces.Opened opened, List<Path> paths) {
        MeshcdConfig config = opened.workspace().config();
        if (config.exclude().isEmpty()) {
            return List.of();
        }
        List<String> notes = new ArrayList<>();
        for (Path p : paths) {
            if (p.toString().equals(DirectorySource.STDIN) || !Files.isDirectory(p)) {
                continue;
            }
            String dir = Workspaces.displayName(p);
            String prefix = dir.isEmpty() ? "" : dir + "/";
            List<SourceFile> under = opened.tree().files().stream()
                    .filter(f -> f.name().startsWith(prefix) && !f.name().equals(config.file())).toList();
            if (!under.isEmpty() && under.stream().allMatch(f -> config.excluded(f.name()))) {
                notes.add(p + ": its " + under.size() + (under.size() == 1 ? " file is" : " files are")
                        + " excluded by " + config.file() + " (exclude:); name files one by one to check them anyway");
            }
        }
        return notes;
    }
}
