package dev.meshcd.compiler.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reading files and streams with a size limit that is checked while reading, so a 2 GiB file, {@code /dev/zero}
 * piped in or a pipe that never ends costs at most the limit in memory and ends in {@link TooLargeException},
 * never an OutOfMemoryError. A regular file over the limit is refused from its size, without reading it.
 */
public final class BoundedRead {
    /** The default limit on one input file: rendered bundles reach 9 MB. */
    public static final int DEFAULT_MAX_FILE_BYTES = 64 << 20;
    /** The largest limit accepted: a file is decoded into one Java string. */
    public static final int LARGEST_MAX_FILE_BYTES = 1 << 30;
    /** How users raise the limit on the files meshcd reads. */
    public static final String HOW_TO_RAISE = "raise it with --max-file-size or maxFileSize in meshcd.yaml";

    private static final int CHUNK = 64 * 1024;

    private BoundedRead() {
    }

    /** An input larger than the limit: names the input, the limit and how to raise it. */
    public static final class TooLargeException extends IOException {
        private final String name;
        private final long size;
        private final long limit;

        /** @param size the input's size, or -1 when it is a stream (only known to exceed the limit) */
        public TooLargeException(String name, long size, long limit, String howToRaise) {
            super(name + " " + reason(size, limit, howToRaise));
            this.name = name;
            this.size = size;
            this.limit = limit;
        }

        public String name() {
            return name;
        }

        /** The message without the name: {@code is 3000 bytes, larger than the 1 KiB limit; raise it with ...}. */
        public String reason() {
            return getMessage().substring(name.length() + 1);
        }

        private static String reason(long size, long limit, String howToRaise) {
            return "is " + (size >= 0 ? size + " bytes, " : "") + "larger than the " + ByteSize.format(limit)
                    + " limit" + (howToRaise == null || howToRaise.isEmpty() ? "" : "; " + howToRaise);
        }

        /** The input's size, or -1 when it was a stream. */
        public long size() {
            return size;
        }

        public long limit() {
            return limit;
        }
    }

    /** What a path is, for reading it. */
    public enum Kind {
        REGULAR, DIRECTORY, PIPE, OTHER;

        /** Follows symbolic links; throws why a path cannot be looked at (no such file, permission, link loop). */
        public static Kind of(Path path) throws IOException {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (attrs.isRegularFile()) {
                return REGULAR;
            }
            if (attrs.isDirectory()) {
                return DIRECTORY;
            }
            return isPipe(path) ? PIPE : OTHER;
        }

        private static boolean isPipe(Path path) {
            try {
                Object mode = Files.getAttribute(path, "unix:mode");
                return mode instanceof Integer m && (m & 0170000) == 0010000;
            } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                return false; // no POSIX file types here: only regular files and directories are read
            }
        }
    }

    /**
     * The bytes of a regular file or a pipe ({@code <(...)}, a FIFO); a device or socket is refused.
     *
     * @param name       how messages name the file
     * @param howToRaise what to tell the user when the file is over the limit
     */
    public static byte[] file(Path path, String name, long limit, String howToRaise) throws IOException {
        Kind kind = Kind.of(path);
        switch (kind) {
            case DIRECTORY -> throw new IOException(name + " is a directory, not a file");
            case OTHER -> throw new IOException(name + " is " + special(path)
                    + ", not a file: meshcd reads files, directories, pipes and standard input (-)");
            case PIPE -> {
                try (InputStream in = Files.newInputStream(path)) {
                    return stream(in, name, limit, howToRaise);
                }
            }
            default -> {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    long size = ch.size();
                    if (size > limit) {
                        throw new TooLargeException(name, size, limit, howToRaise);
                    }
                    // The size is known: one array of that size, then a check that the file did not grow meanwhile.
                    ByteBuffer buf = ByteBuffer.allocate((int) size);
                    while (buf.hasRemaining() && ch.read(buf) >= 0) {
                        // fill
                    }
                    if (!buf.hasRemaining() && ch.read(ByteBuffer.allocate(1)) > 0) {
                        throw new TooLargeException(name, -1, limit, howToRaise);
                    }
                    return buf.hasRemaining() ? Arrays.copyOf(buf.array(), buf.position()) : buf.array();
                }
            }
        }
    }

    /** Everything {@code in} gives until its end, refused once it passes {@code limit} bytes. */
    public static byte[] stream(InputStream in, String name, long limit, String howToRaise) throws IOException {
        byte[] buf = new byte[(int) Math.min(CHUNK, limit + 1)];
        int len = 0;
        while (true) {
            if (len == buf.length) {
                if (len > limit) {
                    throw new TooLargeException(name, -1, limit, howToRaise);
                }
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit + 1));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                break;
            }
            len += n;
        }
        if (len > limit) {
            throw new TooLargeException(name, -1, limit, howToRaise);
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    private static String special(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            if (mode instanceof Integer m) {
                return switch (m & 0170000) {
                    case 0020000 -> "a character device";
                    case 0060000 -> "a block device";
                    case 0140000 -> "a socket";
                    default -> "a special file";
                };
            }
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            // fall through
        }
        return "a special file";
    }
}
