package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Protocols;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Set;

/**
 * Service ports whose protocol Istio cannot tell from appProtocol or the name prefix (http-, grpc-,
 * tcp-...) fall back to protocol sniffing (IST0118 PortNameIsNotUnderNamingConvention, info). On an
 * ExternalName Service such a port, or one named just "tcp", is IST0150 ExternalNameServiceTypeInvalidPortName
 * instead, as istio's service/portname.go reports it. Skipped, as there: system namespaces, Istio's own
 * Services (an {@code istio} label, or {@code release: istio}) and the Services Istio's gateway controllers
 * create (waypoints, east-west and Gateway API gateways: {@code gateway.istio.io/managed}).
 */
public final class ServicePortNameAnalyzer extends SubjectAnalyzer {
    public ServicePortNameAnalyzer() {
        super(Kind.SERVICE);
    }

    private static final Set<String> SYSTEM = Set.of("kube-system", "kube-public", "kube-node-lease",
            "local-path-storage", "istio-system");

    /** Values of gateway.istio.io/managed on the Services istiod's gateway controllers create. */
    private static final Set<String> MANAGED = Set.of("istio.io-gateway-controller", "istio.io-mesh-controller",
            "istio.io-eastwest-controller");

    @Override
    public String name() {
        return "service.portname";
    }

    @Override
    protected void check(MeshIndex index, Resource svc, DiagnosticSink sink) {
        if (SYSTEM.contains(svc.namespace()) || svc.namespace().equals(index.rootNamespace())
                || svc.labels().containsKey("istio") || "istio".equals(svc.labels().get("release"))
                || MANAGED.contains(svc.labels().getOrDefault("gateway.istio.io/managed", ""))) {
            return;
        }
        boolean externalName = svc.spec().path("type").asText("").equals("ExternalName");
        JsonNode ports = svc.spec().path("ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.path(i);
            String name = p.path("name").asText("");
            String protocol = Protocols.of(name, p.path("appProtocol").asText(""), p.path("protocol").asText("TCP"),
                    p.path("port").asInt());
            FieldPath at = p.has("name") ? FieldPath.of("spec", "ports", i, "name") : FieldPath.of("spec", "ports", i);
            if (externalName && (protocol.equals("UNKNOWN") || name.equals("tcp"))) {
                Messages.report(sink, svc, "IST0150", at);
            } else if (protocol.equals("UNKNOWN")) {
                String target = p.has("targetPort") ? p.path("targetPort").asText() : p.path("port").asText();
                Messages.report(sink, svc, "IST0118", at, name, p.path("port").asInt(), target);
            }
        }
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of();
    }
}
