package dev.meshcd.compiler.validate.schema;

import dev.meshcd.compiler.model.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The CustomResourceDefinitions meshcd validates against, loaded lazily and once.
 *
 * <p>Nothing happens when the catalog is created. The first lookup reads the bundle's text and indexes
 * its documents by group and kind with a cheap line scan; a CRD's YAML is parsed and its schemas
 * compiled only when a resource of that kind is first validated. All methods are thread-safe.
 */
public final class CrdCatalog {
    /** The classpath resource of Istio's CRD bundle (from {@code schemas/istio/} in the source tree). */
    public static final String ISTIO_RESOURCE = "schemas/istio/crd-all.gen.yaml";

    private static final Pattern GROUP = Pattern.compile("(?m)^  group: *[\"']?([^\"'\\s]+)[\"']? *$");
    private static final Pattern CRD_DOCUMENT = Pattern.compile("(?m)^kind: *CustomResourceDefinition *$");
    private static final Pattern KIND = Pattern.compile("(?m)^    kind: *[\"']?([^\"'\\s]+)[\"']? *$");

    /** The classpath resource of the Kubernetes Gateway API's CRD bundle (from {@code schemas/gateway-api/}). */
    public static final String GATEWAY_API_RESOURCE = "schemas/gateway-api/gateway-api-crd.yaml";

    private final List<Bundle> bundles;
    private final Map<Kind, Optional<Crd>> parsed = new ConcurrentHashMap<>();

    /** One bundle of CRDs, read and indexed on the first lookup of a kind of its groups. */
    private static final class Bundle {
        private final Predicate<String> groups;
        private final Supplier<String> source;
        private volatile Map<Kind, String> index;

        Bundle(Predicate<String> groups, Supplier<String> source) {
            this.groups = groups;
            this.source = source;
        }

        Map<Kind, String> index() {
            Map<Kind, String> i = index;
            if (i == null) {
                synchronized (this) {
                    i = index;
                    if (i == null) {
                        i = buildIndex(source.get());
                        index = i;
                    }
                }
            }
            return i;
        }
    }

    /** One served (or not) version of a CRD and its compiled schema. */
    public static final class Version {
        private final String name;
        private final boolean served;
        private final boolean storage;
        private final boolean deprecated;
        private final Supplier<SchemaNode> source;
        private volatile SchemaNode schema;

        Version(String name, boolean served, boolean storage, boolean deprecated, Supplier<SchemaNode> source) {
            this.name = name;
            this.served = served;
            this.storage = storage;
            this.deprecated = deprecated;
            this.source = source;
        }

        public String name() {
            return name;
        }

        public boolean served() {
            return served;
        }

        public boolean storage() {
            return storage;
        }

        public boolean deprecated() {
            return deprecated;
        }

        /** The compiled openAPIV3Schema; parsed and compiled on first use. */
        public SchemaNode schema() {
            SchemaNode s = schema;
            if (s == null) {
                synchronized (this) {
                    s = schema;
                    if (s == null) {
                        s = source.get();
                        schema = s;
                    }
                }
            }
            return s;
        }
    }

    /** A CRD: its kind, scope and versions by name. */
    public record Crd(Kind kind, boolean namespaced, Map<String, Version> versions) {
        public Optional<Version> version(String name) {
            return Optional.ofNullable(versions.get(name));
        }
    }

    private CrdCatalog(List<Bundle> bundles) {
        this.bundles = List.copyOf(bundles);
    }

    /** Istio's CRDs from the classpath (one shared instance). */
    public static CrdCatalog istio() {
        return IstioHolder.INSTANCE;
    }

    /** The Gateway API's CRDs from the classpath (one shared instance). */
    public static CrdCatalog gatewayApi() {
        return GatewayApiHolder.INSTANCE;
    }

    /**
     * Every CRD meshcd validates against: Istio's and the Gateway API's. Each bundle is read only when a kind of
     * its groups is first looked up, so a repository without Gateway API resources never reads that bundle.
     */
    public static CrdCatalog standard() {
        return StandardHolder.INSTANCE;
    }

    private static final class IstioHolder {
        static final CrdCatalog INSTANCE = fromClasspath(ISTIO_RESOURCE);
    }

    private static final class GatewayApiHolder {
        static final CrdCatalog INSTANCE = fromClasspath(GATEWAY_API_RESOURCE);
    }

    private static final class StandardHolder {
        static final CrdCatalog INSTANCE = new CrdCatalog(List.of(
                new Bundle(g -> g.endsWith(".istio.io"), classpathText(ISTIO_RESOURCE)),
                new Bundle(g -> g.equals(Kind.GATEWAY_API) || g.equals(Kind.GATEWAY_API_EXPERIMENTAL),
                        classpathText(GATEWAY_API_RESOURCE))));
    }

    public static CrdCatalog fromClasspath(String resource) {
        return new CrdCatalog(List.of(new Bundle(g -> true, classpathText(resource))));
    }

    private static Supplier<String> classpathText(String resource) {
        return () -> {
            try (InputStream in = CrdCatalog.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("classpath resource " + resource + " is missing");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** A catalog over YAML text holding one or more CRDs (tests, other bundles). */
    public static CrdCatalog fromYaml(String yaml) {
        return new CrdCatalog(List.of(new Bundle(g -> true, () -> yaml)));
    }

    /** The compiled schema of one version, or null when the catalog has no such kind or version. */
    public SchemaNode schema(String group, String kind, String version) {
        Crd crd = crd(new Kind(group, kind)).orElse(null);
        if (crd == null) {
            return null;
        }
        Version v = crd.versions.get(version);
        return v == null ? null : v.schema();
    }

    public Optional<Crd> crd(Kind kind) {
        Optional<Crd> c = parsed.get(kind);
        if (c != null) {
            return c;
        }
        return parsed.computeIfAbsent(kind, k -> {
            String doc = indexFor(k).get(k);
            if (doc == null) {
                return Optional.empty();
            }
            Crd quick = splitVersions(k, doc);
            return Optional.of(quick != null ? quick : parse(doc));
        });
    }

    /** Whether the catalog has a CRD for this kind (reads the index, parses nothing). */
    public boolean has(Kind kind) {
        return indexFor(kind).containsKey(kind);
    }

    /** Whether any bundle has been read yet (each is read on its first lookup, never at construction). */
    public boolean loaded() {
        return bundles.stream().anyMatch(b -> b.index != null);
    }

    /** How many CRDs have been parsed so far. */
    public int parsedCount() {
        return (int) parsed.values().stream().filter(Optional::isPresent).count();
    }

    /** Every CRD, parsed (for tests and tooling; validation never needs all of them). */
    public Collection<Crd> all() {
        List<Crd> out = new ArrayList<>();
        for (Bundle b : bundles) {
            for (Kind k : b.index().keySet()) {
                if (b.groups.test(k.group())) {
                    crd(k).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** The index of the bundle that holds the kind's group (empty when none does). */
    private Map<Kind, String> indexFor(Kind kind) {
        for (Bundle b : bundles) {
            if (b.groups.test(kind.group())) {
                return b.index();
            }
        }
        return Map.of();
    }

    private static Map<Kind, String> buildIndex(String text) {
        Map<Kind, String> out = new LinkedHashMap<>();
        for (String doc : text.split("(?m)^---[ \\t]*$")) {
            if (!CRD_DOCUMENT.matcher(doc).find()) { // the Gateway API bundle also holds admission policies
                continue;
            }
            Matcher g = GROUP.matcher(doc);
            Matcher k = KIND.matcher(doc);
            if (g.find() && k.find()) {
                out.put(new Kind(g.group(1), k.group(1)), doc);
            } else {
                // Not in the generated layout: parse it to find out what it is.
                Crd crd = parse(doc);
                if (crd != null) {
                    out.put(crd.kind(), doc);
                }
            }
        }
        return Map.copyOf(out);
    }

    private static final Pattern VERSIONS = Pattern.compile("(?m)^  versions:[ \\t]*$");
    private static final Pattern VERSION_ITEM = Pattern.compile("(?m)^  - ");
    private static final Pattern SCOPE = Pattern.compile("(?m)^  scope: *(\\S+)\\s*$");

    /**
     * Splits a CRD in the generated layout into its versions by text, so that only the version a
     * resource uses is parsed (Istio's networking CRDs carry three large copies of one schema).
     * Returns null when the layout is not the expected one; the caller then parses the whole document.
     */
    private static Crd splitVersions(Kind kind, String doc) {
        Matcher vm = VERSIONS.matcher(doc);
        if (!vm.find()) {
            return null;
        }
        String rest = doc.substring(vm.end());
        // the versions list runs to the next key at the indentation of "versions:" (or the end)
        Matcher next = Pattern.compile("(?m)^  [^ -]").matcher(rest);
        String list = next.find() ? rest.substring(0, next.start()) : rest;
        Matcher item = VERSION_ITEM.matcher(list);
        List<Integer> starts = new ArrayList<>();
        while (item.find()) {
            starts.add(item.start());
        }
        if (starts.isEmpty()) {
            return null;
        }
        Map<String, Version> versions = new LinkedHashMap<>();
        for (int i = 0; i < starts.size(); i++) {
            String chunk = list.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : list.length());
            String name = field(chunk, "name");
            String served = field(chunk, "served");
            if (name == null || served == null) {
                return null;
            }
            versions.put(name, new Version(name, "true".equals(served), "true".equals(field(chunk, "storage")),
                    "true".equals(field(chunk, "deprecated")), () -> parseVersion(chunk)));
        }
        Matcher scope = SCOPE.matcher(doc);
        boolean namespaced = !(scope.find() && scope.group(1).equals("Cluster"));
        return new Crd(kind, namespaced, Map.copyOf(versions));
    }

    /** A top-level field of one versions[] item ("  - name: v1" or "    name: v1"). */
    private static String field(String chunk, String name) {
        Matcher m = Pattern.compile("(?m)^(?:  - |    )" + name + ": *[\"']?([^\"'\\s]+)[\"']? *$").matcher(chunk);
        return m.find() ? m.group(1) : null;
    }

    @SuppressWarnings("unchecked")
    private static SchemaNode parseVersion(String chunk) {
        Object loaded = new Load(LoadSettings.builder().setCodePointLimit(Math.max(chunk.length() * 2, 1024)).build())
                .loadFromString(chunk);
        if (loaded instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> v
                && v.get("schema") instanceof Map<?, ?> s && s.get("openAPIV3Schema") instanceof Map<?, ?> oas) {
            return SchemaNode.compile((Map<String, Object>) oas);
        }
        return SchemaNode.compile(Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Crd parse(String doc) {
        Object loaded = new Load(LoadSettings.builder().setCodePointLimit(Math.max(doc.length() * 2, 1024)).build())
                .loadFromString(doc);
        if (!(loaded instanceof Map<?, ?> root) || !(root.get("spec") instanceof Map<?, ?> spec)) {
            return null;
        }
        String group = String.valueOf(spec.get("group"));
        Map<String, Object> names = spec.get("names") instanceof Map<?, ?> n ? (Map<String, Object>) n : Map.of();
        Kind kind = new Kind(group, String.valueOf(names.get("kind")));
        boolean namespaced = !"Cluster".equals(spec.get("scope"));
        Map<String, Version> versions = new LinkedHashMap<>();
        if (spec.get("versions") instanceof List<?> vs) {
            for (Object o : vs) {
                if (!(o instanceof Map<?, ?> v)) {
                    continue;
                }
                Map<String, Object> schema = Map.of();
                if (v.get("schema") instanceof Map<?, ?> s && s.get("openAPIV3Schema") instanceof Map<?, ?> oas) {
                    schema = (Map<String, Object>) oas;
                }
                String name = String.valueOf(v.get("name"));
                SchemaNode compiled = SchemaNode.compile(schema);
                versions.put(name, new Version(name, Boolean.TRUE.equals(v.get("served")),
                        Boolean.TRUE.equals(v.get("storage")), Boolean.TRUE.equals(v.get("deprecated")),
                        () -> compiled));
            }
        }
        return new Crd(kind, namespaced, Map.copyOf(versions));
    }
}
