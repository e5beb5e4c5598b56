package dev.meshcd.compiler.workspace;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.BoundedDirectoryReader;
import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Opening a {@link Workspace} on what users point meshcd at: paths on disk (with their meshcd.yaml discovered
 * as {@code meshcd check} finds it) or a Git revision (meshcd.yaml at the path's root in that revision). Every
 * command opens its repository here, so a directory and a revision of the same repository compile alike.
 */
public final class Workspaces {
    private Workspaces() {
    }

    /** How to find the config: an explicit file, none at all, or discovered (the default). */
    public record ConfigChoice(Path file, boolean none) {
        public static final ConfigChoice DISCOVER = new ConfigChoice(null, false);
        public static final ConfigChoice NONE = new ConfigChoice(null, true);

        public static ConfigChoice of(Path file, boolean none) {
            return file != null ? new ConfigChoice(file, false) : none ? NONE : DISCOVER;
        }
    }

    /** A workspace with the tree it was opened on, ready to compile. */
    public record Opened(Workspace workspace, SourceTree tree) {
        public CompileResult compile(Compiler.Mode mode) {
            return workspace.compile(tree, mode);
        }
    }

    /**
     * Paths on disk (files and directories, read recursively). The config is {@code choice}'s file, or the
     * first meshcd.yaml found in the first PATH's directory or its parents up to the working directory.
     *
     * @param namespace {@code -n}: wins over meshcd.yaml's defaultNamespace; null leaves it to the config
     * @throws NoSuchFileException when a path or the explicit config does not exist
     */
    public static Opened onDisk(List<Path> paths, ConfigChoice choice, String namespace) throws IOException {
        return onDisk(paths, choice, namespace, null, System.in, () -> MeshContext.NONE);
    }

    /**
     * Likewise, reading no file larger than {@code maxFileSize} ({@code --max-file-size}; null: meshcd.yaml's
     * maxFileSize, else the default), and {@code -} from {@code stdin}. The config is read first, since it can
     * set the limit for the rest. Analyzed against {@code context} (a live cluster: {@link Workspace.Builder#context}).
     */
    public static Opened onDisk(List<Path> paths, ConfigChoice choice, String namespace, Integer maxFileSize,
                                InputStream stdin, Supplier<MeshContext> context) throws IOException {
        Path config = choice.file() != null ? choice.file() : choice.none() ? null : discover(paths.get(0));
        Workspace.Builder b = Workspace.builder().defaultNamespace(namespace).maxFileSize(maxFileSize)
                .explicitFiles(explicitFiles(paths)).contextReader(Workspaces::readContext).context(context);
        if (config != null) {
            b.config(read(config, maxFileSize != null ? maxFileSize : BoundedRead.DEFAULT_MAX_FILE_BYTES));
        }
        Workspace workspace = b.build();
        return new Opened(workspace, DirectorySource.read(paths, workspace.maxFileBytes(), stdin));
    }

    /**
     * A Git revision of a local repository, files under {@code subPath}. The config is {@code choice}'s file,
     * else {@code subPath/meshcd.yaml} in that revision (as the sync loop reads it).
     */
    public static Opened atRevision(Path repo, String revision, String subPath, ConfigChoice choice, String namespace)
            throws IOException {
        return atRevision(repo, revision, subPath, choice, namespace, null, () -> MeshContext.NONE);
    }

    /** Likewise, reading no blob larger than {@code maxFileSize} (null: the revision's meshcd.yaml decides). */
    public static Opened atRevision(Path repo, String revision, String subPath, ConfigChoice choice, String namespace,
                                    Integer maxFileSize) throws IOException {
        return atRevision(repo, revision, subPath, choice, namespace, maxFileSize, () -> MeshContext.NONE);
    }

    /** Likewise, analyzed against {@code context} (a live cluster: {@link Workspace.Builder#context}). */
    public static Opened atRevision(Path repo, String revision, String subPath, ConfigChoice choice, String namespace,
                                    Integer maxFileSize, Supplier<MeshContext> context) throws IOException {
        Workspace.Builder b = Workspace.builder().defaultNamespace(namespace).maxFileSize(maxFileSize).context(context);
        if (choice.file() != null) {
            b.config(read(choice.file(), maxFileSize != null ? maxFileSize : BoundedRead.DEFAULT_MAX_FILE_BYTES));
        } else if (!choice.none()) {
            b.configName(configName(subPath));
        }
        Workspace workspace = b.build();
        try (Repository git = repository(repo)) {
            return new Opened(workspace, readRevision(git, revision, subPath, workspace));
        }
    }

    /**
     * A revision's files under {@code subPath}, none read whole past the limit {@code workspace} compiles it under
     * (the revision's own meshcd.yaml can change that limit: the tree is then read again under it).
     */
    public static SourceTree readRevision(Repository repo, String revision, String subPath, Workspace workspace)
            throws IOException {
        int limit = workspace.maxFileBytes();
        SourceTree tree = GitTreeSource.read(repo, revision, subPath, limit);
        int wanted = workspace.maxFileBytesFor(tree);
        return wanted == limit ? tree : GitTreeSource.read(repo, revision, subPath, wanted);
    }

    private static Repository repository(Path dir) throws IOException {
        FileRepositoryBuilder b = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toAbsolutePath().toFile());
        if (b.getGitDir() == null) {
            throw new IOException(dir + " is not inside a Git repository");
        }
        return b.setMustExist(true).build();
    }

    /** A context: path on disk, named as DirectorySource names files (so relative to the working directory). */
    static List<SourceFile> readContext(String name) throws IOException {
        return BoundedDirectoryReader.read(Path.of(name), BoundedDirectoryReader.Bounds.DEFAULT);
    }

    /** meshcd.yaml at the root of {@code subPath}, named as a Git tree names files. */
    public static String configName(String subPath) {
        String prefix = subPath.replaceAll("^/+|/+$", "");
        return prefix.isEmpty() ? MeshcdConfig.FILE_NAME : prefix + "/" + MeshcdConfig.FILE_NAME;
    }

    /**
     * The meshcd.yaml of the first PATH: in that directory (or the file's directory), else in its parents,
     * stopping at the working directory (or the filesystem root when PATH lies outside it).
     */
    public static Path discover(Path firstPath) {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path dir = firstPath.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            dir = dir.getParent();
        }
        boolean underCwd = dir != null && dir.startsWith(cwd);
        while (dir != null) {
            Path candidate = dir.resolve(MeshcdConfig.FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            if (underCwd && dir.equals(cwd)) {
                return null;
            }
            dir = dir.getParent();
        }
        return null;
    }

    /** Reads a config file, named as DirectorySource names files (relative to the working directory when under it). */
    public static SourceFile read(Path path) throws IOException {
        return read(path, BoundedRead.DEFAULT_MAX_FILE_BYTES);
    }

    /** Likewise, refusing a file over {@code maxBytes} before it is read whole. */
    public static SourceFile read(Path path, long maxBytes) throws IOException {
        String name = displayName(path);
        return new SourceFile(name, BoundedRead.file(path, name, maxBytes, "raise it with --max-file-size"));
    }

    /** A path named as DirectorySource names files: relative to the working directory when under it, '/'-separated. */
    public static String displayName(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return (abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString()).replace('\\', '/');
    }

    /** Names (as DirectorySource gives them) of the PATHs that are files, pipes or standard input rather than directories. */
    static Set<String> explicitFiles(List<Path> paths) {
        Set<String> out = new HashSet<>();
        for (Path p : paths) {
            if (p.toString().equals(DirectorySource.STDIN)) {
                out.add(DirectorySource.STDIN_NAME);
            } else if (Files.exists(p) && !Files.isDirectory(p)) {
                out.add(displayName(p));
            }
        }
        return out;
    }
}
