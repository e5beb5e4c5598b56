package dev.meshcd.compiler.config;

import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.Resource;
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
 * @param diagnostics      what was wrong with the file (MCD9001)
 * @param context          {@code context:} paths whose objects are context only (analyzed against, never compiled)
 * @param external         {@code external:} declarations, as the objects they stand for (origin: their entry here)
 * @param unresolvedErrors {@code unresolved: error} (true) or {@code warning} (false); null when unset
 * @param substitute       Flux post-build variables ({@code substitute:}) applied to every file; null when unset
 * @param maxFileSize      the largest input file read, in bytes (null: the default)
 * @param meshFiles        {@code meshConfigFile:} and {@code meshNetworksFile:}, read with the context into the
 *                         ConfigMap {@code istio} of the root namespace
 * @param clusters         {@code clusters:} the other clusters of a multi-cluster mesh, by cluster name: paths (as
 *                         {@code context:} takes them) holding that cluster's objects, compared with the repository's
 */
public record MeshcdConfig(String file, String defaultNamespace, String domainSuffix, String rootNamespace,
                           List<String> exclude, List<Workload> workloads, List<Suppression> suppressions,
                           List<Diagnostic> diagnostics, List<ContextPath> context, List<Resource> external,
                           Boolean unresolvedErrors, java.util.Map<String, String> substitute, Integer maxFileSize,
                           List<MeshFile> meshFiles, java.util.Map<String, List<ContextPath>> clusters) {
    public static final String API_VERSION = "meshcd.dev/v1alpha1";
    public static final String KIND = "MeshcdConfig";
    public static final String FILE_NAME = "meshcd.yaml";
    public static final MeshcdConfig EMPTY = new MeshcdConfig("", null, null, null, List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of(), null, null, null, List.of(), java.util.Map.of());
    /** Istio's mesh config: ConfigMap {@code istio} in the root namespace, keys {@code mesh} and {@code meshNetworks}. */
    public static final String MESH_CONFIG_MAP = "istio";
    public static final String MESH_KEY = "mesh";
    public static final String MESH_NETWORKS_KEY = "meshNetworks";

    /** A file holding the value of one key of the mesh ConfigMap ({@link #MESH_KEY} or {@link #MESH_NETWORKS_KEY}). */
    public record MeshFile(String key, ContextPath path) {
    }

    /** The ConfigMap {@code istio} of {@code rootNamespace} holding {@code data}, located at {@code origin}. */
    public static Resource meshConfigMap(String rootNamespace, com.fasterxml.jackson.databind.node.ObjectNode data,
                                         dev.meshcd.compiler.source.Origin origin) {
        com.fasterxml.jackson.databind.node.ObjectNode cm = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", MESH_CONFIG_MAP).put("namespace", rootNamespace);
        cm.set("data", data);
        return new Resource("v1", new dev.meshcd.compiler.model.ResourceKey("", "ConfigMap", rootNamespace,
                MESH_CONFIG_MAP), cm, origin);
    }

    /**
     * A {@code context:} entry: the path as written, relative to the config file's directory, and where it is
     * written (for diagnostics about it).
     */
    public record ContextPath(String path, SourceLocation location) {
        /**
         * The path named as the tree names files (relative to the same root as {@code configFile}), normalized:
         * "deploy/meshcd.yaml" and "../other/dump" give "other/dump". Starts with ".." when it leaves the root.
         */
        public String resolve(String configFile) {
            java.util.Deque<String> parts = new java.util.ArrayDeque<>();
            String joined = directoryOf(configFile) + path;
            boolean absolute = joined.startsWith("/");
            int up = 0;
            for (String part : joined.split("/")) {
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    if (parts.isEmpty()) {
                        up++;
                    } else {
                        parts.removeLast();
                    }
                } else {
                    parts.addLast(part);
                }
            }
            StringBuilder out = new StringBuilder(absolute ? "/" : "");
            if (!absolute) {
                out.append("../".repeat(up));
            }
            out.append(String.join("/", parts));
            String r = out.toString();
            return r.endsWith("/") ? r.substring(0, r.length() - 1) : r.isEmpty() ? "." : r;
        }
    }

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
                maxFileSize != null ? base.limits().withMaxFileBytes(maxFileSize) : base.limits(), base.commit(),
                unresolvedErrors != null ? unresolvedErrors : base.unresolvedErrors());
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

    /**
     * Flux's post-build substitution as this file configures it: its {@code substitute:} values, unresolved
     * placeholders errors; without {@code substitute:}, defaults and escapes only, unresolved ones warnings.
     */
    public dev.meshcd.compiler.prepare.FluxSubstitution substitution() {
        return new dev.meshcd.compiler.prepare.FluxSubstitution(substitute == null ? java.util.Map.of() : substitute,
                substitute != null);
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
