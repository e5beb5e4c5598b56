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
 * tcp-...) fall back to protocol sniffing (IST0118 PortNameIsNotUnderNamingConvention, info).
 * System namespaces are skipped, as istio's service/portname.go does.
 */
public final class ServicePortNameAnalyzer extends SubjectAnalyzer {
    public ServicePortNameAnalyzer() {
        super(Kind.SERVICE);
    }

    private static final Set<String> SYSTEM = Set.of("kube-system", "kube-public", "kube-node-lease",
            "local-path-storage", "istio-system");

    @Override
    public String name() {
        return "service.portname";
    }

    @Override
    protected void check(MeshIndex index, Resource svc, DiagnosticSink sink) {
        if (SYSTEM.contains(svc.namespace()) || svc.namespace().equals(index.rootNamespace())) {
            return;
        }
        JsonNode ports = svc.spec().path("ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.path(i);
            String name = p.path("name").asText("");
            String protocol = Protocols.of(name, p.path("appProtocol").asText(""), p.path("protocol").asText("TCP"));
            if (protocol.equals("UNKNOWN")) {
                String target = p.has("targetPort") ? p.path("targetPort").asText() : p.path("port").asText();
                FieldPath at = p.has("name") ? FieldPath.of("spec", "ports", i, "name") : FieldPath.of("spec", "ports", i);
                Messages.report(sink, svc, "IST0118", at, name,
                        p.path("port").asInt(), target);
            }
        }
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of();
    }
}
