package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Gateways a VirtualService binds to (spec.gateways and match gateways) must exist as Istio or
 * Kubernetes Gateways (IST0101 "gateway"), and at least one of its hosts must be served to this
 * namespace by each Istio Gateway of spec.gateways (IST0132). Compare istio's virtualservice/gateways.go.
 */
public final class VirtualServiceGatewayAnalyzer extends SubjectAnalyzer {
    public VirtualServiceGatewayAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    private static final String KUBERNETES_GATEWAY = "gateway.networking.k8s.io";

    @Override
    public String name() {
        return "virtualservice.gateways";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        List<String> vsHosts = VirtualServices.hosts(vs);
        Set<ResourceKey> checked = new HashSet<>();
        for (VirtualServices.GatewayRef ref : VirtualServices.gatewayRefs(vs)) {
            ResourceKey key = VirtualServices.gatewayKey(ref.name(), vs.namespace());
            if (key == null) {
                continue;
            }
            Optional<Resource> gw = index.get(key);
            if (gw.isEmpty()) {
                if (index.get(new ResourceKey(KUBERNETES_GATEWAY, "Gateway", key.namespace(), key.name())).isEmpty()) {
                    Messages.report(sink, vs, "IST0101", ref.path(), "gateway", ref.name());
                }
                continue;
            }
            // as istioctl: the host check is for spec.gateways; delegates (no hosts) have nothing to check
            if (!ref.path().toString().startsWith("spec.gateways[") || !checked.add(key) || vsHosts.isEmpty()) {
                continue;
            }
            if (!anyHostServed(gw.get(), vsHosts, vs.namespace())) {
                Messages.report(sink, vs, "IST0132", ref.path(), vsHosts, vs.key().namespacedName(),
                        key.namespacedName());
            }
        }
    }

    /** Gateway server hosts are "ns/host" (ns "*", "." or a namespace) or a bare host meaning "*&#47;host". */
    static boolean anyHostServed(Resource gateway, List<String> vsHosts, String vsNamespace) {
        for (JsonNode server : gateway.spec().path("servers")) {
            for (JsonNode h : server.path("hosts")) {
                String entry = h.asText("").toLowerCase(Locale.ROOT);
                int slash = entry.indexOf('/');
                String ns = slash < 0 ? "*" : entry.substring(0, slash);
                String host = slash < 0 ? entry : entry.substring(slash + 1);
                boolean visible = ns.equals("*") || ns.equals(vsNamespace)
                        || (ns.equals(".") && gateway.namespace().equals(vsNamespace));
                if (!visible) {
                    continue;
                }
                for (String vh : vsHosts) {
                    if (Hosts.overlap(host, vh)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.GATEWAY, new Kind(KUBERNETES_GATEWAY, "Gateway"));
    }
}
