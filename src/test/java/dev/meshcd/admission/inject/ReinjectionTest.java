package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An injected pod injected again (webhook reinvocation, kube-inject of an injected manifest, or settings that
 * changed in between) is re-rendered as Istio's stripPod does, not skipped: the result is the same pod when
 * nothing changed, follows the new settings when they did, and keeps earlier probers while adding new ones.
 */
class ReinjectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENABLED = Map.of("istio-injection", "enabled");

    private static ObjectNode pod() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
                              "annotations": {"prometheus.io/port": "9090", "prometheus.io/scrape": "true"}},
                 "spec": {"containers": [{"name": "web", "image": "web:1", "ports": [{"containerPort": 8080}],
                          "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}]}}
                """);
    }

    private static JsonNode inject(IstioSidecarInjector injector, ObjectNode pod) {
        PodInjector.Result r = injector.inject(pod, "shop", ENABLED);
        assertThat(r.errors()).isEmpty();
        assertThat(r.injected()).as(r.reason()).isTrue();
        return r.pod();
    }

    private static String env(JsonNode pod, String name) {
        for (JsonNode e : IstioSidecarInjector.findSidecar(pod).path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(c -> out.add(c.path("name").asText()));
        return out;
    }

    @Test
    void reinjectingUnderTheSameSettingsGivesTheSamePod() throws Exception {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        JsonNode once = inject(injector, pod());
        JsonNode twice = inject(injector, (ObjectNode) once.deepCopy());
        assertThat(twice).isEqualTo(once);
        // the app's own scrape settings survive the second pass (they are in the agent's env, not lost)
        assertThat(env(twice, "ISTIO_PROMETHEUS_ANNOTATIONS")).contains("\"port\":\"9090\"");
        assertThat(names(twice.path("spec").path("initContainers"))).containsExactly("istio-init", "istio-proxy");
        assertThat(names(twice.path("spec").path("containers"))).containsExactly("web");
        // and the webhook's patch for it is empty
        assertThat(JsonPatches.diff((ObjectNode) once, (ObjectNode) twice)).isEmpty();
    }

    /** kube-inject of an injected manifest (istioctl's IntoResourceFile re-renders it too). */
    @Test
    void kubeInjectOfAnInjectedDeploymentGivesTheSameDeployment() throws Exception {
        JsonNode deployment = JSON.readTree("""
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
                 "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                   "metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "web", "image": "web:1",
                            "livenessProbe": {"tcpSocket": {"port": 8080}}}]}}}}
                """);
        ManifestInjector kubeInject = new ManifestInjector(new IstioSidecarInjector());
        ManifestInjector.Outcome once = kubeInject.inject(deployment);
        assertThat(once.errors()).isEmpty();
        assertThat(once.changed()).isTrue();
        ManifestInjector.Outcome twice = kubeInject.inject(once.document().deepCopy());
        assertThat(twice.errors()).isEmpty();
        assertThat(twice.document()).isEqualTo(once.document());
    }

    @Test
    void reinjectionFollowsChangedSettings() throws Exception {
        JsonNode once = inject(new IstioSidecarInjector(), pod());
        InjectionSettings newer = IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(SourceFile.ofString(
                "values.json", "{\"global\": {\"hub\": \"docker.io/istio\", \"tag\": \"1.28.1\","
                        + " \"network\": \"net-b\"}}"), null, null), InjectionSettings.defaults());
        JsonNode twice = inject(new IstioSidecarInjector(newer), (ObjectNode) once.deepCopy());
        JsonNode proxy = IstioSidecarInjector.findSidecar(twice);
        assertThat(proxy.path("image").asText()).isEqualTo("docker.io/istio/proxyv2:1.28.1");
        assertThat(env(twice, "ISTIO_META_NETWORK")).isEqualTo("net-b");
        assertThat(twice.path("metadata").path("labels").path("topology.istio.io/network").asText()).isEqualTo("net-b");
        assertThat(names(twice.path("spec").path("initContainers"))).containsExactly("istio-init", "istio-proxy");
        assertThat(names(twice.path("spec").path("volumes"))).doesNotHaveDuplicates();
    }

    @Test
    void probersOfTheEarlierInjectionAreMergedWithNewOnes() throws Exception {
        JsonNode once = inject(new IstioSidecarInjector(), pod());
        assertThat(env(once, "ISTIO_KUBE_APP_PROBERS")).contains("/app-health/web/readyz");
        // a container added since (e.g. by another webhook) with a probe of its own
        ObjectNode changed = (ObjectNode) once.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) changed.path("spec").path("containers")).add(JSON.readTree(
                "{\"name\": \"side\", \"image\": \"side:1\","
                        + " \"livenessProbe\": {\"httpGet\": {\"path\": \"/alive\", \"port\": 7070}}}"));
        JsonNode twice = inject(new IstioSidecarInjector(), changed);
        JsonNode probers = JSON.readTree(env(twice, "ISTIO_KUBE_APP_PROBERS"));
        assertThat(probers.path("/app-health/web/readyz").path("httpGet").path("port").asInt()).isEqualTo(8080);
        assertThat(probers.path("/app-health/side/livez").path("httpGet").path("port").asInt()).isEqualTo(7070);
        assertThat(IstioSidecarInjector.findSidecar(twice).path("env").findValues("name").stream()
                .filter(n -> n.asText().equals("ISTIO_KUBE_APP_PROBERS")).count()).isEqualTo(1);
        JsonNode side = twice.path("spec").path("containers").get(1);
        assertThat(side.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/app-health/side/livez");
        assertThat(JSON.readTree(twice.path("metadata").path("annotations").path("sidecar.istio.io/status").asText())
                .path("initContainers").toString()).isEqualTo("[\"istio-init\",\"istio-proxy\"]");
    }
}
