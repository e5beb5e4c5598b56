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
        return index;
    }

    private void addService(MeshService s) {
        servicesByHost.computeIfAbsent(s.host(), h -> new ArrayList<>()).add(s);
    }

    private void addWorkload(Workload w) {
        workloadsByNamespace.computeIfAbsent(w.namespace(), n -> new ArrayList<>()).add(w);
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

    /** Every registered host a (possibly wildcard) host pattern covers. */
    public List<MeshService> servicesMatching(String hostPattern) {
        if (!Hosts.isWildcard(hostPattern)) {
            return servicesForHost(hostPattern);
        }
        List<MeshService> out = new ArrayList<>();
        for (Map.Entry<String, List<MeshService>> e : servicesByHost.entrySet()) {
            if (Hosts.covers(hostPattern, e.getKey())) {
                out.addAll(e.getValue());
            }
        }
        return out;
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

    /** Workloads in {@code namespace} (or in any namespace when it is the root namespace) matching the selector. */
    public List<Workload> workloadsMatching(String namespace, Map<String, String> selector) {
        List<Workload> out = new ArrayList<>();
        if (namespace.equals(rootNamespace)) {
            for (Workload w : workloads()) {
                if (w.matches(selector)) {
                    out.add(w);
                }
            }
            return out;
        }
        for (Workload w : workloadsIn(namespace)) {
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
