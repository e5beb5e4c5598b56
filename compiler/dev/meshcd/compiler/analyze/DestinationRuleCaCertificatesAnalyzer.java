package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;

/**
 * TLS origination in SIMPLE or MUTUAL mode without caCertificates does not verify the server
 * (IST0128 for {@code trafficPolicy.tls}, IST0129 per {@code trafficPolicy.portLevelSettings[]}), as istio's
 * destinationrule/ca-certificates.go checks them: a credentialName counts as the CA only in a DestinationRule with
 * a workloadSelector (the gateway-side rules whose Secret carries the CA); subsets are not looked at, and
 * insecureSkipVerify does not silence the finding (the server is still not verified).
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
        boolean selector = dr.spec().has("workloadSelector") && !dr.spec().path("workloadSelector").isNull();
        JsonNode policy = dr.spec().path("trafficPolicy");
        FieldPath path = FieldPath.of("spec", "trafficPolicy");
        JsonNode tls = policy.path("tls");
        if (unverified(tls, selector)) {
            Messages.report(sink, dr, "IST0128", path.key("tls").key("mode"), name, dr.namespace(),
                    tls.path("mode").asText(), host);
        }
        JsonNode ports = policy.path("portLevelSettings");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode pt = ports.path(i).path("tls");
            if (unverified(pt, selector)) {
                Messages.report(sink, dr, "IST0129", path.key("portLevelSettings").index(i).key("tls").key("mode"), name,
                        dr.namespace(), pt.path("mode").asText(), host,
                        "number:" + ports.path(i).path("port").path("number").asInt());
            }
        }
    }

    private static boolean unverified(JsonNode tls, boolean workloadSelector) {
        String mode = tls.path("mode").asText("");
        if (!mode.equals("SIMPLE") && !mode.equals("MUTUAL")) {
            return false;
        }
        return tls.path("caCertificates").asText("").isEmpty()
                && !(workloadSelector && !tls.path("credentialName").asText("").isEmpty());
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of();
    }
}
