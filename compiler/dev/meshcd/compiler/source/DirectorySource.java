package dev.meshcd.compiler.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gathers configuration files from disk into a {@link SourceTree}. Directories are walked
 * recursively (hidden entries such as .git skipped); names are relative to the working directory
 * when possible, so diagnostics read like {@code examples/shop/cart.yaml:12:5}.
 */
public final class DirectorySource {
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
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
                paths = walk.filter(p -> !isHidden(root, p))
                        .filter(Files::isRegularFile)
                        .filter(p -> SourceTree.isConfigFileName(p.getFileName().toString()))
                        .sorted()
                        .toList();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
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
