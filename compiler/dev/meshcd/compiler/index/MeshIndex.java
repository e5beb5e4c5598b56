package dev.meshcd.compiler.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A read-only view of one snapshot of the mesh, built once and shared by analyzers, lowering,
 * translation and admission: resources by kind and key, services by host, workloads by namespace.
 */
public final class MeshIndex {
    public static final String DEFAULT_DOMAIN_SUFFIX = "cluster.local";
    public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

    /** The multimaps of an index; every entry is extracted from one resource (see {@code basics} and {@code derived}). */
    private enum Table {
        KIND, NAMESPACE, ANNOTATION, SERVICE, HOST_SUFFIX, WORKLOAD, WORKLOAD_LABEL, WORKLOAD_LABEL_ALL, VS_HOST, VS_DESTINATION, DR_HOST
    }

    private interface Sink {
        void put(Table table, Object key, Object value);
    }

    /** Annotations whose carriers {@link #withAnnotation} finds without a scan: the analysis suppressions. */
    public static final String ISTIO_SUPPRESS_ANNOTATION = "galley.istio.io/analyze-suppress";
    public static final String MESHCD_SUPPRESS_ANNOTATION = "meshcd.dev/suppress";
    public static final List<String> INDEXED_ANNOTATIONS = List.of(ISTIO_SUPPRESS_ANNOTATION, MESHCD_SUPPRESS_ANNOTATION);

    private static final List<Kind> WORKLOAD_KINDS = Workloads.KINDS;

    private final String domainSuffix;
    private final String rootNamespace;
    /** The fully built index this one derives from (itself for a built index). */
    private final MeshIndex root;
    /** Root only: every resource by key, in load order. */
    private final Map<ResourceKey, Resource> byKey;
    /** Derived only: resources replaced or added relative to the root, and those removed. */
    private final Map<ResourceKey, Resource> changes;
    private final Set<ResourceKey> removed;
    /** Workloads declared in meshcd's config: no resource owns them, no change replaces them. */
    private final Set<Workload> external;
    private final EnumMap<Table, Buckets<Object, Object>> tables;
    private volatile List<Resource> allCache;
    private volatile Set<String> namespaceCache;

    private MeshIndex(String domainSuffix, String rootNamespace, MeshIndex root, Map<ResourceKey, Resource> byKey,
                      Map<ResourceKey, Resource> changes, Set<ResourceKey> removed, Set<Workload> external,
                      EnumMap<Table, Buckets<Object, Object>> tables) {
        this.domainSuffix = domainSuffix;
        this.rootNamespace = rootNamespace;
        this.root = root == null ? this : root;
        this.byKey = byKey;
        this.changes = changes;
        this.removed = removed;
        this.external = external;
        this.tables = tables;
    }

    public static MeshIndex build(List<Resource> resources) {
        return build(resources, List.of(), DEFAULT_DOMAIN_SUFFIX, DEFAULT_ROOT_NAMESPACE);
    }

    /**
     * @param resources the snapshot (from the repo, or the live cluster)
     * @param external  workloads declared in meshcd's config as living outside the repo
     */
    public static MeshIndex build(List<Resource> resources, List<Workload> external, String domainSuffix,
                                  String rootNamespace) {
        EnumMap<Table, Map<Object, List<Object>>> maps = new EnumMap<>(Table.class);
        for (Table t : Table.values()) {
            maps.put(t, new HashMap<>());
        }
        Sink sink = (t, k, v) -> maps.get(t).computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        Map<ResourceKey, Resource> byKey = new LinkedHashMap<>(resources.size() * 2);
        Map<Kind, List<Resource>> byKind = new HashMap<>();
        for (Resource r : resources) {
            byKey.put(r.key(), r);
            byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
            basics(r, sink);
        }
        // Derived entries kind by kind (Services before ServiceEntries, workloads by kind), as istiod lists them.
        List<Kind> order = new ArrayList<>(List.of(Kind.SERVICE, Kind.SERVICE_ENTRY));
        order.addAll(WORKLOAD_KINDS);
        Set<Workload> externals = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Function<ResourceKey, Optional<Resource>> lookup = k -> Optional.ofNullable(byKey.get(k));
        for (Kind k : order) {
            for (Resource r : byKind.getOrDefault(k, List.of())) {
                derived(r, sink, domainSuffix, lookup);
            }
        }
        for (Workload w : external) {
            externals.add(w);
            addWorkload(w, sink);
            sink.put(Table.NAMESPACE, w.namespace(), w);
        }
        for (Kind k : List.of(Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE)) {
            for (Resource r : byKind.getOrDefault(k, List.of())) {
                derived(r, sink, domainSuffix, lookup);
            }
        }
        EnumMap<Table, Buckets<Object, Object>> tables = new EnumMap<>(Table.class);
        maps.forEach((t, m) -> tables.put(t, Buckets.of(m)));
        return new MeshIndex(domainSuffix, rootNamespace, null, byKey, null, Set.of(), externals, tables);
    }

    /** Entries every resource has: its kind and namespace. */
    private static void basics(Resource r, Sink sink) {
        sink.put(Table.KIND, r.kind(), r);
        if (!r.namespace().isEmpty()) {
            sink.put(Table.NAMESPACE, r.namespace(), r);
        }
        if (r.is(Kind.NAMESPACE)) {
            sink.put(Table.NAMESPACE, r.name(), r);
        }
        for (String a : INDEXED_ANNOTATIONS) {
            if (r.annotation(a) != null) {
                sink.put(Table.ANNOTATION, a, r);
            }
        }
    }

    /**
     * Entries that depend on what the resource is: services, workloads, routed hosts. {@code lookup} finds the
     * other resources an entry reads (a Rollout's {@code workloadRef} Deployment) in the same snapshot.
     */
    private static void derived(Resource r, Sink sink, String domainSuffix,
                                Function<ResourceKey, Optional<Resource>> lookup) {
        if (r.is(Kind.SERVICE)) {
            addService(kubernetesService(r, domainSuffix), sink);
        } else if (r.is(Kind.SERVICE_ENTRY)) {
            serviceEntryHosts(r).forEach(s -> addService(s, sink));
        } else if (Workloads.isWorkload(r)) {
            Workloads.of(r, lookup).forEach(w -> addWorkload(w, sink));
        } else if (r.is(Kind.VIRTUAL_SERVICE)) {
            Set<String> seen = new java.util.HashSet<>();
            for (JsonNode h : r.spec().path("hosts")) {
                String fqdn = Hosts.resolve(h.asText(), r.namespace(), domainSuffix);
                if (!fqdn.isEmpty() && seen.add(fqdn)) {
                    sink.put(Table.VS_HOST, fqdn, r);
                }
            }
            Set<String> routed = new java.util.HashSet<>();
            for (String host : destinationHosts(r)) {
                String fqdn = Hosts.resolve(host, r.namespace(), domainSuffix);
                if (!fqdn.isEmpty() && routed.add(fqdn)) {
                    sink.put(Table.VS_DESTINATION, fqdn, r);
                }
            }
        } else if (r.is(Kind.DESTINATION_RULE)) {
            String fqdn = Hosts.resolve(r.spec().path("host").asText(""), r.namespace(), domainSuffix);
            if (!fqdn.isEmpty()) {
                sink.put(Table.DR_HOST, fqdn, r);
            }
        }
    }

    private static void addService(MeshService s, Sink sink) {
        sink.put(Table.SERVICE, s.host(), s);
        String h = Hosts.isWildcard(s.host()) ? s.host().substring(1) : s.host();
        for (int dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
            sink.put(Table.HOST_SUFFIX, h.substring(dot), s);
        }
    }

    private static void addWorkload(Workload w, Sink sink) {
        sink.put(Table.WORKLOAD, w.namespace(), w);
        for (Map.Entry<String, String> e : w.labels().entrySet()) {
            String kv = e.getKey() + "=" + e.getValue();
            sink.put(Table.WORKLOAD_LABEL, w.namespace() + "\u0000" + kv, w);
            sink.put(Table.WORKLOAD_LABEL_ALL, kv, w);
        }
    }

    /**
     * This snapshot with some resources added or replaced ({@code upserts}, by key) and some removed: the
     * same answers as building the changed snapshot from scratch, at the cost of the index entries the
     * changed resources touch (admission checks one incoming object against the live snapshot this way;
     * a recompile, the files that changed). Changes accumulate on the fully built root, so deriving from
     * a derived index does not chain. A replaced resource keeps its place in every list; added ones come
     * last.
     */
    public MeshIndex withChanges(java.util.Collection<Resource> upserts, java.util.Collection<ResourceKey> removals) {
        Map<ResourceKey, Resource> next = new HashMap<>();
        if (changes != null) {
            next.putAll(changes);
            removed.forEach(k -> next.put(k, null));
        }
        for (ResourceKey k : removals) {
            if (root.byKey.containsKey(k)) {
                next.put(k, null);
            } else {
                next.remove(k);
            }
        }
        for (Resource r : upserts) {
            next.put(r.key(), r);
        }
        return root.derive(next);
    }

    /** How many resources the snapshot has. */
    public int size() {
        if (changes == null) {
            return byKey.size();
        }
        int added = 0;
        for (ResourceKey k : changes.keySet()) {
            if (!root.byKey.containsKey(k)) {
                added++;
            }
        }
        return root.byKey.size() - removed.size() + added;
    }

    /** How many resources differ from the fully built index this one derives from (0 for a built index). */
    public int changeCount() {
        return changes == null ? 0 : changes.size() + removed.size();
    }

    private MeshIndex derive(Map<ResourceKey, Resource> next) {
        Set<Object> owners = new java.util.HashSet<>(next.keySet());
        EnumMap<Table, Map<Object, LinkedHashMap<Object, List<Object>>>> fresh = new EnumMap<>(Table.class);
        EnumMap<Table, Set<Object>> stale = new EnumMap<>(Table.class);
        for (Table t : Table.values()) {
            fresh.put(t, new HashMap<>());
            stale.put(t, new java.util.HashSet<>());
        }
        Sink old = (t, k, v) -> stale.get(t).add(k);
        Sink now = (t, k, v) -> fresh.get(t).computeIfAbsent(k, x -> new LinkedHashMap<>())
                .computeIfAbsent(owner(v), x -> new ArrayList<>()).add(v);
        Function<ResourceKey, Optional<Resource>> oldLookup = k -> Optional.ofNullable(byKey.get(k));
        Function<ResourceKey, Optional<Resource>> newLookup = k -> next.containsKey(k)
                ? Optional.ofNullable(next.get(k)) : Optional.ofNullable(byKey.get(k));
        for (Map.Entry<ResourceKey, Resource> e : next.entrySet()) {
            Resource before = byKey.get(e.getKey());
            if (before != null) {
                basics(before, old);
                derived(before, old, domainSuffix, oldLookup);
            }
            if (e.getValue() != null) {
                basics(e.getValue(), now);
                derived(e.getValue(), now, domainSuffix, newLookup);
            }
        }
        // Rollouts that did not change but read a Deployment that did: their workloads follow the Deployment.
        for (Resource rollout : rolloutsReading(next)) {
            derived(rollout, old, domainSuffix, oldLookup);
            derived(rollout, now, domainSuffix, newLookup);
            owners.add(rollout.key());
        }
        EnumMap<Table, Buckets<Object, Object>> derivedTables = new EnumMap<>(Table.class);
        for (Table t : Table.values()) {
            derivedTables.put(t, tables.get(t).derive(owners, fresh.get(t), stale.get(t), this::owner));
        }
        Map<ResourceKey, Resource> present = new HashMap<>();
        Set<ResourceKey> gone = new java.util.HashSet<>();
        next.forEach((k, v) -> {
            if (v == null) {
                gone.add(k);
            } else {
                present.put(k, v);
            }
        });
        return new MeshIndex(domainSuffix, rootNamespace, this, null, Map.copyOf(present), Set.copyOf(gone), external,
                derivedTables);
    }

    /** Unchanged Rollouts (of this root index) whose {@code workloadRef} names a Deployment in {@code changes}. */
    private List<Resource> rolloutsReading(Map<ResourceKey, Resource> changes) {
        List<Resource> out = new ArrayList<>();
        boolean anyDeployment = changes.keySet().stream().anyMatch(k -> Kind.of(k).equals(Kind.DEPLOYMENT));
        if (!anyDeployment) {
            return out;
        }
        for (Resource r : this.<Resource>bucket(Table.KIND, Kind.ROLLOUT)) {
            if (!changes.containsKey(r.key()) && Workloads.referencedDeployment(r).filter(changes::containsKey).isPresent()) {
                out.add(r);
            }
        }
        return out;
    }

    /** The resource an index entry was extracted from, or null for workloads from meshcd's config. */
    private Object owner(Object v) {
        if (v instanceof Resource r) {
            return r.key();
        }
        if (v instanceof MeshService s) {
            return s.resource().key();
        }
        if (v instanceof Workload w) {
            return external.contains(w) ? null : w.resource().key();
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private <V> List<V> bucket(Table t, Object key) {
        return (List<V>) (List<?>) tables.get(t).get(key);
    }

    public String domainSuffix() {
        return domainSuffix;
    }

    public String rootNamespace() {
        return rootNamespace;
    }

    /** Resolves a host written in a resource of {@code namespace} to the FQDN istiod would use. */
    public String resolveHost(String host, String namespace) {
        return Hosts.resolve(host, namespace, domainSuffix);
    }

    /** Every resource of the snapshot, in load order (added ones last in a derived index). */
    public java.util.Collection<Resource> all() {
        if (changes == null) {
            return Collections.unmodifiableCollection(byKey.values());
        }
        List<Resource> out = allCache;
        if (out == null) {
            out = new ArrayList<>(root.byKey.size() + changes.size());
            for (Resource r : root.byKey.values()) {
                Resource now = changes.getOrDefault(r.key(), r);
                if (!removed.contains(r.key())) {
                    out.add(now);
                }
            }
            for (Resource r : changes.values()) {
                if (!root.byKey.containsKey(r.key())) {
                    out.add(r);
                }
            }
            allCache = out = Collections.unmodifiableList(out);
        }
        return out;
    }

    /** Resources carrying one of the {@link #INDEXED_ANNOTATIONS}. */
    public List<Resource> withAnnotation(String annotation) {
        if (!INDEXED_ANNOTATIONS.contains(annotation)) {
            throw new IllegalArgumentException("not an indexed annotation: " + annotation);
        }
        return bucket(Table.ANNOTATION, annotation);
    }

    public List<Resource> ofKind(Kind kind) {
        return bucket(Table.KIND, kind);
    }

    public Optional<Resource> get(ResourceKey key) {
        if (changes == null) {
            return Optional.ofNullable(byKey.get(key));
        }
        Resource changed = changes.get(key);
        if (changed != null) {
            return Optional.of(changed);
        }
        return removed.contains(key) ? Optional.empty() : Optional.ofNullable(root.byKey.get(key));
    }

    public Set<String> namespaces() {
        Set<String> out = namespaceCache;
        if (out == null) {
            Set<String> s = new TreeSet<>();
            for (Object k : tables.get(Table.NAMESPACE).keys()) {
                s.add((String) k);
            }
            namespaceCache = out = Collections.unmodifiableSet(s);
        }
        return out;
    }

    /** Services and ServiceEntry hosts registered under exactly this host. */
    public List<MeshService> servicesForHost(String fqdn) {
        return bucket(Table.SERVICE, fqdn);
    }

    /** Every registered host a (possibly wildcard) host pattern covers. Linear in the hosts for wildcards. */
    public List<MeshService> servicesMatching(String hostPattern) {
        if (!Hosts.isWildcard(hostPattern)) {
            return servicesForHost(hostPattern);
        }
        if (!anyServiceMatching(hostPattern)) {
            return Collections.emptyList();
        }
        List<MeshService> out = new ArrayList<>();
        tables.get(Table.SERVICE).forEach((host, services) -> {
            if (Hosts.covers(hostPattern, (String) host)) {
                services.forEach(s -> out.add((MeshService) s));
            }
        });
        return out;
    }

    /** True when some Service or ServiceEntry host is covered by the (possibly wildcard) pattern. O(1). */
    public boolean anyServiceMatching(String hostPattern) {
        Buckets<Object, Object> services = tables.get(Table.SERVICE);
        if (hostPattern.equals("*")) {
            return !services.isEmpty();
        }
        if (services.has(hostPattern)) {
            return true;
        }
        if (Hosts.isWildcard(hostPattern)) {
            return tables.get(Table.HOST_SUFFIX).has(hostPattern.substring(1));
        }
        // a concrete host covered by a wildcard ServiceEntry host: try "*.b.c", "*.c" for "a.b.c"
        return wildcardServiceFor(hostPattern) != null;
    }

    /** The most specific wildcard Service(Entry) host covering a concrete host, or null. */
    public String wildcardServiceFor(String host) {
        Buckets<Object, Object> services = tables.get(Table.SERVICE);
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            String w = "*" + host.substring(dot);
            if (services.has(w)) {
                return w;
            }
        }
        return services.has("*") ? "*" : null;
    }
    /**
     * The services a workload in {@code fromNamespace} can reach under this host: exact matches first,
     * else the most specific wildcard ServiceEntry host, filtered by exportTo.
     */
    public List<MeshService> servicesVisible(String fqdn, String fromNamespace) {
        List<MeshService> exact = servicesForHost(fqdn);
        if (exact.isEmpty() && !Hosts.isWildcard(fqdn)) {
            String w = wildcardServiceFor(fqdn);
            exact = w == null ? exact : servicesForHost(w);
        }
        List<MeshService> out = new ArrayList<>(exact.size());
        for (MeshService s : exact) {
            if (s.visibleFrom(fromNamespace)) {
                out.add(s);
            }
        }
        return out;
    }

    /** VirtualServices listing this host (resolved in their namespace) in spec.hosts. */
    public List<Resource> virtualServicesForHost(String fqdn) {
        return bucket(Table.VS_HOST, fqdn);
    }

    /** VirtualServices with a route or mirror destination whose host resolves to exactly this host. */
    public List<Resource> virtualServicesRoutingTo(String fqdn) {
        return bucket(Table.VS_DESTINATION, fqdn);
    }

    /** The destination hosts (routes and mirrors of http, tcp and tls rules) as written. */
    private static List<String> destinationHosts(Resource vs) {
        List<String> out = new ArrayList<>();
        for (String section : new String[] {"http", "tcp", "tls"}) {
            for (JsonNode rule : vs.spec().path(section)) {
                for (JsonNode route : rule.path("route")) {
                    out.add(route.path("destination").path("host").asText(""));
                }
                out.add(rule.path("mirror").path("host").asText(""));
                for (JsonNode mirror : rule.path("mirrors")) {
                    out.add(mirror.path("destination").path("host").asText(""));
                }
            }
        }
        out.removeIf(String::isEmpty);
        return out;
    }

    /** DestinationRules whose spec.host resolves to exactly this host. */
    public List<Resource> destinationRulesForHost(String fqdn) {
        return bucket(Table.DR_HOST, fqdn);
    }

    /**
     * DestinationRules that apply to traffic for {@code fqdn} from {@code fromNamespace}, as istiod picks them:
     * those for the exact host, else for the most specific wildcard host covering it; of those, one in
     * the caller's namespace wins over exported ones (including the root namespace's).
     */
    public List<Resource> destinationRulesFor(String fqdn, String fromNamespace) {
        List<Resource> candidates = destinationRulesForHost(fqdn);
        if (candidates.isEmpty() && !Hosts.isWildcard(fqdn)) {
            for (int dot = fqdn.indexOf('.'); dot >= 0 && candidates.isEmpty(); dot = fqdn.indexOf('.', dot + 1)) {
                candidates = destinationRulesForHost("*" + fqdn.substring(dot));
            }
            if (candidates.isEmpty()) {
                candidates = destinationRulesForHost("*");
            }
        }
        List<Resource> local = new ArrayList<>();
        List<Resource> exported = new ArrayList<>();
        for (Resource dr : candidates) {
            if (dr.namespace().equals(fromNamespace)) {
                local.add(dr);
            } else if (exportedTo(dr, fromNamespace)) {
                exported.add(dr);
            }
        }
        return local.isEmpty() ? exported : local;
    }

    /**
     * Whether an Istio config resource (VirtualService, DestinationRule, ServiceEntry, Sidecar...) is
     * visible in {@code namespace} by its spec.exportTo: unset or "*" means everywhere, "." its own namespace.
     */
    public static boolean exportedTo(Resource r, String namespace) {
        JsonNode exportTo = r.spec().path("exportTo");
        if (!exportTo.isArray() || exportTo.isEmpty()) {
            return true;
        }
        for (JsonNode e : exportTo) {
            String v = e.asText();
            if (v.equals("*") || v.equals(namespace) || (v.equals(".") && r.namespace().equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    public Set<String> hosts() {
        return (Set<String>) (Set<?>) tables.get(Table.SERVICE).keys();
    }

    public List<Workload> workloadsIn(String namespace) {
        return bucket(Table.WORKLOAD, namespace);
    }

    public List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        tables.get(Table.WORKLOAD).forEach((ns, ws) -> ws.forEach(w -> all.add((Workload) w)));
        return all;
    }

    /**
     * Workloads in {@code namespace} (or in any namespace when it is the root namespace) matching the selector.
     * Uses the label index: cost is the size of the smallest candidate list, not of the namespace.
     */
    public List<Workload> workloadsMatching(String namespace, Map<String, String> selector) {
        return namespace.equals(rootNamespace) ? workloadsMatchingAnywhere(selector) : workloadsMatchingIn(namespace, selector);
    }

    /** Workloads in any namespace matching the selector (an empty selector matches every workload). */
    public List<Workload> workloadsMatchingAnywhere(Map<String, String> selector) {
        return select(null, Table.WORKLOAD_LABEL_ALL, "", selector);
    }

    /** Workloads of exactly this namespace matching the selector. */
    public List<Workload> workloadsMatchingIn(String namespace, Map<String, String> selector) {
        return select(workloadsIn(namespace), Table.WORKLOAD_LABEL, namespace + "\u0000", selector);
    }

    private List<Workload> select(List<Workload> all, Table byLabel, String prefix, Map<String, String> selector) {
        List<Workload> candidates = null;
        if (selector == null || selector.isEmpty()) {
            candidates = all == null ? workloads() : all;
        } else {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                List<Workload> c = bucket(byLabel, prefix + e.getKey() + "=" + e.getValue());
                if (candidates == null || c.size() < candidates.size()) {
                    candidates = c;
                }
            }
        }
        List<Workload> out = new ArrayList<>();
        for (Workload w : candidates) {
            if (w.matches(selector)) {
                out.add(w);
            }
        }
        return out;
    }

    // ---- extraction ----

    static MeshService kubernetesService(Resource r, String domainSuffix) {
        JsonNode spec = r.spec();
        List<ServicePort> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            String name = p.path("name").asText("");
            String target = p.path("targetPort").isMissingNode() ? "" : p.path("targetPort").asText();
            ports.add(new ServicePort(name, p.path("port").asInt(),
                    Protocols.of(name, p.path("appProtocol").asText(""), p.path("protocol").asText("TCP")), target));
        }
        String host = r.name() + "." + r.namespace() + ".svc." + domainSuffix;
        Set<String> exportTo = new LinkedHashSet<>();
        String export = r.annotation("networking.istio.io/exportTo");
        if (export != null) {
            for (String e : export.split(",")) {
                if (!e.isBlank()) {
                    exportTo.add(e.trim());
                }
            }
        }
        Map<String, String> selector = stringMap(spec.path("selector"));
        return new MeshService(host, r.namespace(), List.copyOf(ports), selector, exportTo, r, false);
    }

    static List<MeshService> serviceEntryHosts(Resource r) {
        JsonNode spec = r.spec();
        List<ServicePort> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            ports.add(new ServicePort(p.path("name").asText(""), p.path("number").asInt(),
                    p.path("protocol").asText("UNKNOWN").toUpperCase(java.util.Locale.ROOT),
                    p.path("targetPort").asText("")));
        }
        Set<String> exportTo = new LinkedHashSet<>();
        spec.path("exportTo").forEach(e -> exportTo.add(e.asText()));
        Map<String, String> selector = stringMap(spec.path("workloadSelector").path("labels"));
        List<MeshService> out = new ArrayList<>();
        for (JsonNode h : spec.path("hosts")) {
            out.add(new MeshService(h.asText().toLowerCase(java.util.Locale.ROOT), r.namespace(), List.copyOf(ports),
                    selector, exportTo, r, true));
        }
        return out;
    }

    /**
     * The workload a resource of a workload kind stands for, read on its own (a Rollout's {@code workloadRef} is not
     * followed: see {@link Workloads#of} with this index's {@link #get} for that).
     */
    public static Workload workload(Resource r) {
        return Workloads.of(r, k -> Optional.empty()).get(0);
    }

    public static Map<String, String> stringMap(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
