package dev.meshcd.compiler.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the kustomizations in a tree say about its files, without running kustomize: the files a
 * {@code kustomization.yaml} (or {@code .yml}, {@code Kustomization}) names as patches, generator inputs, plugin
 * configuration or Helm values are partial objects, never analysed as resources (nor is the kustomization itself);
 * and its {@code namespace:} applies to the resources it lists (files, and through directories the resources of
 * their kustomizations) that name no namespace. The innermost kustomization with a namespace decides; a file that
 * kustomizations would put in different namespaces (a base shared by overlays) keeps the default one.
 *
 * <p>kustomize itself also overrides namespaces a resource names; meshcd keeps those (it analyses the files as
 * written, and its own sync applies them so). Pure: names and bytes in, a {@link Plan} out.
 */
public final class Kustomizations {
    public static final List<String> FILE_NAMES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private static final List<String> RESOURCE_FIELDS = List.of("resources", "bases", "components");

    private Kustomizations() {
    }

    public static boolean isKustomization(String name) {
        return FILE_NAMES.contains(name.substring(name.lastIndexOf('/') + 1));
    }

    /** The plan of every kustomization in the tree (those that do not parse as a mapping are left to the loader). */
    public static Plan plan(SourceTree tree) {
        Map<String, JsonNode> byDirectory = new HashMap<>();
        Set<String> drop = new HashSet<>();
        YamlLoader loader = new YamlLoader();
        for (SourceFile f : tree.files()) {
            if (!isKustomization(f.name())) {
                continue;
            }
            ParsedFile parsed = loader.load(f);
            if (!parsed.diagnostics().isEmpty() || parsed.documents().size() != 1
                    || !parsed.documents().get(0).root().isObject()) {
                continue;
            }
            JsonNode k = parsed.documents().get(0).root();
            String dir = directoryOf(f.name());
            byDirectory.putIfAbsent(dir, k);
            drop.add(f.name());
            partialFiles(k, dir, drop);
        }
        if (byDirectory.isEmpty()) {
            return Plan.EMPTY;
        }
        Map<String, Set<String>> namespaces = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : byDirectory.entrySet()) {
            assignNamespaces(e.getKey(), byDirectory, namespaces);
        }
        Map<String, String> namespaceOf = new HashMap<>();
        namespaces.forEach((file, candidates) -> {
            if (candidates.size() == 1) {
                namespaceOf.put(file, candidates.iterator().next());
            }
        });
        return new Plan(Set.copyOf(drop), Map.copyOf(namespaceOf));
    }

    /** Files a kustomization reads that are not whole resources. */
    private static void partialFiles(JsonNode k, String dir, Set<String> drop) {
        for (JsonNode p : k.path("patches")) {
            addPath(dir, p.path("path"), drop);
        }
        for (JsonNode p : k.path("patchesJson6902")) {
            addPath(dir, p.path("path"), drop);
        }
        for (JsonNode p : k.path("patchesStrategicMerge")) {
            if (p.isTextual() && !p.asText().contains("\n")) { // else an inline patch
                addPath(dir, p, drop);
            }
        }
        for (JsonNode p : k.path("replacements")) {
            addPath(dir, p.path("path"), drop);
        }
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            for (JsonNode g : k.path(generator)) {
                for (JsonNode f : g.path("files")) { // "path" or "key=path"
                    String spec = f.asText("");
                    addPath(dir, spec.substring(spec.indexOf('=') + 1), drop);
                }
                for (JsonNode env : g.path("envs")) {
                    addPath(dir, env, drop);
                }
                addPath(dir, g.path("env"), drop);
            }
        }
        for (String plugins : List.of("generators", "transformers", "validators", "configurations")) {
            for (JsonNode p : k.path(plugins)) {
                if (p.isTextual() && !p.asText().contains("\n")) {
                    addPath(dir, p, drop);
                }
            }
        }
        for (JsonNode chart : k.path("helmCharts")) {
            addPath(dir, chart.path("valuesFile"), drop);
            for (JsonNode more : chart.path("additionalValuesFiles")) {
                addPath(dir, more, drop);
            }
        }
        addPath(dir, k.path("openapi").path("path"), drop);
    }

    private static void addPath(String dir, JsonNode path, Set<String> out) {
        if (path.isTextual()) {
            addPath(dir, path.asText(), out);
        }
    }

    private static void addPath(String dir, String path, Set<String> out) {
        if (!path.isBlank() && !path.contains("://")) {
            normalize(dir + path.trim()).ifPresent(out::add);
        }
    }

    /**
     * Walks the resources a kustomization includes (files directly, directories through their kustomizations),
     * recording for each file the namespace the innermost kustomization with one gives it.
     */
    private static void assignNamespaces(String root, Map<String, JsonNode> byDirectory,
                                         Map<String, Set<String>> namespaces) {
        Deque<String[]> work = new ArrayDeque<>(); // {directory, inherited namespace or null}
        Set<String> visited = new HashSet<>();
        work.push(new String[] {root, null});
        while (!work.isEmpty()) {
            String[] item = work.pop();
            JsonNode k = byDirectory.get(item[0]);
            if (k == null || !visited.add(item[0] + "\u0000" + item[1])) {
                continue;
            }
            String own = k.path("namespace").asText("");
            String ns = own.isEmpty() ? item[1] : own;
            for (String field : RESOURCE_FIELDS) {
                for (JsonNode entry : k.path(field)) {
                    if (!entry.isTextual() || entry.asText().contains("://")) {
                        continue;
                    }
                    Optional<String> target = normalize(item[0] + entry.asText().trim());
                    if (target.isEmpty()) {
                        continue;
                    }
                    String t = target.get();
                    if (SourceTree.isConfigFileName(t) && !byDirectory.containsKey(t + "/")) {
                        if (ns != null) {
                            namespaces.computeIfAbsent(t, x -> new HashSet<>()).add(ns);
                        }
                    } else {
                        work.push(new String[] {t.endsWith("/") ? t : t + "/", ns});
                    }
                }
            }
        }
    }

    static String directoryOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash + 1);
    }

    /** "a/b/../c" as "a/c"; leading ".." kept; empty when the path leaves an absolute root. */
    static Optional<String> normalize(String path) {
        boolean absolute = path.startsWith("/");
        boolean directory = path.endsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (absolute) {
                    return Optional.empty();
                } else {
                    parts.addLast(p);
                }
            } else {
                parts.addLast(p);
            }
        }
        String joined = String.join("/", parts);
        return Optional.of((absolute ? "/" : "") + joined + (directory && !joined.isEmpty() ? "/" : ""));
    }

    /** The outcome for a tree: files to drop, and namespaces for the rest. */
    public record Plan(Set<String> dropped, Map<String, String> namespaces) {
        public static final Plan EMPTY = new Plan(Set.of(), Map.of());

        /** The file as the compiler should see it, or empty when it is not a resource. */
        public Optional<SourceFile> apply(SourceFile f) {
            if (dropped.contains(f.name())) {
                return Optional.empty();
            }
            String ns = namespaces.get(f.name());
            return Optional.of(ns == null ? f : f.withDefaultNamespace(ns));
        }

        public SourceTree apply(SourceTree tree) {
            if (this == EMPTY) {
                return tree;
            }
            List<SourceFile> out = new ArrayList<>(tree.files().size());
            for (SourceFile f : tree.files()) {
                apply(f).ifPresent(out::add);
            }
            return new SourceTree(out);
        }
    }
}
