package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Services that select a Deployment's pods, as istio's deployment.ServiceAssociationAnalyzer checks them for
 * Deployments in the mesh (waypoints aside): one port number under different protocols (IST0116
 * DeploymentAssociatedToMultipleServices) and one targetPort behind different ports (IST0137
 * DeploymentConflictingPorts). Services count when their non-empty selector matches the pod template's labels in
 * the Deployment's namespace.
 */
public final class DeploymentServicesAnalyzer implements Analyzer {
    private static final String WAYPOINT = "istio.io-mesh-controller";

    @Override
    public String name() {
        return "deployment.services";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.DEPLOYMENT);
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.SERVICE, Kind.NAMESPACE);
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        ServicesBySelector services = new ServicesBySelector(index.ofKind(Kind.SERVICE));
        for (Resource d : index.ofKind(Kind.DEPLOYMENT)) {
            check(index, d, services, sink);
        }
    }

    /** A few subjects (admission, a recompile) scan the Services of their namespaces instead of indexing all. */
    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        List<Resource> deployments = subjects.stream().filter(r -> r.is(Kind.DEPLOYMENT)).toList();
        if (deployments.isEmpty()) {
            return;
        }
        Set<String> namespaces = new HashSet<>();
        deployments.forEach(d -> namespaces.add(d.namespace()));
        List<Resource> candidates = index.ofKind(Kind.SERVICE).stream()
                .filter(s -> namespaces.contains(s.namespace())).toList();
        ServicesBySelector services = new ServicesBySelector(candidates);
        for (Resource d : deployments) {
            check(index, d, services, sink);
        }
    }

    private static void check(MeshIndex index, Resource d, ServicesBySelector services, DiagnosticSink sink) {
        if (WAYPOINT.equals(d.labels().get("gateway.istio.io/managed")) || !InMesh.deployment(index, d)) {
            return;
        }
        List<Resource> matching = services.selecting(d.namespace(),
                MeshIndex.stringMap(d.spec().path("template").path("metadata").path("labels")));
        if (matching.size() < 2) {
            return;
        }
        FieldPath at = FieldPath.of("metadata", "name");
        // port -> protocol -> services
        Map<Integer, Map<String, List<String>>> protocols = new TreeMap<>();
        // targetPort -> port -> service (the last one wins, as in Istio)
        Map<String, Map<Integer, String>> targets = new TreeMap<>();
        for (Resource svc : matching) {
            String name = svc.key().namespacedName();
            for (JsonNode p : svc.spec().path("ports")) {
                int port = p.path("port").asInt();
                String protocol = p.path("protocol").asText("");
                protocols.computeIfAbsent(port, k -> new TreeMap<>())
                        .computeIfAbsent(protocol.isEmpty() ? "TCP" : protocol, k -> new ArrayList<>()).add(name);
                String target = p.path("targetPort").asText("");
                if (target.isEmpty() || target.equals("0")) {
                    target = Integer.toString(port);
                }
                targets.computeIfAbsent(target, k -> new HashMap<>()).put(port, name);
            }
        }
        protocols.forEach((port, byProtocol) -> {
            if (byProtocol.size() > 1) {
                List<String> names = new ArrayList<>();
                byProtocol.values().forEach(names::addAll);
                names.sort(null);
                Messages.report(sink, d, "IST0116", at, d.name(), port, names);
            }
        });
        targets.forEach((target, byPort) -> {
            if (byPort.size() > 1) {
                List<String> names = new ArrayList<>(byPort.values());
                names.sort(null);
                Messages.report(sink, d, "IST0137", at, d.name(), names, target, new TreeSet<>(byPort.keySet()));
            }
        });
    }

    /** Other subjects' findings read a Service's selector and ports, and a Namespace's injection label. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.SERVICE)) {
            return List.of(r.spec().path("selector"), r.spec().path("ports"));
        }
        if (r.is(Kind.NAMESPACE)) {
            return String.valueOf(r.labels().get("istio-injection"));
        }
        return null;
    }

    /** The Deployments a Service selects (before and after), or every Deployment of a Namespace. */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Set<ResourceKey> out = new LinkedHashSet<>();
        for (Resource r : new Resource[] {before, after}) {
            if (r == null) {
                continue;
            }
            if (r.is(Kind.NAMESPACE)) {
                for (MeshIndex index : new MeshIndex[] {beforeIndex, afterIndex}) {
                    index.workloadsIn(r.name()).forEach(w -> addDeployment(w, out));
                }
                continue;
            }
            Map<String, String> selector = MeshIndex.stringMap(r.spec().path("selector"));
            if (selector.isEmpty()) {
                continue;
            }
            for (MeshIndex index : new MeshIndex[] {beforeIndex, afterIndex}) {
                index.workloadsMatchingIn(r.namespace(), selector).forEach(w -> addDeployment(w, out));
            }
        }
        return out;
    }

    private static void addDeployment(Workload w, Set<ResourceKey> out) {
        if (w.resource() != null && w.resource().is(Kind.DEPLOYMENT)) {
            out.add(w.resource().key());
        }
    }

    /** Services by namespace and selector label: the candidates for a pod's labels, then the full selector match. */
    private static final class ServicesBySelector {
        private final Map<String, List<Resource>> byLabel = new HashMap<>();

        ServicesBySelector(Collection<Resource> services) {
            for (Resource s : services) {
                Map<String, String> selector = MeshIndex.stringMap(s.spec().path("selector"));
                if (selector.isEmpty()) {
                    continue;
                }
                // one label is enough to find a Service: a pod it selects carries every label of its selector
                Map.Entry<String, String> first = new TreeMap<>(selector).firstEntry();
                byLabel.computeIfAbsent(s.namespace() + "\u0000" + first.getKey() + "=" + first.getValue(),
                        k -> new ArrayList<>()).add(s);
            }
        }

        List<Resource> selecting(String namespace, Map<String, String> podLabels) {
            List<Resource> out = new ArrayList<>();
            for (Map.Entry<String, String> l : podLabels.entrySet()) {
                for (Resource s : byLabel.getOrDefault(namespace + "\u0000" + l.getKey() + "=" + l.getValue(),
                        List.of())) {
                    if (podLabels.entrySet().containsAll(MeshIndex.stringMap(s.spec().path("selector")).entrySet())) {
                        out.add(s);
                    }
                }
            }
            return out;
        }
    }
}
