package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A policy (AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin) that selects the pods of a Gateway API
 * gateway with {@code selector} instead of {@code targetRef} has no effect on them (IST0166), as istio's
 * k8sgateway/workloadselector.go finds: one finding per gateway whose pods in the policy's namespace carry the
 * selector's labels. Besides such pods, meshcd counts the repository's own Gateway API Gateways, whose pods istiod
 * deploys with the label {@code gateway.networking.k8s.io/gateway-name: <name>}.
 */
public final class KubernetesGatewaySelectorAnalyzer implements Analyzer {
    static final String GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";
    private static final Set<Kind> POLICIES = Set.of(Kind.AUTHORIZATION_POLICY, Kind.REQUEST_AUTHENTICATION,
            Kind.TELEMETRY_KIND, Kind.WASM_PLUGIN);

    @Override
    public String name() {
        return "k8sgateway.selector";
    }

    @Override
    public Set<Kind> subjects() {
        return POLICIES;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.POD, Kind.K8S_GATEWAY);
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Kind k : POLICIES) {
            for (Resource r : index.ofKind(k)) {
                check(index, r, sink);
            }
        }
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        for (Resource r : subjects) {
            if (POLICIES.contains(r.kind())) {
                check(index, r, sink);
            }
        }
    }

    private static void check(MeshIndex index, Resource policy, DiagnosticSink sink) {
        JsonNode spec = policy.spec();
        if (present(spec.get("targetRef")) || (spec.path("targetRefs").isArray() && !spec.path("targetRefs").isEmpty())
                || !spec.path("selector").isObject()) {
            return;
        }
        Map<String, String> selector = MeshIndex.stringMap(spec.path("selector").path("matchLabels"));
        Set<String> gateways = new LinkedHashSet<>();
        for (Resource pod : index.ofKind(Kind.POD)) {
            Map<String, String> labels = pod.labels();
            if (pod.namespace().equals(policy.namespace()) && labels.containsKey(GATEWAY_NAME_LABEL)
                    && contains(labels, selector)) {
                gateways.add(labels.get(GATEWAY_NAME_LABEL));
            }
        }
        for (Resource gw : index.ofKind(Kind.K8S_GATEWAY)) {
            if (gw.namespace().equals(policy.namespace()) && contains(deployedLabels(gw), selector)) {
                gateways.add(gw.name());
            }
        }
        for (String gw : gateways) {
            Messages.report(sink, policy, "IST0166", FieldPath.of("spec", "selector"), gw);
        }
    }

    /** The labels istiod's automated deployment gives a Gateway's pods. */
    static Map<String, String> deployedLabels(Resource gateway) {
        return Map.of(GATEWAY_NAME_LABEL, gateway.name(), "istio.io/gateway-name", gateway.name());
    }

    private static boolean contains(Map<String, String> labels, Map<String, String> selector) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
    }
}
