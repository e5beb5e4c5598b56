package dev.meshcd.compiler.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Gathers configuration files from disk into a {@link SourceTree}. Directories are walked
 * recursively (hidden entries such as .git, and meshcd's own output directories, skipped); names are relative to the working directory
 * when possible, so diagnostics read like {@code examples/shop/cart.yaml:12:5}.
 */
public final class DirectorySource {
    /**
     * The manifest {@code meshcd compile -o} leaves in its output directory: a directory holding it is meshcd's
     * output and is never read back as input.
     */
    public static final String OUTPUT_MANIFEST = ".meshcd-output";

    private DirectorySource() {
    }

    /** The path that stands for standard input ({@code meshcd check -}). */
    public static final String STDIN = "-";
    /** How diagnostics name standard input. */
    public static final String STDIN_NAME = "<stdin>";

    /** Reads with the default limit; {@code -} is this process's standard input. */
    public static SourceTree read(List<Path> roots) throws IOException {
        return read(roots, BoundedRead.DEFAULT_MAX_FILE_BYTES, System.in);
    }

    /**
     * Reads {@code roots}: files, directories (recursively), pipes (read as streams), and {@code -} for
     * {@code stdin}. A file over {@code maxFileBytes} is not read: it stays in the tree as
     * {@link SourceFile#tooLarge} and loading reports it. Devices and sockets are refused.
     *
     * @throws NoSuchFileException when a path does not exist (the CLI exits 2); other IOExceptions say why a
     *                             path cannot be read (see {@link IoProblem#describe})
     */
    public static SourceTree read(List<Path> roots, long maxFileBytes, InputStream stdin) throws IOException {
        List<SourceFile> files = new ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (Path root : roots) {
            if (root.toString().equals(STDIN)) {
                files.add(bounded(STDIN_NAME, () -> BoundedRead.stream(stdin, STDIN_NAME, maxFileBytes,
                        BoundedRead.HOW_TO_RAISE)));
                continue;
            }
            BoundedRead.Kind kind;
            try {
                kind = BoundedRead.Kind.of(root);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(root.toString(), null, "no such file or directory");
            }
            if (kind != BoundedRead.Kind.DIRECTORY) {
                files.add(readFile(root, cwd, maxFileBytes)); // a pipe is read as a stream, a device refused
                continue;
            }
            List<Path> paths = new ArrayList<>();
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            // Hidden directories (.git), and meshcd's own output (compile -o inside the tree).
                            return isHidden(root, dir) || Files.isRegularFile(dir.resolve(OUTPUT_MANIFEST))
                                    ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            // Only regular files: a pipe inside a directory could block the walk forever.
                            if (attrs.isRegularFile() && !isHidden(root, file)
                                    && SourceTree.isConfigFileName(file.getFileName().toString())) {
                                paths.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
            paths.sort(null);
            for (Path p : paths) {
                files.add(readFile(p, cwd, maxFileBytes));
            }
        }
        return new SourceTree(files);
    }

    private static boolean isHidden(Path root, Path p) {
        Path rel = root.relativize(p);
        for (Path part : rel) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static SourceFile readFile(Path p, Path cwd, long maxFileBytes) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        String name = (abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString()).replace('\\', '/');
        return bounded(name, () -> BoundedRead.file(p, name, maxFileBytes, BoundedRead.HOW_TO_RAISE));
    }

    private interface Read {
        byte[] bytes() throws IOException;
    }

    /** The file's bytes, or a {@link SourceFile#tooLarge} stand-in that loading reports as one diagnostic. */
    private static SourceFile bounded(String name, Read read) throws IOException {
        try {
            return new SourceFile(name, read.bytes());
        } catch (BoundedRead.TooLargeException e) {
            return SourceFile.tooLarge(name, e);
        }
    }
}
