package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The proxyless gRPC templates under settings other than the goldens' (which IstioSettingsGoldenTest covers):
 * what the chart's grpc-agent.yaml and grpc-simple.yaml take from the values and mesh config must follow them.
 */
class GrpcTemplatesTest {
    private static final Path RENDERED = Path.of("src/test/resources/inject/istio-rendered");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static InjectionSettings settings(String values, String mesh) throws Exception {
        InjectionSettings base = IstioInjectorConfig.readFiles(RENDERED.resolve("values.json"),
                RENDERED.resolve("config.yaml"), RENDERED.resolve("mesh.yaml"), InjectionSettings.defaults());
        return IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(
                values == null ? null : SourceFile.ofString("values.json", values), null,
                mesh == null ? null : SourceFile.ofString("mesh.yaml", mesh)), base);
    }

    private static JsonNode inject(InjectionSettings s, String template, String extraAnnotations) throws Exception {
        ObjectNode pod = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
                + "\"name\":\"grpc\",\"namespace\":\"ns\",\"labels\":{\"app\":\"grpc\"},\"annotations\":{"
                + "\"inject.istio.io/templates\":\"" + template + "\"" + extraAnnotations + "}},\"spec\":{"
                + "\"serviceAccountName\":\"sa\",\"containers\":[{\"name\":\"app\",\"image\":\"app:1\","
                + "\"ports\":[{\"containerPort\":8080}],"
                + "\"readinessProbe\":{\"httpGet\":{\"port\":8080,\"path\":\"/ready\"}}}]}}");
        PodInjector.Result r = new IstioSidecarInjector(s).inject(pod, "ns", Map.of("istio-injection", "enabled"));
        assertThat(r.errors()).isEmpty();
        return r.pod();
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e.path("value").asText(null)));
        return out;
    }

    @Test
    void grpcAgentFollowsValuesAndMeshConfig() throws Exception {
        InjectionSettings s = settings("""
                {"global": {"hub": "docker.io/istio", "tag": "1.28.0", "network": "net-a", "meshID": "mesh-1",
                  "imagePullSecrets": ["pull"], "mountMtlsCerts": true, "imagePullPolicy": "Always",
                  "multiCluster": {"clusterName": "east"}}}
                """, """
                trustDomain: example.org
                defaultConfig:
                  proxyMetadata: {B: "2", A: "1"}
                """);
        JsonNode pod = inject(s, "grpc-agent", "");
        JsonNode proxy = IstioSidecarInjector.findSidecar(pod);
        assertThat(proxy.path("image").asText()).isEqualTo("docker.io/istio/proxyv2:1.28.0");
        assertThat(proxy.path("imagePullPolicy").asText()).isEqualTo("Always");
        Map<String, String> env = env(proxy);
        assertThat(env).containsEntry("ISTIO_META_NETWORK", "net-a").containsEntry("ISTIO_META_CLUSTER_ID", "east")
                .containsEntry("ISTIO_META_MESH_ID", "mesh-1").containsEntry("TRUST_DOMAIN", "example.org")
                .containsEntry("A", "1").containsEntry("B", "2").containsEntry("DISABLE_ENVOY", "true")
                .containsEntry("ISTIO_META_OWNER", "kubernetes://apis/v1/namespaces/ns/pods/grpc");
        // cluster and network at the end of the env, sorted, as overwriteClusterInfo moves them
        assertThat(env.keySet()).endsWith("ISTIO_META_CLUSTER_ID", "ISTIO_META_NETWORK");
        assertThat(pod.path("metadata").path("labels").path("topology.istio.io/network").asText()).isEqualTo("net-a");
        assertThat(pod.path("spec").path("imagePullSecrets").toString()).isEqualTo("[{\"name\":\"pull\"}]");
        assertThat(pod.path("spec").path("volumes").toString()).contains("\"secretName\":\"istio.sa\"");
        // the app container gets the bootstrap, its probe stays as written (rewriting is off)
        JsonNode app = pod.path("spec").path("containers").get(0);
        assertThat(app.path("name").asText()).isEqualTo("app");
        assertThat(env(app)).containsEntry("GRPC_XDS_BOOTSTRAP", "/etc/istio/proxy/grpc-bootstrap.json");
        assertThat(app.path("readinessProbe").path("httpGet").path("port").asInt()).isEqualTo(8080);
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo("15020");
        assertThat(JSON.readTree(pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText())
                .path("containers").toString()).isEqualTo("[\"istio-proxy\",\"app\"]");
    }

    @Test
    void grpcAgentStatusPortZeroDropsReadinessResourcesAndMounts() throws Exception {
        // the chart's readinessProbe condition encloses resources and volumeMounts too
        JsonNode proxy = IstioSidecarInjector.findSidecar(inject(settings(null, null), "grpc-agent",
                ",\"status.sidecar.istio.io/port\":\"0\""));
        assertThat(proxy.has("readinessProbe")).isFalse();
        assertThat(proxy.has("resources")).isFalse();
        assertThat(proxy.has("volumeMounts")).isFalse();
    }

    @Test
    void grpcSimpleBootstrapsFromTheIstioNamespace() throws Exception {
        JsonNode pod = inject(settings("{\"global\": {\"istioNamespace\": \"mesh-system\"}}", null), "grpc-simple", "");
        assertThat(IstioSidecarInjector.findSidecar(pod)).isNull();
        JsonNode init = pod.path("spec").path("initContainers").get(0);
        assertThat(init.path("name").asText()).isEqualTo("grpc-bootstrap-init");
        assertThat(env(init)).containsEntry("ISTIO_NAMESPACE", "mesh-system\n");
        assertThat(env(pod.path("spec").path("containers").get(0)))
                .containsEntry("GRPC_XDS_BOOTSTRAP", "/var/lib/grpc/data/bootstrap.json");
        assertThat(pod.path("metadata").path("labels").has("service.istio.io/canonical-name")).isFalse();
    }
}
