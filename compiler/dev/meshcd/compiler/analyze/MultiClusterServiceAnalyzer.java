package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.context.ClusterService;
import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Service must be the same in every cluster of a multi-cluster mesh (IST0170 MultiClusterInconsistentService;
 * istio's multicluster/service.go): a repository Service is compared with the Services of the same namespace and
 * name in the clusters meshcd.yaml's {@code clusters:} names. Inconsistent are a headless Service beside a
 * clusterIP one (every cluster is named), a different type, and different ports (compared by name). Unlike
 * istioctl, Kubernetes' defaults count as written (type ClusterIP, protocol TCP, targetPort = port) and nodePort,
 * which each cluster allocates, is not compared: one Service read from a file and the same one read from a cluster
 * compare equal.
 */
public final class MultiClusterServiceAnalyzer implements Analyzer {
    /** How the message names the repository's cluster beside {@code clusters:}'s names. */
    static final String REPOSITORY = "(repository)";

    @Override
    public String name() {
        return "multicluster.services";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.SERVICE);
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(ClusterService.KIND);
    }

    /** Another cluster's Service matters to the repository's Service of its namespace and name only. */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Resource r = after != null ? after : before;
        return r.is(ClusterService.KIND) ? List.of(ClusterService.service(r)) : null;
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        Map<ResourceKey, Map<String, Resource>> others = byService(index);
        if (!others.isEmpty()) {
            index.ofKind(Kind.SERVICE).forEach(svc -> check(svc, others, sink));
        }
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        Map<ResourceKey, Map<String, Resource>> others = byService(index);
        if (!others.isEmpty()) {
            subjects.stream().filter(r -> r.is(Kind.SERVICE)).forEach(svc -> check(svc, others, sink));
        }
    }

    /** The other clusters' Services, by the key of the Service they stand for, then by cluster (sorted). */
    private static Map<ResourceKey, Map<String, Resource>> byService(MeshIndex index) {
        Map<ResourceKey, Map<String, Resource>> out = new HashMap<>();
        for (Resource r : index.ofKind(ClusterService.KIND)) {
            out.computeIfAbsent(ClusterService.service(r), k -> new TreeMap<>()).put(ClusterService.cluster(r), r);
        }
        return out;
    }

    private static void check(Resource svc, Map<ResourceKey, Map<String, Resource>> others, DiagnosticSink sink) {
        Map<String, Resource> clusters = others.get(svc.key());
        if (clusters == null || ContextOrigin.isContext(svc)) {
            return;
        }
        Set<String> inconsistent = new TreeSet<>();
        Set<String> reasons = new TreeSet<>();
        FieldPath at = null;
        JsonNode mine = svc.spec();
        for (Map.Entry<String, Resource> c : clusters.entrySet()) {
            JsonNode theirs = c.getValue().object().path("spec");
            if (headless(mine) != headless(theirs)) {
                inconsistent.add(REPOSITORY);
                inconsistent.addAll(clusters.keySet());
                reasons.add("service has mixed mode like headless and clusterIP");
                at = at == null ? FieldPath.of("spec", "clusterIP") : at;
            }
            if (!type(mine).equals(type(theirs))) {
                inconsistent.add(c.getKey());
                reasons.add("service type is inconsistent");
                at = at == null ? FieldPath.of("spec", "type") : at;
            }
            if (!ports(mine).equals(ports(theirs))) {
                inconsistent.add(c.getKey());
                reasons.add("service ports are inconsistent");
                at = at == null ? FieldPath.of("spec", "ports") : at;
            }
        }
        if (inconsistent.isEmpty()) {
            return;
        }
        inconsistent.add(REPOSITORY);
        Messages.report(sink, svc, "IST0170", at, svc.name(), svc.namespace(), new ArrayList<>(inconsistent),
                String.join("; ", reasons));
    }

    private static boolean headless(JsonNode spec) {
        return spec.path("clusterIP").asText("").equals("None");
    }

    private static String type(JsonNode spec) {
        String t = spec.path("type").asText("");
        return t.isEmpty() ? "ClusterIP" : t;
    }

    /** The ports by name, each as Kubernetes defaults it, without the cluster-allocated nodePort. */
    private static Map<String, List<Object>> ports(JsonNode spec) {
        Map<String, List<Object>> out = new TreeMap<>();
        for (JsonNode p : spec.path("ports")) {
            String protocol = p.path("protocol").asText("");
            JsonNode target = p.path("targetPort");
            String targetPort = target.isMissingNode() || target.isNull() || target.asText().isEmpty()
                    ? p.path("port").asText() : target.asText();
            List<Object> value = List.of(p.path("port").asText(), protocol.isEmpty() ? "TCP" : protocol, targetPort,
                    p.path("appProtocol").asText(""));
            // two ports of one name cannot both be valid; keep them apart so a duplicate still differs
            out.merge(p.path("name").asText(""), value, (a, b) -> List.of(a, b));
        }
        return out;
    }
}
