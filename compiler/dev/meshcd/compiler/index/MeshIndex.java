package dev.meshcd.compiler.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read-only view of one snapshot of the mesh, built once and shared by analyzers, lowering,
 * translation and admission: resources by kind and key, services by host, workloads by namespace.
 */
public final class MeshIndex {
    public static final String DEFAULT_DOMAIN_SUFFIX = "cluster.local";
    public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

    private final String domainSuffix;
    private final String rootNamespace;
    private final Map<ResourceKey, Resource> byKey = new LinkedHashMap<>();
    private final Map<Kind, List<Resource>> byKind = new HashMap<>();
    private final Map<String, List<MeshService>> servicesByHost = new HashMap<>();
    private final Map<String, List<Workload>> workloadsByNamespace = new HashMap<>();
    private final Set<String> namespaces = new TreeSet<>();
    /** Workloads by one "key=value" pod label, per namespace and mesh-wide: selector lookups touch only candidates. */
    private final Map<String, Map<String, List<Workload>>> workloadsByLabel = new HashMap<>();
    private final Map<String, List<Workload>> workloadsByLabelAll = new HashMap<>();
    /** ".b.c" and ".c" for host "a.b.c" (wildcards stripped): answers "does *.b.c cover any host" in O(1). */
    private final Set<String> hostSuffixes = new java.util.HashSet<>();
    private final Map<String, List<Resource>> virtualServicesByHost = new HashMap<>();
    private final Map<String, List<Resource>> destinationRulesByHost = new HashMap<>();

    private MeshIndex(String domainSuffix, String rootNamespace) {
        this.domainSuffix = domainSuffix;
        this.rootNamespace = rootNamespace;
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
        MeshIndex index = new MeshIndex(domainSuffix, rootNamespace);
        for (Resource r : resources) {
            index.byKey.put(r.key(), r);
            index.byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r);
            if (!r.namespace().isEmpty()) {
                index.namespaces.add(r.namespace());
            }
            if (r.is(Kind.NAMESPACE)) {
                index.namespaces.add(r.name());
            }
        }
        for (Resource r : index.ofKind(Kind.SERVICE)) {
            index.addService(kubernetesService(r, domainSuffix));
        }
        for (Resource r : index.ofKind(Kind.SERVICE_ENTRY)) {
            for (MeshService s : serviceEntryHosts(r)) {
                index.addService(s);
            }
        }
        for (Kind k : List.of(Kind.POD, Kind.DEPLOYMENT, Kind.STATEFUL_SET, Kind.DAEMON_SET, Kind.REPLICA_SET,
                Kind.JOB, Kind.CRON_JOB)) {
            for (Resource r : index.ofKind(k)) {
                index.addWorkload(workload(r));
            }
        }
        for (Workload w : external) {
            index.addWorkload(w);
            index.namespaces.add(w.namespace());
        }
        for (Resource r : index.ofKind(Kind.VIRTUAL_SERVICE)) {
            Set<String> seen = new java.util.HashSet<>();
            for (JsonNode h : r.spec().path("hosts")) {
                String fqdn = index.resolveHost(h.asText(), r.namespace());
                if (!fqdn.isEmpty() && seen.add(fqdn)) {
                    index.virtualServicesByHost.computeIfAbsent(fqdn, k -> new ArrayList<>()).add(r);
                }
            }
        }
        for (Resource r : index.ofKind(Kind.DESTINATION_RULE)) {
            String fqdn = index.resolveHost(r.spec().path("host").asText(""), r.namespace());
            if (!fqdn.isEmpty()) {
                index.destinationRulesByHost.computeIfAbsent(fqdn, k -> new ArrayList<>()).add(r);
            }
        }
        return index;
    }

    private void addService(MeshService s) {
        servicesByHost.computeIfAbsent(s.host(), h -> new ArrayList<>()).add(s);
        String h = Hosts.isWildcard(s.host()) ? s.host().substring(1) : s.host();
        for (int dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
            hostSuffixes.add(h.substring(dot));
        }
    }

    private void addWorkload(Workload w) {
        workloadsByNamespace.computeIfAbsent(w.namespace(), n -> new ArrayList<>()).add(w);
        Map<String, List<Workload>> inNs = workloadsByLabel.computeIfAbsent(w.namespace(), n -> new HashMap<>());
        for (Map.Entry<String, String> e : w.labels().entrySet()) {
            String kv = e.getKey() + "=" + e.getValue();
            inNs.computeIfAbsent(kv, k -> new ArrayList<>()).add(w);
            workloadsByLabelAll.computeIfAbsent(kv, k -> new ArrayList<>()).add(w);
        }
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

    /** Every resource of the snapshot, in load order. */
    public java.util.Collection<Resource> all() {
        return Collections.unmodifiableCollection(byKey.values());
    }

    public List<Resource> ofKind(Kind kind) {
        return byKind.getOrDefault(kind, Collections.emptyList());
    }

    public Optional<Resource> get(ResourceKey key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Set<String> namespaces() {
        return Collections.unmodifiableSet(namespaces);
    }

    /** Services and ServiceEntry hosts registered under exactly this host. */
    public List<MeshService> servicesForHost(String fqdn) {
        return servicesByHost.getOrDefault(fqdn, Collections.emptyList());
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
        for (Map.Entry<String, List<MeshService>> e : servicesByHost.entrySet()) {
            if (Hosts.covers(hostPattern, e.getKey())) {
                out.addAll(e.getValue());
            }
        }
        return out;
    }

    /** True when some Service or ServiceEntry host is covered by the (possibly wildcard) pattern. O(1). */
    public boolean anyServiceMatching(String hostPattern) {
        if (hostPattern.equals("*")) {
            return !servicesByHost.isEmpty();
        }
        if (servicesByHost.containsKey(hostPattern)) {
            return true;
        }
        if (Hosts.isWildcard(hostPattern)) {
            return hostSuffixes.contains(hostPattern.substring(1));
        }
        // a concrete host covered by a wildcard ServiceEntry host: try "*.b.c", "*.c" for "a.b.c"
        return wildcardServiceFor(hostPattern) != null;
    }

    /** The most specific wildcard Service(Entry) host covering a concrete host, or null. */
    public String wildcardServiceFor(String host) {
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            String w = "*" + host.substring(dot);
            if (servicesByHost.containsKey(w)) {
                return w;
            }
        }
        return servicesByHost.containsKey("*") ? "*" : null;
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
        return virtualServicesByHost.getOrDefault(fqdn, Collections.emptyList());
    }

    /** DestinationRules whose spec.host resolves to exactly this host. */
    public List<Resource> destinationRulesForHost(String fqdn) {
        return destinationRulesByHost.getOrDefault(fqdn, Collections.emptyList());
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

    public Set<String> hosts() {
        return Collections.unmodifiableSet(servicesByHost.keySet());
    }

    public List<Workload> workloadsIn(String namespace) {
        return workloadsByNamespace.getOrDefault(namespace, Collections.emptyList());
    }

    public List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        workloadsByNamespace.values().forEach(all::addAll);
        return all;
    }

    /**
     * Workloads in {@code namespace} (or in any namespace when it is the root namespace) matching the selector.
     * Uses the label index: cost is the size of the smallest candidate list, not of the namespace.
     */
    public List<Workload> workloadsMatching(String namespace, Map<String, String> selector) {
        return namespace.equals(rootNamespace) ? workloadsMatchingAnywhere(selector) : select(
                workloadsIn(namespace), workloadsByLabel.getOrDefault(namespace, Collections.emptyMap()), selector);
    }

    /** Workloads in any namespace matching the selector (an empty selector matches every workload). */
    public List<Workload> workloadsMatchingAnywhere(Map<String, String> selector) {
        return select(null, workloadsByLabelAll, selector);
    }

    /** Workloads of exactly this namespace matching the selector. */
    public List<Workload> workloadsMatchingIn(String namespace, Map<String, String> selector) {
        return select(workloadsIn(namespace), workloadsByLabel.getOrDefault(namespace, Collections.emptyMap()),
                selector);
    }

    private List<Workload> select(List<Workload> all, Map<String, List<Workload>> byLabel, Map<String, String> selector) {
        List<Workload> candidates = null;
        if (selector == null || selector.isEmpty()) {
            candidates = all == null ? workloads() : all;
        } else {
            for (Map.Entry<String, String> e : selector.entrySet()) {
                List<Workload> c = byLabel.getOrDefault(e.getKey() + "=" + e.getValue(), Collections.emptyList());
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

    static Workload workload(Resource r) {
        JsonNode podMeta;
        JsonNode podSpec;
        if (r.is(Kind.POD)) {
            podMeta = r.metadata();
            podSpec = r.spec();
        } else if (r.is(Kind.CRON_JOB)) {
            JsonNode template = r.spec().path("jobTemplate").path("spec").path("template");
            podMeta = template.path("metadata");
            podSpec = template.path("spec");
        } else {
            JsonNode template = r.spec().path("template");
            podMeta = template.path("metadata");
            podSpec = template.path("spec");
        }
        String sa = podSpec.path("serviceAccountName").asText("");
        if (sa.isEmpty()) {
            sa = podSpec.path("serviceAccount").asText("default");
        }
        return new Workload(r.namespace(), r.name(), r.key().kind(), stringMap(podMeta.path("labels")),
                stringMap(podMeta.path("annotations")), sa, r);
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
