package dev.meshcd.compiler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.DocumentOrigin;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.ByteSize;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses meshcd.yaml. Pure: bytes in, a {@link MeshcdConfig} out. Never throws for bad input:
 * every problem becomes an MCD9001 diagnostic at the offending field, and the rest of the file still applies.
 */
public final class MeshcdConfigParser {
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "defaultNamespace", "domainSuffix",
            "rootNamespace", "exclude", "workloads", "suppress", "context", "external", "unresolved", "substitute",
            "maxFileSize", "meshConfig", "meshConfigFile", "meshNetworks", "meshNetworksFile", "clusters");
    private static final Set<String> WORKLOAD = Set.of("name", "namespace", "kind", "labels", "annotations",
            "serviceAccount");
    private static final Set<String> SUPPRESS = Set.of("code", "resource", "file", "reason");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern CODE = Pattern.compile("\\*|IST\\d{4}|MCD\\d{4}");
    /** A variable name as Flux's envsubst accepts it. */
    private static final Pattern VARIABLE = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");

    private MeshcdConfigParser() {
    }

    public static MeshcdConfig parse(SourceFile file) {
        return new Run(file).run();
    }

    private static final class Run {
        private final SourceFile file;
        private final List<Diagnostic> diagnostics = new ArrayList<>();
        private ParsedFile parsed;
        private int doc;
        private Map<String, String> substitute;
        private final List<MeshcdConfig.MeshFile> meshFiles = new ArrayList<>();
        private final Map<String, List<MeshcdConfig.ContextPath>> clusters = new LinkedHashMap<>();

        Run(SourceFile file) {
            this.file = file;
        }

        MeshcdConfig run() {
            parsed = new YamlLoader().load(file);
            for (Diagnostic d : parsed.diagnostics()) {
                diagnostics.add(new Diagnostic(Severity.ERROR, Codes.CONFIG, "invalid meshcd config: " + d.message(),
                        null, d.location(), d.path()));
            }
            List<Document> docs = parsed.documents();
            if (docs.isEmpty()) {
                if (diagnostics.isEmpty()) {
                    error(null, FieldPath.ROOT, "meshcd config is empty; expected apiVersion: " + MeshcdConfig.API_VERSION
                            + " and kind: " + MeshcdConfig.KIND);
                }
                return result(null, null, null, List.of(), List.of(), List.of(), List.of(), List.of(), null, null);
            }
            if (docs.size() > 1) {
                error(docs.get(1), FieldPath.ROOT, "meshcd config must be a single YAML document");
            }
            Document d = docs.get(0);
            doc = d.index();
            JsonNode root = d.root();
            if (!root.isObject()) {
                error(d, FieldPath.ROOT, "meshcd config must be a mapping");
                return result(null, null, null, List.of(), List.of(), List.of(), List.of(), List.of(), null, null);
            }
            unknownKeys(root, FieldPath.ROOT, TOP);
            String apiVersion = string(root, FieldPath.ROOT, "apiVersion");
            if (!MeshcdConfig.API_VERSION.equals(apiVersion)) {
                error(FieldPath.of(apiVersion == null ? "" : "apiVersion"), "apiVersion must be "
                        + MeshcdConfig.API_VERSION + (apiVersion == null ? "" : ", not \"" + apiVersion + "\""));
            }
            String kind = string(root, FieldPath.ROOT, "kind");
            if (!MeshcdConfig.KIND.equals(kind)) {
                error(FieldPath.of(kind == null ? "" : "kind"), "kind must be " + MeshcdConfig.KIND
                        + (kind == null ? "" : ", not \"" + kind + "\""));
            }
            String ns = string(root, FieldPath.ROOT, "defaultNamespace");
            if (ns != null && !DNS_LABEL.matcher(ns).matches()) {
                error(FieldPath.of("defaultNamespace"), "defaultNamespace \"" + ns + "\" is not a valid namespace name");
                ns = null;
            }
            String suffix = string(root, FieldPath.ROOT, "domainSuffix");
            if (suffix != null && !DNS_NAME.matcher(suffix).matches()) {
                error(FieldPath.of("domainSuffix"), "domainSuffix \"" + suffix + "\" is not a DNS name");
                suffix = null;
            }
            String rootNs = string(root, FieldPath.ROOT, "rootNamespace");
            if (rootNs != null && !DNS_LABEL.matcher(rootNs).matches()) {
                error(FieldPath.of("rootNamespace"), "rootNamespace \"" + rootNs + "\" is not a valid namespace name");
                rootNs = null;
            }
            List<String> exclude = new ArrayList<>();
            JsonNode ex = list(root, "exclude");
            for (int i = 0; i < ex.size(); i++) {
                JsonNode e = ex.get(i);
                if (!e.isTextual() || e.asText().isBlank()) {
                    error(FieldPath.of("exclude", i), "exclude entries must be non-empty strings");
                } else if (e.asText().startsWith("/") || e.asText().contains("..")) {
                    error(FieldPath.of("exclude", i), "exclude entries are paths relative to the config file's directory");
                } else {
                    exclude.add(e.asText());
                }
            }
            List<Workload> workloads = new ArrayList<>();
            JsonNode ws = list(root, "workloads");
            for (int i = 0; i < ws.size(); i++) {
                Workload w = workload(ws.get(i), FieldPath.of("workloads", i));
                if (w != null) {
                    workloads.add(w);
                }
            }
            List<Suppression> suppressions = new ArrayList<>();
            JsonNode ss = list(root, "suppress");
            for (int i = 0; i < ss.size(); i++) {
                Suppression s = suppression(ss.get(i), FieldPath.of("suppress", i));
                if (s != null) {
                    suppressions.add(s);
                }
            }
            List<MeshcdConfig.ContextPath> context = new ArrayList<>();
            JsonNode cs = list(root, "context");
            for (int i = 0; i < cs.size(); i++) {
                MeshcdConfig.ContextPath cp = contextPath(cs.get(i), FieldPath.of("context", i), "context entries");
                if (cp != null) {
                    context.add(cp);
                }
            }
            clusters(root.get("clusters"));
            List<Resource> external = new ArrayList<>(new ExternalDeclarations(parsed, doc, ns == null ? "default" : ns,
                    this::error).read(root.get("external")));
            meshInputs(root, rootNs == null ? dev.meshcd.compiler.index.MeshIndex.DEFAULT_ROOT_NAMESPACE : rootNs,
                    external);
            Boolean unresolved = null;
            String u = string(root, FieldPath.ROOT, "unresolved");
            if (u != null) {
                if (u.equals("error") || u.equals("warning")) {
                    unresolved = u.equals("error");
                } else {
                    error(FieldPath.of("unresolved"), "unresolved must be error or warning, not \"" + u + "\"");
                }
            }
            substitute = substitute(root);
            return result(ns, suffix, rootNs, exclude, workloads, suppressions, context, external, unresolved,
                    maxFileSize(root.get("maxFileSize")));
        }

        /**
         * {@code meshConfig:}/{@code meshNetworks:} (inline mappings) and {@code meshConfigFile:}/{@code
         * meshNetworksFile:} (paths): Istio's mesh config and mesh networks. The inline ones become the ConfigMap
         * {@code istio} of the root namespace (keys {@code mesh} and {@code meshNetworks}, as istiod reads them),
         * added to {@code external}; the paths are read with the context ({@link MeshcdConfig#meshFiles}).
         */
        private void meshInputs(JsonNode root, String rootNs, List<Resource> external) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            FieldPath first = null;
            for (String[] pair : new String[][]{{"meshConfig", "meshConfigFile", MeshcdConfig.MESH_KEY},
                    {"meshNetworks", "meshNetworksFile", MeshcdConfig.MESH_NETWORKS_KEY}}) {
                JsonNode inline = root.get(pair[0]);
                JsonNode path = root.get(pair[1]);
                boolean hasInline = inline != null && !inline.isNull();
                boolean hasPath = path != null && !path.isNull();
                if (hasInline && hasPath) {
                    error(FieldPath.of(pair[1]), "give " + pair[0] + " or " + pair[1] + ", not both");
                    continue;
                }
                if (hasInline) {
                    if (!inline.isObject()) {
                        error(FieldPath.of(pair[0]), pair[0] + " must be a mapping, as Istio's " + pair[0]
                                + " is written");
                        continue;
                    }
                    data.put(pair[2], inline.toString()); // JSON is YAML: istiod reads the value either way
                    first = first == null ? FieldPath.of(pair[0]) : first;
                } else if (hasPath) {
                    if (!path.isTextual() || path.asText().isBlank() || path.asText().startsWith("/")
                            || path.asText().contains("\\") || path.asText().contains(":")
                            || path.asText().indexOf('\0') >= 0) {
                        error(FieldPath.of(pair[1]), pair[1] + " must be a path relative to the config file's"
                                + " directory");
                    } else {
                        meshFiles.add(new MeshcdConfig.MeshFile(pair[2], new MeshcdConfig.ContextPath(path.asText(),
                                parsed.locate(doc, FieldPath.of(pair[1])))));
                    }
                }
            }
            if (first != null) {
                external.add(MeshcdConfig.meshConfigMap(rootNs, data, new DocumentOrigin(parsed, doc, first)));
            }
        }

        /** A path as {@code context:} takes it (relative to the config's directory), or null after an error. */
        private MeshcdConfig.ContextPath contextPath(JsonNode c, FieldPath at, String what) {
            if (!c.isTextual() || c.asText().isBlank()) {
                error(at, what + " must be non-empty paths");
                return null;
            }
            if (c.asText().startsWith("/") || c.asText().contains("\\") || c.asText().contains(":")
                    || c.asText().indexOf('\0') >= 0) {
                error(at, what + " are paths relative to the config file's directory"
                        + " (../other-repo is fine), not \"" + c.asText() + "\"");
                return null;
            }
            return new MeshcdConfig.ContextPath(c.asText(), parsed.locate(doc, at));
        }

        /**
         * {@code clusters:}, a map of cluster names (DNS labels, as Istio's cluster IDs are written in practice) to a
         * path or a list of paths holding that cluster's objects.
         */
        private void clusters(JsonNode v) {
            if (v == null || v.isNull()) {
                return;
            }
            if (!v.isObject()) {
                error(FieldPath.of("clusters"), "clusters must be a map of cluster names to paths");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                FieldPath at = FieldPath.of("clusters", e.getKey());
                if (!DNS_LABEL.matcher(e.getKey()).matches()) {
                    error(at, "cluster name \"" + e.getKey() + "\" is not a DNS label");
                    continue;
                }
                List<MeshcdConfig.ContextPath> paths = new ArrayList<>();
                if (e.getValue().isArray()) {
                    if (e.getValue().isEmpty()) {
                        error(at, "cluster " + e.getKey() + " lists no paths");
                    }
                    for (int i = 0; i < e.getValue().size(); i++) {
                        MeshcdConfig.ContextPath cp = contextPath(e.getValue().get(i), at.index(i), "cluster paths");
                        if (cp != null) {
                            paths.add(cp);
                        }
                    }
                } else {
                    MeshcdConfig.ContextPath cp = contextPath(e.getValue(), at, "cluster paths");
                    if (cp != null) {
                        paths.add(cp);
                    }
                }
                if (!paths.isEmpty()) {
                    clusters.put(e.getKey(), List.copyOf(paths));
                }
            }
        }

        /** {@code substitute:}, a map of Flux variable names to values; null when absent. */
        private Map<String, String> substitute(JsonNode root) {
            JsonNode v = root.get("substitute");
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isObject()) {
                error(FieldPath.of("substitute"), "substitute must be a map of variable names to values");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                FieldPath at = FieldPath.of("substitute", e.getKey());
                if (!VARIABLE.matcher(e.getKey()).matches()) {
                    error(at, "substitute variable \"" + e.getKey() + "\" is not a valid name ([_a-zA-Z][_a-zA-Z0-9]*, as Flux)");
                } else if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error(at, "substitute values must be strings");
                } else {
                    out.put(e.getKey(), e.getValue().asText());
                }
            }
            return java.util.Collections.unmodifiableMap(out);
        }

        private MeshcdConfig result(String ns, String suffix, String rootNs, List<String> exclude,
                                    List<Workload> workloads, List<Suppression> suppressions,
                                    List<MeshcdConfig.ContextPath> context, List<Resource> external,
                                    Boolean unresolved, Integer maxFileSize) {
            return new MeshcdConfig(file.name(), ns, suffix, rootNs, List.copyOf(exclude), List.copyOf(workloads),
                    List.copyOf(suppressions), List.copyOf(diagnostics), List.copyOf(context), List.copyOf(external),
                    unresolved, substitute, maxFileSize, List.copyOf(meshFiles),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(clusters)));
        }

        /** {@code maxFileSize: 64Mi} (or a number of bytes), between 1 KiB and 1 GiB; null when unset or wrong. */
        private Integer maxFileSize(JsonNode v) {
            if (v == null || v.isNull()) {
                return null;
            }
            java.util.Optional<Long> bytes = v.canConvertToLong() && v.isIntegralNumber() ? java.util.Optional.of(v.asLong())
                    : v.isTextual() ? ByteSize.parse(v.asText()) : java.util.Optional.empty();
            if (bytes.isEmpty() || bytes.get() < 1024 || bytes.get() > BoundedRead.LARGEST_MAX_FILE_BYTES) {
                error(FieldPath.of("maxFileSize"), "maxFileSize must be a size such as 64Mi, from 1Ki to 1Gi");
                return null;
            }
            return bytes.get().intValue();
        }

        private Workload workload(JsonNode node, FieldPath path) {
            if (!node.isObject()) {
                error(path, "a workload must be a mapping with name, namespace and labels");
                return null;
            }
            unknownKeys(node, path, WORKLOAD);
            String name = string(node, path, "name");
            String namespace = string(node, path, "namespace");
            String kind = string(node, path, "kind");
            String sa = string(node, path, "serviceAccount");
            boolean ok = true;
            if (name == null || name.isEmpty()) {
                error(path, "workload has no name");
                ok = false;
            }
            if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
                error(namespace == null ? path : path.key("namespace"), "workload needs a valid namespace");
                ok = false;
            }
            Map<String, String> labels = stringMap(node, path, "labels");
            if (labels.isEmpty()) {
                error(path.key(node.has("labels") ? "labels" : ""), "workload needs at least one label");
                ok = false;
            }
            Map<String, String> annotations = stringMap(node, path, "annotations");
            if (!ok) {
                return null;
            }
            kind = kind == null ? "Deployment" : kind;
            sa = sa == null ? "default" : sa;
            return new Workload(namespace, name, kind, labels, annotations, sa, synthesize(name, namespace, kind, labels,
                    annotations, sa, path));
        }

        /** A Deployment-shaped object standing for the workload; diagnostics about it point into meshcd.yaml. */
        private Resource synthesize(String name, String namespace, String kind, Map<String, String> labels,
                                    Map<String, String> annotations, String sa, FieldPath path) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode obj = f.objectNode();
            obj.put("apiVersion", "apps/v1");
            obj.put("kind", kind);
            ObjectNode meta = obj.putObject("metadata");
            meta.put("name", name);
            meta.put("namespace", namespace);
            ObjectNode template = obj.putObject("spec").putObject("template");
            ObjectNode tmeta = template.putObject("metadata");
            ObjectNode l = tmeta.putObject("labels");
            labels.forEach(l::put);
            ObjectNode a = tmeta.putObject("annotations");
            annotations.forEach(a::put);
            template.putObject("spec").put("serviceAccountName", sa);
            return new Resource("apps/v1", new ResourceKey("apps", kind, namespace, name), obj,
                    new DocumentOrigin(parsed, doc, path));
        }

        private Suppression suppression(JsonNode node, FieldPath path) {
            if (!node.isObject()) {
                error(path, "a suppression must be a mapping with code and optionally resource and file");
                return null;
            }
            unknownKeys(node, path, SUPPRESS);
            String code = string(node, path, "code");
            if (code == null) {
                error(path, "suppression has no code");
                return null;
            }
            if (!CODE.matcher(code).matches()) {
                error(path.key("code"), "suppression code \"" + code + "\" is not an IST or MCD code (e.g. IST0118) or *");
                return null;
            }
            if (code.equals("*") && !node.has("resource") && !node.has("file")) {
                error(path.key("code"), "suppressing every code needs a resource or file pattern");
                return null;
            }
            return new Suppression(code, string(node, path, "resource"), string(node, path, "file"),
                    string(node, path, "reason"));
        }

        private void unknownKeys(JsonNode node, FieldPath path, Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    error(path.key(k), "unknown field \"" + k + "\" in meshcd config; known: "
                            + String.join(", ", new java.util.TreeSet<>(known)));
                }
            }
        }

        private String string(JsonNode node, FieldPath path, String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                error(path.key(key), key + " must be a string");
                return null;
            }
            return v.asText();
        }

        private JsonNode list(JsonNode root, String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                return JsonNodeFactory.instance.arrayNode();
            }
            if (!v.isArray()) {
                error(FieldPath.of(key), key + " must be a list");
                return JsonNodeFactory.instance.arrayNode();
            }
            return v;
        }

        private Map<String, String> stringMap(JsonNode node, FieldPath path, String key) {
            JsonNode v = node.get(key);
            Map<String, String> out = new LinkedHashMap<>();
            if (v == null || v.isNull()) {
                return out;
            }
            if (!v.isObject()) {
                error(path.key(key), key + " must be a map of strings");
                return out;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error(path.key(key).key(e.getKey()), key + " values must be strings");
                } else {
                    out.put(e.getKey(), e.getValue().asText());
                }
            }
            return out;
        }

        private void error(FieldPath path, String message) {
            error(null, path, message);
        }

        private void error(Document d, FieldPath path, String message) {
            int index = d == null ? doc : d.index();
            FieldPath p = path.size() == 1 && "".equals(path.segment(0)) ? FieldPath.ROOT : path;
            if (!p.isRoot() && "".equals(p.segment(p.size() - 1))) {
                p = p.parent();
            }
            diagnostics.add(new Diagnostic(Severity.ERROR, Codes.CONFIG, message, null,
                    parsed.locate(index, p), p.toString()));
        }
    }
}
