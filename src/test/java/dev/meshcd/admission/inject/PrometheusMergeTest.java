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
 * Prometheus metrics merging as Istio's applyPrometheusMerge: several scrape targets, the refusals of ports the
 * agent cannot scrape, and the status port taken from the mesh config's defaultConfig.statusPort.
 */
class PrometheusMergeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PodInjector.Result inject(InjectionSettings s, String annotationsJson) throws Exception {
        ObjectNode pod = (ObjectNode) JSON.readTree("{\"metadata\":{\"name\":\"m\",\"annotations\":" + annotationsJson
                + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app\"}]}}");
        return new IstioSidecarInjector(s).inject(pod, "ns", Map.of("istio-injection", "enabled"));
    }

    private static String agentConfig(JsonNode pod) {
        for (JsonNode e : IstioSidecarInjector.findSidecar(pod).path("env")) {
            if (e.path("name").asText().equals("ISTIO_PROMETHEUS_ANNOTATIONS")) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # pod annotations (JSON)                                                  | ISTIO_PROMETHEUS_ANNOTATIONS (empty: none)
            {}                                                                          |
            {"prometheus.io/port": "9090"}                                              | {"scrape":"","path":"","port":"9090"}
            {"prometheus.io/scrape": "true", "prometheus.istio.io/scrape-targets": "8080:/metrics, 9100:/custom , 7070"} | {"scrape":"true","path":"/metrics","port":"8080","targets":[{"port":"8080","path":"/metrics"},{"port":"9100","path":"/custom"},{"port":"7070","path":"/metrics"}]}
            {"prometheus.istio.io/scrape-targets": ":/metrics"}                         |
            {"prometheus.io/port": "9090", "prometheus.istio.io/scrape-targets": "8080"} | {"scrape":"","path":"/metrics","port":"8080","targets":[{"port":"8080","path":"/metrics"}]}
            """)
    void scrapeSettingsGoToTheAgent(String annotations, String expected) throws Exception {
        PodInjector.Result r = inject(InjectionSettings.defaults(), annotations);
        assertThat(r.errors()).isEmpty();
        assertThat(agentConfig(r.pod())).isEqualTo(expected);
        JsonNode a = r.pod().path("metadata").path("annotations");
        assertThat(a.path("prometheus.io/port").asText()).isEqualTo("15020");
        assertThat(a.path("prometheus.io/path").asText()).isEqualTo("/stats/prometheus");
        assertThat(a.has(SidecarMetadata.SCRAPE_TARGETS)).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # pod annotations (JSON)                                     | Istio's error
            {"prometheus.istio.io/scrape-targets": "8080,15090:/stats"}  | invalid prometheus scrape targets: target port 15090 is reserved for Istio (Envoy Prometheus (already merged)) and cannot be scraped
            {"prometheus.istio.io/scrape-targets": "http:/metrics"}      | invalid prometheus scrape targets: invalid target port "http"
            {"prometheus.istio.io/scrape-targets": "70000"}              | invalid prometheus scrape targets: invalid target port "70000"
            {"prometheus.io/port": "15000"}                              | invalid prometheus scrape configuration: port 15000 is reserved for Istio (Envoy admin) and cannot be scraped
            {"prometheus.io/port": "0"}                                  | invalid prometheus scrape configuration: invalid port "0"
            """)
    void portsTheAgentCannotScrapeRefuseThePod(String annotations, String error) throws Exception {
        PodInjector.Result r = inject(InjectionSettings.defaults(), annotations);
        assertThat(r.injected()).isFalse();
        assertThat(r.errors()).containsExactly(error);
    }

    @Test
    void theAgentPortIsTheMeshConfigsStatusPort() throws Exception {
        InjectionSettings s = IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(
                SourceFile.ofString("values.json", "{\"global\": {\"proxy\": {\"statusPort\": 15021}}}"), null,
                SourceFile.ofString("mesh.yaml", "defaultConfig: {statusPort: 15030}\n")), InjectionSettings.defaults());
        PodInjector.Result r = inject(s, "{\"prometheus.io/port\": \"9090\","
                + " \"proxy.istio.io/config\": \"statusPort: 15040\"}");
        assertThat(r.errors()).isEmpty();
        assertThat(r.pod().path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo("15030");
        // a target on the agent's port conflicts with it
        PodInjector.Result conflict = inject(s, "{\"prometheus.istio.io/scrape-targets\": \"15030\"}");
        assertThat(conflict.errors()).containsExactly(
                "invalid prometheus scrape targets: target port 15030 conflicts with agent port");
    }
}
