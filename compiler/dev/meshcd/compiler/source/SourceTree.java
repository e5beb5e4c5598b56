package dev.meshcd.compiler.source;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The input of one compilation: files in a stable order. How they were gathered (a directory walk,
 * a Git tree at a commit) is the caller's business; the compiler never does I/O itself.
 */
public record SourceTree(List<SourceFile> files) {
    public SourceTree {
        List<SourceFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(SourceFile::name));
        files = List.copyOf(sorted);
    }

    public static SourceTree of(SourceFile... files) {
        return new SourceTree(List.of(files));
    }

    /** True for names meshcd reads as configuration: *.yaml, *.yml, *.json, and kustomize's {@code Kustomization}. */
    public static boolean isConfigFileName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json")
                || name.equals("Kustomization") || name.endsWith("/Kustomization");
    }
}
