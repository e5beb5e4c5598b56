package dev.meshcd.compiler.source;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads configuration files under a path that meshcd does not own (a {@code context:} path of meshcd.yaml, which
 * may lie outside the repository): bounded, so a path naming a huge tree cannot exhaust memory. Symbolic links
 * are not followed (below the path itself), hidden entries are skipped, files are named as {@link DirectorySource}
 * names them (relative to the working directory when under it).
 */
public final class BoundedDirectoryReader {
    /** What a read may take: at most this many files, each at most this large, in all at most this much. */
    public record Bounds(int maxFiles, long maxFileBytes, long maxTotalBytes) {
        public static final Bounds DEFAULT = new Bounds(20_000, 64L * 1024 * 1024, 512L * 1024 * 1024);
    }

    /** A read went past its bounds; the message says which. */
    public static final class TooLarge extends IOException {
        public TooLarge(String message) {
            super(message);
        }
    }

    private BoundedDirectoryReader() {
    }

    public static List<SourceFile> read(Path path, Bounds bounds) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        Path root = path.toRealPath();
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> paths = new ArrayList<>();
        if (Files.isRegularFile(root)) {
            paths.add(root);
        } else {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && dir.getFileName().toString().startsWith(".")
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = file.getFileName().toString();
                    if (attrs.isRegularFile() && !name.startsWith(".") && SourceTree.isConfigFileName(name)) {
                        if (paths.size() >= bounds.maxFiles()) {
                            throw new TooLarge(path + " holds more than " + bounds.maxFiles() + " configuration files");
                        }
                        paths.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        paths.sort(null);
        List<SourceFile> out = new ArrayList<>(paths.size());
        long total = 0;
        for (Path p : paths) {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !p.equals(root)) {
                continue;
            }
            // streamed and refused past the limit, as repository files are (a FIFO is read, a device refused)
            byte[] bytes = BoundedRead.file(p, p.toString(), bounds.maxFileBytes(), "context: files are read up to "
                    + ByteSize.format(bounds.maxFileBytes()));
            total += bytes.length;
            if (total > bounds.maxTotalBytes()) {
                throw new TooLarge(path + " holds more than " + bounds.maxTotalBytes() / (1024 * 1024)
                        + " MiB of configuration");
            }
            out.add(new SourceFile(name(path, p, root, cwd), bytes));
        }
        return out;
    }

    /** The file named as the caller named the path it asked for, so names line up with the tree's. */
    private static String name(Path asked, Path file, Path root, Path cwd) {
        Path abs = asked.toAbsolutePath().normalize().resolve(root.relativize(file)).normalize();
        String name = abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
        return name.isEmpty() ? abs.getFileName().toString() : name.replace('\\', '/');
    }
}
