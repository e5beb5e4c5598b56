package dev.meshcd.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.Reviews;
import dev.meshcd.admission.TestValidators;
import dev.meshcd.admission.cluster.Snapshot;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The validating webhook checks Gateway API objects against their CRDs as it checks Istio's. */
class GatewayApiAdmissionTest {
    static final ValidatingHandler HANDLER = new ValidatingHandler(TestValidators.compiler(),
            Snapshot.of(List.of(), Map.of()), new OwnershipGuard(Set.of("system:serviceaccount:meshcd-system:meshcd")));

    static AdmissionResponse admit(String yaml) throws Exception {
        return HANDLER.handle(AdmissionReviews.parse(Reviews.review("CREATE", "alice", Reviews.yaml(yaml), null, false)));
    }

    @Test
    void anHttpRouteBreakingACelRuleIsDeniedWithTheRulesMessage() throws Exception {
        AdmissionResponse r = admit("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: bad, namespace: shop}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                  - filters:
                    - {type: RequestRedirect, requestRedirect: {scheme: https}}
                    - {type: URLRewrite, urlRewrite: {hostname: x.example}}
                """);
        assertThat(r.allowed()).isFalse();
        assertThat(r.message()).contains("May specify either httpRouteFilterRequestRedirect or"
                + " httpRouteFilterRequestRewrite, but not both").contains("spec.rules[0].filters");
    }

    @Test
    void aValidGatewayIsAllowed() throws Exception {
        AdmissionResponse r = admit("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  gatewayClassName: istio
                  listeners: [{name: http, port: 80, protocol: HTTP}]
                """);
        assertThat(r.allowed()).as(r.message()).isTrue();
    }
}
