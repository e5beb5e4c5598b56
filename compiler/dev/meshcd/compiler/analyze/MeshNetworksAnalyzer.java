package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mesh networks naming registries istiod does not have (Istio's multicluster/meshnetworks.go, IST0126): an endpoint
 * {@code fromRegistry} must be Mock, Kubernetes or External, or a cluster of a remote secret (a Secret labelled
 * {@code istio/multiCluster: "true"}, one cluster per data key). Reported on the ConfigMap carrying the mesh
 * networks ({@link MeshInputs}), at its {@code meshNetworks} key.
 */
public final class MeshNetworksAnalyzer extends SubjectAnalyzer {
    private static final List<String> BUILT_IN = List.of("Mock", "Kubernetes", "External");

    public MeshNetworksAnalyzer() {
        super(Kind.CONFIG_MAP);
    }

    @Override
    public String name() {
        return "multicluster.meshnetworks";
    }

    @Override
    protected void check(MeshIndex index, Resource cm, DiagnosticSink sink) {
        if (!cm.name().equals(MeshcdConfig.MESH_CONFIG_MAP) || !cm.namespace().equals(index.rootNamespace())) {
            return;
        }
        JsonNode networks = MeshInputs.value(cm, MeshcdConfig.MESH_NETWORKS_KEY).path("networks");
        if (!networks.isObject()) {
            return;
        }
        Set<String> registries = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = networks.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> n = it.next();
            for (JsonNode e : n.getValue().path("endpoints")) {
                JsonNode from = e.get("fromRegistry");
                if (from == null || !from.isTextual()) {
                    continue;
                }
                registries = registries == null ? registries(index) : registries;
                if (!registries.contains(from.asText())) {
                    Messages.report(sink, cm, "IST0126", FieldPath.of("data", MeshcdConfig.MESH_NETWORKS_KEY),
                            from.asText(), n.getKey());
                }
            }
        }
    }

    private static Set<String> registries(MeshIndex index) {
        Set<String> out = new LinkedHashSet<>(BUILT_IN);
        for (Resource s : index.ofKind(Kind.SECRET)) {
            if ("true".equals(s.labels().get("istio/multiCluster"))) {
                s.object().path("data").fieldNames().forEachRemaining(out::add);
                s.object().path("stringData").fieldNames().forEachRemaining(out::add);
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.SECRET);
    }

    /** Of a Secret, whether it is a remote secret and its clusters (data keys). */
    @Override
    public Object observed(Resource r) {
        if (!r.is(Kind.SECRET) || !"true".equals(r.labels().get("istio/multiCluster"))) {
            return null;
        }
        Set<String> keys = new LinkedHashSet<>();
        r.object().path("data").fieldNames().forEachRemaining(keys::add);
        r.object().path("stringData").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return List.of(new ResourceKey("", "ConfigMap", afterIndex.rootNamespace(), MeshcdConfig.MESH_CONFIG_MAP));
    }
}
