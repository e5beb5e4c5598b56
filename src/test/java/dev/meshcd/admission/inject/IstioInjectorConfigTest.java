package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading Istio's injector inputs. src/test/resources/inject/istio-rendered holds what {@code istioctl manifest
 * generate --set profile=empty --set components.pilot.enabled=true --set hub=registry.istio.io/testing --set
 * tag=latest} renders (istioctl at the oracle's pinned version): the istio-sidecar-injector ConfigMap's
 * {@code values} and {@code config} and the istio ConfigMap's {@code mesh}, the goldens' settings.
 */
class IstioInjectorConfigTest {
    private static final Path RENDERED = Path.of("src/test/resources/inject/istio-rendered");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static InjectionSettings rendered() throws Exception {
        return IstioInjectorConfig.readFiles(RENDERED.resolve("values.json"), RENDERED.resolve("config.yaml"),
                RENDERED.resolve("mesh.yaml"), InjectionSettings.defaults());
    }

    private static InjectionSettings read(String values, String config, String mesh) throws InjectionConfigException {
        return IstioInjectorConfig.read(new IstioInjectorConfig.Inputs(
                values == null ? null : SourceFile.ofString("values.json", values),
                config == null ? null : SourceFile.ofString("config.yaml", config),
                mesh == null ? null : SourceFile.ofString("mesh.yaml", mesh)), InjectionSettings.defaults());
    }

    private static ObjectNode pod(String annotations, String labels) throws Exception {
        return (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"hello\","
                + "\"namespace\":\"default\",\"annotations\":{" + annotations + "},\"labels\":{" + labels + "}},"
                + "\"spec\":{\"containers\":[{\"name\":\"hello\",\"image\":\"hello:1\"}]}}");
    }

    private static PodInjector.Result inject(InjectionSettings s, ObjectNode pod) {
        return new IstioSidecarInjector(s).injectManually(pod, WorkloadMeta.fromPod(pod, "default"));
    }

    private static List<String> envNames(JsonNode pod) {
        List<String> names = new ArrayList<>();
        IstioSidecarInjector.findSidecar(pod).path("env").forEach(e -> names.add(e.path("name").asText()));
        return names;
    }

    @Test
    void istiosOwnRenderedInputsGiveTheGoldensSettings() throws Exception {
        InjectionSettings s = rendered();
        InjectionSettings d = InjectionSettings.defaults();
        assertThat(s.images()).isEqualTo(d.images());
        assertThat(s.proxy()).isEqualTo(d.proxy());
        assertThat(s.traffic()).isEqualTo(d.traffic());
        assertThat(s.mesh().revision()).isEqualTo("default");
        assertThat(s.policy().autoInject()).isTrue();
        assertThat(s.policy().defaultTemplates()).containsExactly("sidecar");
        assertThat(s.policy().templates()).contains("sidecar", "gateway", "grpc-agent", "grpc-simple", "waypoint");
        ObjectNode p = pod("", "");
        assertThat(inject(s, p).pod()).isEqualTo(inject(d, p).pod());
    }

    @Test
    void valuesAndMeshConfigReachTheInjectedPod() throws Exception {
        InjectionSettings s = read("""
                {"global": {"hub": "docker.io/istio", "tag": "1.28.0", "network": "net1",
                            "proxy": {"statusPort": 15030}},
                 "revision": "canary"}""", null, """
                defaultConfig:
                  discoveryAddress: istiod-canary.istio-system.svc:15012
                  holdApplicationUntilProxyStarts: true
                  proxyMetadata: {FOO: bar}
                trustDomain: example.org
                """);
        JsonNode injected = inject(s.withNativeSidecars(false), pod("", "")).pod();
        JsonNode sidecar = IstioSidecarInjector.findSidecar(injected);
        assertThat(sidecar.path("image").asText()).isEqualTo("docker.io/istio/proxyv2:1.28.0");
        assertThat(injected.path("metadata").path("labels").path("istio.io/rev").asText("")).isIn("", "canary");
        assertThat(injected.path("metadata").path("annotations").path("sidecar.istio.io/status").asText())
                .contains("\"revision\":\"canary\"");
        assertThat(injected.path("metadata").path("labels").path("topology.istio.io/network").asText())
                .isEqualTo("net1");
        assertThat(envNames(injected)).endsWith("ISTIO_META_NETWORK").contains("FOO");
        assertThat(sidecar.toString()).contains("istiod-canary.istio-system.svc:15012").contains("example.org");
        // holdApplicationUntilProxyStarts (regular sidecars): istio-proxy first
        assertThat(injected.path("spec").path("containers").get(0).path("name").asText()).isEqualTo("istio-proxy");
    }

    @Test
    void aPodLabelNamesItsNetworkOverTheValues() throws Exception {
        InjectionSettings s = read("{\"global\": {\"network\": \"net1\", \"multiCluster\": {\"clusterName\": \"c1\"}}}",
                null, null);
        JsonNode injected = inject(s, pod("", "\"topology.istio.io/network\": \"net2\"")).pod();
        List<String> env = envNames(injected);
        assertThat(env.subList(env.size() - 2, env.size())).containsExactly("ISTIO_META_CLUSTER_ID", "ISTIO_META_NETWORK");
        assertThat(IstioSidecarInjector.findSidecar(injected).path("env").get(env.size() - 1).path("value").asText())
                .isEqualTo("net2");
    }

    @Test
    void templatesDefaultTemplatesAndAliases() throws Exception {
        InjectionSettings s = read(null, """
                policy: enabled
                defaultTemplates: [gw]
                aliases: {gw: [gateway]}
                templates:
                  sidecar: "..."
                  gateway: "..."
                  grpc-agent: "..."
                  mine: "{{ .Values.global.hub }}"
                """, null);
        JsonNode gw = inject(s, pod("", "")).pod();
        assertThat(gw.path("spec").path("containers").toString()).contains("router");

        PodInjector.Result grpc = inject(s, pod("\"inject.istio.io/templates\": \"grpc-agent\"", ""));
        assertThat(grpc.errors()).isEmpty();
        assertThat(grpc.pod().path("spec").path("containers").toString()).contains("DISABLE_ENVOY");
        assertThat(inject(s, pod("\"inject.istio.io/templates\": \"mine\"", "")).errors()).containsExactly(
                "requested template \"mine\" is a Go template of the injector config that meshcd cannot render;"
                        + " meshcd renders sidecar, gateway, grpc-agent, grpc-simple and custom templates without"
                        + " {{ }} actions");
        assertThat(inject(s, pod("\"inject.istio.io/templates\": \"nope\"", "")).errors())
                .containsExactly("requested template \"nope\" not found; have gateway, grpc-agent, mine, sidecar");
    }

    /** A custom template without Go actions is a pod overlay; merged after the ones before it, as istiod merges. */
    @Test
    void customTemplatesWithoutActionsAreRendered() throws Exception {
        InjectionSettings s = read(null, """
                templates:
                  sidecar: "..."
                  extra: |
                    metadata:
                      labels: {team: mesh}
                    spec:
                      containers:
                      - name: istio-proxy
                        env:
                        - {name: EXTRA, value: "1"}
                  spec-only: |
                    spec: {}
                """, null);
        // (with native sidecars istio-proxy is an init container: a template must name it there, as with istiod)
        PodInjector.Result r = inject(s, pod("\"inject.istio.io/templates\": \"sidecar,extra\","
                + " \"sidecar.istio.io/nativeSidecar\": \"false\"", ""));
        assertThat(r.errors()).isEmpty();
        assertThat(envNames(r.pod())).contains("EXTRA", "PROXY_CONFIG");
        assertThat(r.pod().path("metadata").path("labels").path("team").asText()).isEqualTo("mesh");
        assertThatThrownBy(() -> read(null, "templates:\n  bad: |\n    kind: Pod\n", null))
                .isInstanceOf(InjectionConfigException.class)
                .hasMessageContaining("templates.bad: template \"bad\" has \"kind\"");
        assertThatThrownBy(() -> read(null, "templates:\n  bad: \"a: [\"\n", null))
                .isInstanceOf(InjectionConfigException.class).hasMessageContaining("is not YAML");
    }

    @Test
    void policyDisabledInjectsOnlyPodsThatOptIn() throws Exception {
        InjectionSettings s = read(null, "policy: disabled\n", null);
        assertThat(s.policy().autoInject()).isFalse();
        assertThat(InjectionPolicy.forWebhook(s, pod("", ""), "default", Map.of("istio-injection", "enabled")).inject())
                .isFalse();
        assertThat(InjectionPolicy.forWebhook(s, pod("\"sidecar.istio.io/inject\": \"true\"", ""), "default",
                Map.of("istio-injection", "enabled")).inject()).isTrue();
    }

    /** Positions are those of the field's key, as everywhere in meshcd's diagnostics. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown values field    | values | {"global": {"proxy": {"statusPrt": 1}}}         | values.json:1:23: global.proxy.statusPrt: unknown field "statusPrt"
            wrong type              | values | {"global": {"proxy": {"statusPort": "abc"}}}    | values.json:1:23: global.proxy.statusPort: expected an integer, found a string
            port out of range       | values | {"global": {"proxy": {"statusPort": 70000}}}    | values.json:1:23: global.proxy.statusPort: 70000 is out of range [0, 65535]
            bad quantity            | values | {"global": {"proxy": {"resources": {"limits": {"cpu": "lots"}}}}} | values.json:1:48: global.proxy.resources.limits.cpu: not a resource quantity: "lots"
            unsupported value       | values | {"global": {"proxy": {"enableCoreDump": true}}} | values.json:1:23: global.proxy.enableCoreDump: not supported by meshcd's injection (only its chart default is)
            not a mapping           | values | [1, 2]                                          | values.json:1:1: document 1 is a array
            unparsable              | values | {"global": [}                                   | values.json:1:
            bad policy              | config | policy: maybe                                   | config.yaml:1:1: policy: expected enabled or disabled, found "maybe"
            unknown config field    | config | polcy: enabled                                  | config.yaml:1:1: polcy: unknown field "polcy"
            selector operator       | config | 'neverInjectSelector: [{matchExpressions: [{key: a, operator: Equals}]}]' | config.yaml:1:52: neverInjectSelector[0].matchExpressions[0].operator: expected In, NotIn, Exists or DoesNotExist, found "Equals"
            selector without values | config | 'alwaysInjectSelector: [{matchExpressions: [{key: a, operator: In}]}]' | config.yaml:1:
            selector field          | config | 'alwaysInjectSelector: [{matchLabel: {a: b}}]'  | config.yaml:1:25: alwaysInjectSelector[0].matchLabel: unknown field "matchLabel"
            unknown mesh field      | mesh   | 'defaultConfig: {statusPrt: 1}'                 | mesh.yaml:1:17: defaultConfig.statusPrt: unknown field "statusPrt"
            bad interception mode   | mesh   | 'defaultConfig: {interceptionMode: MAGIC}'      | mesh.yaml:1:17: defaultConfig.interceptionMode: expected REDIRECT, TPROXY or NONE, found "MAGIC"
            bad image type          | mesh   | 'defaultConfig: {image: {imageType: slim}}'     | mesh.yaml:1:25: defaultConfig.image.imageType: expected default, debug or distroless, found "slim"
            """)
    void malformedInputIsOneErrorAtItsPosition(String name, String which, String text, String message) {
        assertThatThrownBy(() -> read(which.equals("values") ? text : null, which.equals("config") ? text : null,
                which.equals("mesh") ? text : null))
                .isInstanceOf(InjectionConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void aFileLargerThanAnyConfigMapIsRefusedUnread(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path big = tmp.resolve("values.json");
        Files.write(big, new byte[IstioInjectorConfig.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> IstioInjectorConfig.readFiles(big, null, null, InjectionSettings.defaults()))
                .hasMessageContaining("larger than");
    }
}
