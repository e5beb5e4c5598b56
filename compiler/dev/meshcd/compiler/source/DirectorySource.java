package dev.meshcd.compiler.source;

import java.io.IOException;
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

    /** @throws NoSuchFileException when a path does not exist (the CLI exits 2) */
    public static SourceTree read(List<Path> roots) throws IOException {
        List<SourceFile> files = new ArrayList<>();
        Path cwd = Path.of("").toAbsolutePath();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                throw new NoSuchFileException(root.toString(), null, "no such file or directory");
            }
            if (Files.isRegularFile(root)) {
                files.add(readFile(root, cwd));
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
                            if (attrs.isRegularFile() && !isHidden(root, file)
                                    && SourceTree.isConfigFileName(file.getFileName().toString())) {
                                paths.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
            paths.sort(null);
            for (Path p : paths) {
                files.add(readFile(p, cwd));
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

    private static SourceFile readFile(Path p, Path cwd) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        String name = abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
        return new SourceFile(name.replace('\\', '/'), Files.readAllBytes(p));
    }
}
