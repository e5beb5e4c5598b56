package dev.meshcd.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import org.junit.jupiter.api.Test;

/** A cluster's objects keep what the analyzers read of them, and lose the rest. */
class ContextTrimmingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode trimmed(Kind kind, String json) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(json);
        ContextTrimming.trim(kind, o);
        return o;
    }

    @Test
    void istiodKeepsTheBlockedCidrsVariableAndSecurityContextsOnly() throws Exception {
        ObjectNode d = trimmed(Kind.DEPLOYMENT, """
                {"metadata": {"name": "istiod", "managedFields": [{}]},
                 "spec": {"template": {"spec": {"securityContext": {"runAsUser": 1337}, "volumes": [{}],
                   "containers": [{"name": "discovery", "image": "pilot", "resources": {},
                     "securityContext": {"runAsUser": 1337},
                     "env": [{"name": "TOKEN", "value": "s3cret"},
                             {"name": "BLOCKED_CIDRS_IN_JWKS_URIS", "value": "10.0.0.0/8"}]},
                     {"name": "other", "image": "x", "env": [{"name": "PASSWORD", "value": "p"}]}]}}},
                 "status": {"replicas": 1}}""");
        assertThat(d.toString()).doesNotContain("s3cret", "PASSWORD", "managedFields", "volumes", "resources",
                "replicas");
        assertThat(d.at("/spec/template/spec/containers/0/env/0/name").asText()).isEqualTo("BLOCKED_CIDRS_IN_JWKS_URIS");
        assertThat(d.at("/spec/template/spec/containers/1").has("env")).isFalse();
        assertThat(d.at("/spec/template/spec/securityContext/runAsUser").asInt()).isEqualTo(1337);
        assertThat(d.at("/spec/template/spec/containers/0/securityContext/runAsUser").asInt()).isEqualTo(1337);
        assertThat(d.has("status")).isFalse();
    }

    @Test
    void statusKeepsConditionsAndAddresses() throws Exception {
        ObjectNode se = trimmed(Kind.SERVICE_ENTRY, """
                {"metadata": {"name": "se"}, "spec": {"hosts": ["a.example"]},
                 "status": {"observedGeneration": 3, "addresses": [{"value": "240.240.0.1"}],
                   "conditions": [{"type": "istio.io/WaypointBound", "status": "False"}]}}""");
        assertThat(se.path("status").has("observedGeneration")).isFalse();
        assertThat(se.at("/status/addresses/0/value").asText()).isEqualTo("240.240.0.1");
        assertThat(se.at("/status/conditions/0/status").asText()).isEqualTo("False");
    }
}
