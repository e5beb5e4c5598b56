package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;

/**
 * TLS origination in SIMPLE or MUTUAL mode without caCertificates does not verify the server
 * (IST0128 at destination level, IST0129 per port; istio's destinationrule/ca-certificates.go).
 * A credentialName (whose secret can carry the CA) or an explicit insecureSkipVerify counts as a decision.
 */
public final class DestinationRuleCaCertificatesAnalyzer extends SubjectAnalyzer {
    public DestinationRuleCaCertificatesAnalyzer() {
        super(Kind.DESTINATION_RULE);
    }

    @Override
    public String name() {
        return "destinationrule.cacertificates";
    }

    @Override
    protected void check(MeshIndex index, Resource dr, DiagnosticSink sink) {
        String host = dr.spec().path("host").asText("");
        String name = dr.key().namespacedName();
        check(dr, dr.spec().path("trafficPolicy"), FieldPath.of("spec", "trafficPolicy"), host, name, sink);
        JsonNode subsets = dr.spec().path("subsets");
        for (int i = 0; i < subsets.size(); i++) {
            check(dr, subsets.path(i).path("trafficPolicy"), FieldPath.of("spec", "subsets", i, "trafficPolicy"), host,
                    name, sink);
        }
    }

    private static void check(Resource dr, JsonNode policy, FieldPath path, String host, String name,
                              DiagnosticSink sink) {
        JsonNode tls = policy.path("tls");
        if (unverified(tls)) {
            Messages.report(sink, dr, "IST0128", path.key("tls").key("mode"), name, dr.namespace(),
                    tls.path("mode").asText(), host);
        }
        JsonNode ports = policy.path("portLevelSettings");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode pt = ports.path(i).path("tls");
            if (unverified(pt)) {
                Messages.report(sink, dr, "IST0129", path.key("portLevelSettings").index(i).key("tls").key("mode"), name,
                        dr.namespace(), pt.path("mode").asText(), host,
                        "number:" + ports.path(i).path("port").path("number").asInt());
            }
        }
    }

    private static boolean unverified(JsonNode tls) {
        String mode = tls.path("mode").asText("");
        if (!mode.equals("SIMPLE") && !mode.equals("MUTUAL")) {
            return false;
        }
        return tls.path("caCertificates").asText("").isEmpty() && tls.path("credentialName").asText("").isEmpty()
                && !tls.path("insecureSkipVerify").asBoolean(false);
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of();
    }
}
