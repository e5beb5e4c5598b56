package dev.meshcd.compiler.load;

import dev.meshcd.compiler.source.BoundedRead;

/**
 * Bounds that keep hostile or accidental input (alias bombs, megabyte one-liners, 10,000 nested
 * brackets) from taking the compiler down. Exceeding one is a diagnostic on that file only.
 */
public record LoadLimits(int maxFileBytes, int maxNestingDepth, int maxNodesPerDocument) {
    public static final LoadLimits DEFAULT = new LoadLimits(BoundedRead.DEFAULT_MAX_FILE_BYTES, 128, 250_000);

    public LoadLimits withMaxFileBytes(int bytes) {
        return new LoadLimits(bytes, maxNestingDepth, maxNodesPerDocument);
    }
}
