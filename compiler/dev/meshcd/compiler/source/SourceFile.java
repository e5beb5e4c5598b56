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
    /** Set by the preparation stages (kustomize, substitution); null: as read. */
    private final String defaultNamespace;
    private final SourceMap sourceMap;
    /** Set when the file was not read because it is over the read limit. */
    private final BoundedRead.TooLargeException tooLarge;
    private volatile String hash;

    public SourceFile(String name, byte[] content) {
        this(name, content, null, null, null);
    }

    private SourceFile(String name, byte[] content, String defaultNamespace, SourceMap sourceMap,
                       BoundedRead.TooLargeException tooLarge) {
        this.name = name;
        this.content = content;
        this.defaultNamespace = defaultNamespace;
        this.sourceMap = sourceMap;
        this.tooLarge = tooLarge;
    }

    /** A file that was not read because it is over the read limit: no content, and loading reports why. */
    public static SourceFile tooLarge(String name, BoundedRead.TooLargeException why) {
        return new SourceFile(name, new byte[0], null, null, why);
    }

    /** Why the file was not read (its size over the limit), or null when its content is here. */
    public BoundedRead.TooLargeException tooLarge() {
        return tooLarge;
    }

    /** This file with a namespace for its objects that name none (a kustomization's {@code namespace:}). */
    public SourceFile withDefaultNamespace(String namespace) {
        return new SourceFile(name, content, namespace, sourceMap, tooLarge);
    }

    /** This file's text rewritten (substitution); {@code map} leads positions back to the text as written. */
    public SourceFile rewritten(byte[] newContent, SourceMap map) {
        return new SourceFile(name, newContent, defaultNamespace, map, tooLarge);
    }

    /** The namespace for objects that name none, when the file's place decides it; null: the compile's default. */
    public String defaultNamespace() {
        return defaultNamespace;
    }

    /** How the content was rewritten before loading, or null when it is as written. */
    public SourceMap sourceMap() {
        return sourceMap;
    }

    /** A position in the content as loaded, in the text as written. */
    public dev.meshcd.compiler.diag.SourceLocation original(dev.meshcd.compiler.diag.SourceLocation at) {
        return sourceMap == null ? at : sourceMap.toOriginal(at);
    }

    /** What the compiler's per-file results depend on: the content and the default namespace. */
    public String cacheKey() {
        return defaultNamespace == null ? contentHash() : contentHash() + "/" + defaultNamespace;
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
