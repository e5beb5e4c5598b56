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
import java.util.function.Supplier;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.workspace.Workspace;
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

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Analyze against what a live cluster holds "
            + "(read-only: Namespaces, Services, workloads and Pods, Istio resources, Secret names, the mesh config): "
            + "references into it resolve, and a reference that resolves nowhere is an error. Objects in the "
            + "repository win over the cluster's.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use with --kubeconfig "
            + "(default: its current context).")
    String kubeContext;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--max-file-size", paramLabel = "SIZE", converter = FileSizeOption.class,
            description = FileSizeOption.DESCRIPTION)
    Integer maxFileSize;

    private ClusterContextSource cluster;

    private Workspaces.ConfigChoice choice() {
        return Workspaces.ConfigChoice.of(config, noConfig);
    }

    /**
     * The live cluster as context ({@code --kubeconfig}), read when the workspace first compiles, under the root
     * namespace of its settings; {@link #open} reads it at once so that a cluster that cannot be read is a usage
     * error, not a failed compile.
     */
    private final class LiveContext implements Supplier<MeshContext> {
        Workspace workspace;

        @Override
        public MeshContext get() {
            if (kubeconfig == null || workspace == null) {
                return MeshContext.NONE;
            }
            try {
                return cluster().load(workspace.options().rootNamespace());
            } catch (MeshLoading.UsageException e) {
                throw new IllegalStateException(e.getMessage(), e); // not reached: open() loaded it already
            }
        }
    }

    /** The {@code --kubeconfig} cluster (only when it was given). */
    ClusterContextSource cluster() {
        if (cluster == null) {
            cluster = new ClusterContextSource(kubeconfig, kubeContext, spec.commandLine().getErr());
        }
        return cluster;
    }

    private LiveContext liveContext() throws MeshLoading.UsageException {
        if (kubeContext != null && kubeconfig == null) {
            throw new MeshLoading.UsageException("--context names a context of --kubeconfig; give --kubeconfig FILE");
        }
        return new LiveContext();
    }

    private Workspaces.Opened withCluster(Workspaces.Opened opened, LiveContext live) throws MeshLoading.UsageException {
        live.workspace = opened.workspace();
        if (kubeconfig != null) {
            cluster().load(opened.workspace().options().rootNamespace());
        }
        return opened;
    }

    /**
     * Opens paths on disk ({@code -} is standard input); a missing or unreadable path or config is a
     * {@link MeshLoading.UsageException} that says why.
     */
    Workspaces.Opened open(List<Path> paths) throws MeshLoading.UsageException {
        LiveContext live = liveContext();
        try {
            return withCluster(Workspaces.onDisk(paths, choice(), namespace, maxFileSize, System.in, live), live);
        } catch (NoSuchFileException e) {
            throw new MeshLoading.UsageException(e.getFile() + ": no such file or directory");
        } catch (IOException e) {
            throw new MeshLoading.UsageException("cannot read input: " + IoProblem.describe(e));
        }
    }

    /** Opens a revision of a local Git repository (files under {@code subPath}). */
    Workspaces.Opened openRevision(Path repo, String revision, String subPath) throws MeshLoading.UsageException {
        LiveContext live = liveContext();
        try {
            return withCluster(Workspaces.atRevision(repo, revision, subPath, choice(), namespace, maxFileSize, live),
                    live);
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
