package dev.meshcd.compiler.load;

/**
 * Bounds that keep hostile or accidental input (alias bombs, megabyte one-liners, 10,000 nested
 * brackets) from taking the compiler down. Exceeding one is a diagnostic on that file only.
 */
public record LoadLimits(int maxFileBytes, int maxNestingDepth, int maxNodesPerDocument) {
    public static final LoadLimits DEFAULT = new LoadLimits(8 * 1024 * 1024, 128, 250_000);
}
