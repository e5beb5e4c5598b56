package dev.meshcd.compiler.workspace;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.context.ClusterService;
import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.load.LoadLimits;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The context meshcd.yaml declares: the objects of its {@code context:} paths (loaded and decoded, never
 * validated or compiled) and its {@code external:} declarations. Paths inside the tree are taken from the tree
 * (a directory or a Git revision alike) and leave it; other paths are read through a {@link ContextReader} when
 * the workspace has one (on disk), else they are an MCD9001 error at their entry. Per-file results are cached by
 * content hash, as the compiler caches the repository's.
 */
final class ConfigContext {
    static final String PATHS_SOURCE = "meshcd.yaml context:";
    static final String EXTERNAL_SOURCE = "meshcd.yaml external:";

    /**
     * @param context    the objects, marked as context
     * @param prefixes   the context paths as the tree names files: a tree file under one is context, not compiled
     * @param diagnostics problems with the paths (MCD9001) and in their files (warnings: context never fails a compile)
     */
    record Loaded(MeshContext context, List<String> prefixes, List<Diagnostic> diagnostics) {
        static final Loaded NONE = new Loaded(MeshContext.NONE, List.of(), List.of());

        boolean covers(String name) {
            for (String p : prefixes) {
                if (name.equals(p) || name.startsWith(p + "/")) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Cached(String hash, List<Resource> resources, List<Diagnostic> diagnostics) {
    }

    /** Keys of the files read for {@code clusters:} ("\u0000cluster\u0000cluster-name\u0000file"): never a file name. */
    private static final String CLUSTER_FILE = "\u0000cluster\u0000";

    /**
     * The files of one {@code context:} or {@code clusters:} path, from the tree or through {@code reader}; its
     * prefix is added to {@code prefixes} (tree files under it are not compiled). A path that holds the
     * repository itself, does not exist or cannot be read is an MCD9001 error at its entry, and gives no files.
     */
    private static List<SourceFile> read(String what, MeshcdConfig.ContextPath cp, MeshcdConfig config, String configDir,
                                         SortedMap<String, SourceFile> tree, ContextReader reader,
                                         List<String> prefixes, List<Diagnostic> diagnostics) {
        String prefix = cp.resolve(config.file());
        boolean onlyUp = prefix.matches("\\.\\.(/\\.\\.)*");
        if (prefix.equals(".") || configDir.equals(prefix) || configDir.startsWith(prefix + "/")
                || (onlyUp && !configDir.startsWith(".."))) {
            diagnostics.add(configError(cp, what + " \"" + cp.path()
                    + "\" contains the repository itself; name the directories that hold the context"));
            return List.of();
        }
        prefixes.add(prefix); // even when it holds nothing yet: a file added under it later is context
        List<SourceFile> found = new ArrayList<>(tree.subMap(prefix, prefix + "/\uffff").values());
        found.removeIf(f -> !f.name().equals(prefix) && !f.name().startsWith(prefix + "/"));
        if (found.isEmpty() && reader != null) {
            try {
                found = reader.read(prefix);
            } catch (NoSuchFileException e) {
                diagnostics.add(configError(cp, what + " \"" + cp.path() + "\" does not exist"));
                return List.of();
            } catch (IOException e) {
                diagnostics.add(configError(cp, what + " \"" + cp.path() + "\" cannot be read: "
                        + e.getMessage()));
                return List.of();
            }
        } else if (found.isEmpty()) {
            diagnostics.add(configError(cp, what + " \"" + cp.path() + "\" holds no files in the tree"
                    + " compiled; a Git revision can only use paths inside that tree (or check with --kubeconfig)"));
            return List.of();
        }
        return found;
    }

    private final Map<String, Cached> cache = new HashMap<>();

    Loaded load(MeshcdConfig config, SortedMap<String, SourceFile> tree, ContextReader reader, Decoder decoder,
                LoadLimits limits) {
        if (config.context().isEmpty() && config.external().isEmpty() && config.meshFiles().isEmpty()
                && config.clusters().isEmpty()) {
            cache.clear();
            return Loaded.NONE;
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        Map<String, SourceFile> files = new java.util.TreeMap<>();
        String configDir = new MeshcdConfig.ContextPath(".", null).resolve(config.file());
        for (MeshcdConfig.ContextPath cp : config.context()) {
            read("context path", cp, config, configDir, tree, reader, prefixes, diagnostics)
                    .forEach(f -> files.putIfAbsent(f.name(), f));
        }
        for (Map.Entry<String, List<MeshcdConfig.ContextPath>> c : config.clusters().entrySet()) {
            for (MeshcdConfig.ContextPath cp : c.getValue()) {
                for (SourceFile f : read("cluster " + c.getKey() + " path", cp, config, configDir, tree, reader,
                        prefixes, diagnostics)) {
                    files.putIfAbsent(CLUSTER_FILE + c.getKey() + "\u0000" + f.name(), f);
                }
            }
        }
        // mesh config files in the tree are inputs, not resources to compile
        config.meshFiles().forEach(mf -> prefixes.add(mf.path().resolve(config.file())));
        cache.keySet().retainAll(files.keySet());
        YamlLoader loader = new YamlLoader(limits);
        List<Resource> resources = new ArrayList<>();
        MessageDigest digest = sha256();
        for (Map.Entry<String, SourceFile> e : files.entrySet()) {
            SourceFile f = e.getValue();
            Cached c = cache.get(e.getKey());
            if (c == null || !c.hash().equals(f.contentHash())) {
                c = decode(f, loader, decoder);
                if (e.getKey().startsWith(CLUSTER_FILE)) {
                    String cluster = e.getKey().substring(CLUSTER_FILE.length(), e.getKey().indexOf('\u0000',
                            CLUSTER_FILE.length()));
                    c = new Cached(c.hash(), ClusterService.servicesOf(cluster, c.resources()), c.diagnostics());
                }
                cache.put(e.getKey(), c);
            }
            resources.addAll(c.resources());
            diagnostics.addAll(c.diagnostics());
            digest.update((e.getKey() + "\u0000" + f.contentHash() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        List<Resource> external = withMeshFiles(config, tree, reader, diagnostics, digest);
        for (Resource r : external) {
            boolean meshInputs = r.is(dev.meshcd.compiler.model.Kind.CONFIG_MAP)
                    && r.name().equals(MeshcdConfig.MESH_CONFIG_MAP);
            resources.add(ContextOrigin.mark(r, meshInputs ? ContextOrigin.MESHCD_INPUTS : EXTERNAL_SOURCE));
        }
        // external: entries are part of meshcd.yaml, whose content the version then covers
        digest.update(("config\u0000" + config.file()).getBytes(StandardCharsets.UTF_8));
        for (Resource r : external) {
            digest.update(r.object().toString().getBytes(StandardCharsets.UTF_8));
        }
        String version = HexFormat.of().formatHex(digest.digest());
        return new Loaded(new MeshContext(resources, false, "meshcd.yaml", version), List.copyOf(prefixes),
                List.copyOf(diagnostics));
    }

    /**
     * meshcd.yaml's {@code external:} objects with {@code meshConfigFile:}/{@code meshNetworksFile:} read into the
     * root namespace's ConfigMap {@code istio} (beside an inline {@code meshConfig:}/{@code meshNetworks:}). A file
     * is taken from the tree, else read through {@code reader}; one that cannot be read is an MCD9001 error.
     */
    private static List<Resource> withMeshFiles(MeshcdConfig config, SortedMap<String, SourceFile> tree,
                                                ContextReader reader, List<Diagnostic> diagnostics,
                                                MessageDigest digest) {
        if (config.meshFiles().isEmpty()) {
            return config.external();
        }
        String rootNs = config.rootNamespace() == null ? dev.meshcd.compiler.index.MeshIndex.DEFAULT_ROOT_NAMESPACE
                : config.rootNamespace();
        dev.meshcd.compiler.model.ResourceKey key = new dev.meshcd.compiler.model.ResourceKey("", "ConfigMap", rootNs,
                MeshcdConfig.MESH_CONFIG_MAP);
        List<Resource> out = new ArrayList<>();
        Resource inline = null;
        for (Resource r : config.external()) {
            if (r.key().equals(key)) {
                inline = r;
            } else {
                out.add(r);
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode data = inline == null
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                : ((com.fasterxml.jackson.databind.node.ObjectNode) inline.object().path("data")).deepCopy();
        dev.meshcd.compiler.source.Origin origin = inline == null ? null : inline.origin();
        for (MeshcdConfig.MeshFile mf : config.meshFiles()) {
            MeshcdConfig.ContextPath cp = mf.path();
            String name = cp.resolve(config.file());
            SourceFile f = tree.get(name);
            try {
                if (f == null && reader != null) {
                    List<SourceFile> read = reader.read(name);
                    f = read.size() == 1 ? read.get(0) : null;
                }
            } catch (NoSuchFileException e) {
                f = null;
            } catch (IOException e) {
                diagnostics.add(configError(cp, "\"" + cp.path() + "\" cannot be read: " + e.getMessage()));
                continue;
            }
            if (f == null) {
                diagnostics.add(configError(cp, "\"" + cp.path() + "\" is not a file"
                        + (reader == null ? " in the tree compiled" : "")));
                continue;
            }
            data.put(mf.key(), new String(f.content(), StandardCharsets.UTF_8));
            digest.update((mf.key() + "\u0000" + f.contentHash() + "\n").getBytes(StandardCharsets.UTF_8));
            if (origin == null) {
                origin = new dev.meshcd.compiler.source.Origin() {
                    @Override
                    public String fileName() {
                        return config.file();
                    }

                    @Override
                    public dev.meshcd.compiler.diag.SourceLocation locate(dev.meshcd.compiler.source.FieldPath path) {
                        return cp.location();
                    }
                };
            }
        }
        if (origin != null) {
            out.add(MeshcdConfig.meshConfigMap(rootNs, data, origin));
        }
        return List.copyOf(out);
    }

    /** One context file's objects, marked; its load and decode problems as warnings about no resource. */
    private static Cached decode(SourceFile f, YamlLoader loader, Decoder decoder) {
        ParsedFile parsed = loader.load(f);
        Diagnostics sink = new Diagnostics();
        List<Resource> decoded = decoder.decode(parsed, sink);
        List<Resource> marked = new ArrayList<>(decoded.size());
        decoded.forEach(r -> marked.add(ContextOrigin.mark(r, PATHS_SOURCE + " " + f.name())));
        Set<Diagnostic> out = new LinkedHashSet<>();
        List<Diagnostic> all = new ArrayList<>(parsed.diagnostics());
        all.addAll(sink.sorted());
        for (Diagnostic d : all) {
            if (d.severity() == Severity.ERROR) {
                out.add(new Diagnostic(Severity.WARNING, d.code(), "context file, not loaded: " + d.message(), null,
                        d.location(), d.path()));
            }
        }
        return new Cached(f.contentHash(), List.copyOf(marked), List.copyOf(out));
    }

    private static Diagnostic configError(MeshcdConfig.ContextPath cp, String message) {
        return new Diagnostic(Severity.ERROR, Codes.CONFIG, message, null, cp.location(), "");
    }

    /** The repository's context: what the shell supplies (a live cluster) first, then what meshcd.yaml declares. */
    static MeshContext combine(MeshContext supplied, MeshContext declared) {
        if (declared.isEmpty()) {
            return supplied;
        }
        if (supplied.isEmpty() && supplied.source().isEmpty()) {
            return declared;
        }
        List<Resource> all = new ArrayList<>(supplied.resources());
        all.addAll(declared.resources());
        return new MeshContext(all, supplied.complete(), supplied.source() + " + " + declared.source(),
                supplied.version() + "|" + declared.version());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
