package dev.meshcd.compiler.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The bytes of one input file and the name diagnostics use for it (relative to the tree root,
 * '/' separated). Files come from disk, a Git tree or an admission request alike.
 */
public final class SourceFile {
    private final String name;
    private final byte[] content;
    private final BoundedRead.TooLargeException tooLarge;
    private volatile String hash;

    public SourceFile(String name, byte[] content) {
        this(name, content, null);
    }

    private SourceFile(String name, byte[] content, BoundedRead.TooLargeException tooLarge) {
        this.name = name;
        this.content = content;
        this.tooLarge = tooLarge;
    }

    /** A file that was not read because it is over the read limit: no content, and loading reports why. */
    public static SourceFile tooLarge(String name, BoundedRead.TooLargeException why) {
        return new SourceFile(name, new byte[0], why);
    }

    /** Why the file was not read (its size over the limit), or null when its content is here. */
    public BoundedRead.TooLargeException tooLarge() {
        return tooLarge;
    }

    public static SourceFile ofString(String name, String text) {
        return new SourceFile(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public String name() {
        return name;
    }

    /** The raw bytes; callers must not modify them. */
    public byte[] content() {
        return content;
    }

    public int size() {
        return content.length;
    }

    /** SHA-256 of the content, hex; the key of the parse cache. */
    public String contentHash() {
        String h = hash;
        if (h == null) {
            if (tooLarge != null) {
                hash = h = "too-large:" + tooLarge.size() + ":" + tooLarge.limit();
                return h;
            }
            try {
                h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return name;
    }
}
