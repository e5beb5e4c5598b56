package dev.meshcd.compiler.config;

import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayList;
import java.util.List;

/**
 * meshcd's own configuration (meshcd.yaml, {@code apiVersion: meshcd.dev/v1alpha1}, {@code kind:
 * MeshcdConfig}), parsed by {@link MeshcdConfigParser}. Unset scalar fields are null and leave the
 * defaults alone.
 *
 * @param file             the config file's name as diagnostics show it ("" for {@link #EMPTY})
 * @param defaultNamespace namespace for objects that name none
 * @param domainSuffix     the cluster's DNS suffix
 * @param rootNamespace    Istio's root namespace
 * @param exclude          path patterns, relative to the config file's directory, not to compile
 * @param workloads        workloads running in the cluster but not in the repo
 * @param suppressions     diagnostics to drop
 * @param maxFileSize      the largest input file read, in bytes (null: the default)
 * @param diagnostics      what was wrong with the file (MCD9001)
 */
public record MeshcdConfig(String file, String defaultNamespace, String domainSuffix, String rootNamespace,
                           List<String> exclude, List<Workload> workloads, List<Suppression> suppressions,
                           Integer maxFileSize, List<Diagnostic> diagnostics) {
    public static final String API_VERSION = "meshcd.dev/v1alpha1";
    public static final String KIND = "MeshcdConfig";
    public static final String FILE_NAME = "meshcd.yaml";
    public static final MeshcdConfig EMPTY = new MeshcdConfig("", null, null, null, List.of(), List.of(), List.of(),
            null, List.of());

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    /** {@code base} with this file's settings: the namespace only when {@code base} kept the default. */
    public CompileOptions applyTo(CompileOptions base) {
        List<Workload> all = new ArrayList<>(base.externalWorkloads());
        all.addAll(workloads);
        return new CompileOptions(defaultNamespace != null ? defaultNamespace : base.defaultNamespace(),
                domainSuffix != null ? domainSuffix : base.domainSuffix(),
                rootNamespace != null ? rootNamespace : base.rootNamespace(), List.copyOf(all),
                maxFileSize != null ? base.limits().withMaxFileBytes(maxFileSize) : base.limits(), base.commit());
    }

    /** A compile result with this config's own findings (its errors fail the compile) added in order. */
    public dev.meshcd.compiler.pipeline.CompileResult withDiagnostics(dev.meshcd.compiler.pipeline.CompileResult result) {
        if (diagnostics.isEmpty()) {
            return result;
        }
        List<dev.meshcd.compiler.diag.Diagnostic> all = new ArrayList<>(diagnostics);
        all.addAll(result.diagnostics());
        all.sort(dev.meshcd.compiler.diag.Diagnostic.ORDER);
        return new dev.meshcd.compiler.pipeline.CompileResult(result.resources(), result.index(), List.copyOf(all),
                result.files(), result.documents());
    }

    /** The filter for {@code suppress:}. */
    public DiagnosticFilter filter() {
        return new SuppressionFilter(suppressions);
    }

    /** {@code tree} without the config file itself and without excluded files. */
    public SourceTree applyTo(SourceTree tree) {
        return applyTo(tree, java.util.Set.of());
    }

    /**
     * Likewise, but files named in {@code explicit} (given one by one on the command line) are never
     * excluded. A file that appears twice (named and also inside a named directory) is kept once.
     */
    public SourceTree applyTo(SourceTree tree, java.util.Set<String> explicit) {
        String dir = directoryOf(file);
        List<SourceFile> kept = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (SourceFile f : tree.files()) {
            if (includes(f.name(), explicit, dir) && names.add(f.name())) {
                kept.add(f);
            }
        }
        return new SourceTree(kept);
    }

    /**
     * Whether a file (named as in a SourceTree) is compiled under this config: not the config itself, and not
     * excluded unless named one by one ({@code explicit}).
     */
    public boolean includes(String name, java.util.Set<String> explicit) {
        return includes(name, explicit, directoryOf(file));
    }

    private boolean includes(String name, java.util.Set<String> explicit, String dir) {
        return !name.equals(file) && (explicit.contains(name) || !excluded(name, dir));
    }

    /** Whether a file (named as in a SourceTree) is excluded: patterns are relative to the config's directory. */
    public boolean excluded(String name) {
        return excluded(name, directoryOf(file));
    }

    private boolean excluded(String name, String dir) {
        if (exclude.isEmpty() || !name.startsWith(dir)) {
            return false;
        }
        String rel = name.substring(dir.length());
        for (String pattern : exclude) {
            String p = pattern.startsWith("./") ? pattern.substring(2) : pattern;
            if (p.endsWith("/") ? rel.startsWith(p) : (rel.equals(p) || rel.startsWith(p + "/")
                    || Suppression.glob(p).matcher(rel).matches())) {
                return true;
            }
        }
        return false;
    }

    static String directoryOf(String file) {
        int slash = file.lastIndexOf('/');
        return slash < 0 ? "" : file.substring(0, slash + 1);
    }
}
