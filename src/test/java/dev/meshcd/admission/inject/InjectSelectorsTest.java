package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.source.SourceFile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The injector config's {@code neverInjectSelector} / {@code alwaysInjectSelector} with istiod's precedence
 * (injectRequired): the pod's own {@code sidecar.istio.io/inject} ({@code true}/{@code false}, label before
 * annotation) first, then a matching never selector, then a matching always selector, then the policy.
 */
class InjectSelectorsTest { // and the config's injectedAnnotations
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECTORS = """
            neverInjectSelector:
            - matchExpressions: [{key: openshift.io/build.name, operator: Exists}]
            - matchExpressions: [{key: tier, operator: In, values: [batch, cron]}]
            alwaysInjectSelector:
            - matchLabels: {mesh: "yes"}
            - matchExpressions: [{key: tier, operator: Exists}, {key: tier, operator: NotIn, values: [web]},
                {key: legacy, operator: DoesNotExist}]
            """;

    @ParameterizedTest(name = "[{index}] policy {0}, labels {1}, annotation {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # policy | pod labels (JSON)                             | annotation inject | injected | reason contains
            enabled  | {}                                            |                   | true     | injected
            enabled  | {"tier": "batch"}                             |                   | false    | neverInjectSelector
            enabled  | {"openshift.io/build.name": "b1"}             |                   | false    | neverInjectSelector
            enabled  | {"tier": "batch"}                             | true              | true     | injected
            enabled  | {"tier": "batch", "sidecar.istio.io/inject": "true"} |            | true     | injected
            enabled  | {"tier": "batch", "mesh": "yes"}              |                   | false    | neverInjectSelector
            disabled | {}                                            |                   | false    | policy is disabled
            disabled | {"tier": "web"}                               |                   | false    | policy is disabled
            disabled | {"mesh": "yes"}                               |                   | true     | injected
            disabled | {"tier": "api"}                               |                   | true     | injected
            disabled | {"tier": "api", "legacy": "1"}                |                   | false    | policy is disabled
            disabled | {"mesh": "yes"}                               | false             | false    | inject=false
            disabled | {"mesh": "yes", "sidecar.istio.io/inject": "maybe"} | true        | true     | injected
            disabled | {"tier": "batch"}                             | true              | true     | injected
            """)
    void selectorsFollowIstiodsPrecedence(String policy, String labels, String annotation, boolean injected,
                                          String reason) throws Exception {
        InjectionSettings s = IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(null,
                SourceFile.ofString("config.yaml", "policy: " + policy + "\n" + SELECTORS), null),
                InjectionSettings.defaults());
        ObjectNode pod = (ObjectNode) JSON.readTree("{\"metadata\":{\"name\":\"p\",\"labels\":" + labels
                + ",\"annotations\":" + (annotation == null ? "{}" : "{\"sidecar.istio.io/inject\":\"" + annotation
                + "\"}") + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}}");
        InjectionPolicy.Decision webhook = InjectionPolicy.forWebhook(s, pod, "ns", Map.of("istio-injection", "enabled"));
        assertThat(webhook.inject()).as(webhook.reason()).isEqualTo(injected);
        assertThat(webhook.reason()).contains(reason);
        // istioctl kube-inject asks injectRequired with policy enabled and no selectors: only "false" opts out
        assertThat(InjectionPolicy.forManual(s, pod).inject()).as("kube-inject")
                .isEqualTo(!"false".equals(annotation) && !labels.contains("\"sidecar.istio.io/inject\": \"false\""));
    }

    /** istiod's applyMetadata adds them after the status annotation (overriding it too); istioctl passes none. */
    @Test
    void injectedAnnotationsAreTheWebhooksOnly() throws Exception {
        InjectionSettings s = IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(null, SourceFile.ofString(
                "config.yaml", "injectedAnnotations: {team.example/owner: mesh, app.example/note: \"\"}\n"), null),
                InjectionSettings.defaults());
        ObjectNode pod = (ObjectNode) JSON.readTree("{\"metadata\":{\"name\":\"p\",\"annotations\":"
                + "{\"team.example/owner\":\"app\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a\"}]}}");
        IstioSidecarInjector injector = new IstioSidecarInjector(s);
        JsonNode webhook = injector.inject(pod, "ns", Map.of("istio-injection", "enabled")).pod()
                .path("metadata").path("annotations");
        assertThat(webhook.path("team.example/owner").asText()).isEqualTo("mesh");
        assertThat(webhook.has("app.example/note")).isTrue();
        JsonNode manual = injector.injectManually(pod, WorkloadMeta.fromPod(pod, "ns")).pod()
                .path("metadata").path("annotations");
        assertThat(manual.path("team.example/owner").asText()).isEqualTo("app");
        assertThat(manual.has("app.example/note")).isFalse();
    }
}
