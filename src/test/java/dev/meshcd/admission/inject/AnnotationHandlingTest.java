package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** How pod annotations shape the injected pod, and which values are refused. */
class AnnotationHandlingTest {
    static final IstioSidecarInjector INJECTOR = new IstioSidecarInjector();
    static final WorkloadMeta DEPLOYMENT = new WorkloadMeta("web", "shop", "apps/v1", "Deployment");

    static ObjectNode pod(String... annotations) {
        ObjectNode pod = Json.obj("metadata", Json.obj("labels", Json.obj("app", "web")),
                "spec", Json.obj("containers", Json.arr(Json.obj("name", "web", "image", "nginx",
                        "ports", Json.arr(Json.obj("name", "http", "containerPort", 8080)),
                        "readinessProbe", Json.obj("httpGet", Json.obj("path", "/ready", "port", "http",
                                "scheme", "HTTPS"), "timeoutSeconds", 2)))));
        ObjectNode a = ((ObjectNode) pod.get("metadata")).putObject("annotations");
        for (int i = 0; i < annotations.length; i += 2) {
            a.put(annotations[i], annotations[i + 1]);
        }
        return pod;
    }

    static JsonNode inject(ObjectNode pod) {
        PodInjector.Result r = INJECTOR.injectManually(pod, DEPLOYMENT);
        assertThat(r.errors()).isEmpty();
        assertThat(r.injected()).isTrue();
        return r.pod();
    }

    static JsonNode container(JsonNode pod, String name) {
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                if (c.path("name").asText().equals(name)) {
                    return c;
                }
            }
        }
        return null;
    }

    static List<String> args(JsonNode pod) {
        List<String> out = new ArrayList<>();
        container(pod, "istio-init").path("args").forEach(a -> out.add(a.asText()));
        return out;
    }

    static String env(JsonNode pod, String name) {
        for (JsonNode e : container(pod, "istio-proxy").path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText("");
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}={1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "traffic.sidecar.istio.io/includeOutboundIPRanges|10.0.0.0/8,fd00::/8|-i|10.0.0.0/8,fd00::/8",
        "traffic.sidecar.istio.io/excludeOutboundIPRanges|10.96.0.1/32|-x|10.96.0.1/32",
        "traffic.sidecar.istio.io/includeInboundPorts|80,8080|-b|80,8080",
        "traffic.sidecar.istio.io/excludeInboundPorts|9000|-d|15090,15021,9000,15020",
        "traffic.sidecar.istio.io/excludeInboundPorts|15020,9000|-d|15090,15021,15020,9000",
        "status.sidecar.istio.io/port|0|-d|15090,15021",
        "traffic.sidecar.istio.io/includeOutboundPorts|443|-q|443",
        "traffic.sidecar.istio.io/excludeOutboundPorts|3306,5432|-o|3306,5432",
        "traffic.sidecar.istio.io/kubevirtInterfaces|net1|-k|net1",
        "traffic.sidecar.istio.io/excludeInterfaces|eth1|-c|eth1",
        "sidecar.istio.io/interceptionMode|TPROXY|-m|TPROXY",
        "sidecar.istio.io/agentLogLevel|default:debug|--log_output_level=default:debug|",
    })
    void trafficAnnotationsBecomeIptablesArguments(String annotation, String value, String flag, String expected) {
        List<String> args = args(inject(pod(annotation, value)));
        if (expected == null) {
            assertThat(args).contains(flag);
        } else {
            assertThat(args.get(args.indexOf(flag) + 1)).isEqualTo(expected);
        }
    }

    @Test
    void withoutOutboundPortAnnotationsThereIsNoQOrO() {
        assertThat(args(inject(pod()))).doesNotContain("-q", "-o", "-k", "-c");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/33", "includeIPRanges"),
                Arguments.of("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.1", "includeIPRanges"),
                Arguments.of("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/8,", "excludeIPRanges"),
                Arguments.of("traffic.sidecar.istio.io/includeInboundPorts", "80,x", "includeInboundPorts"),
                Arguments.of("traffic.sidecar.istio.io/includeInboundPorts", "70000", "includeInboundPorts"),
                Arguments.of("traffic.sidecar.istio.io/excludeInboundPorts", "*", "excludeInboundPorts"),
                Arguments.of("traffic.sidecar.istio.io/excludeOutboundPorts", "-1", "excludeOutboundPorts"),
                Arguments.of("sidecar.istio.io/interceptionMode", "IPVS", "interceptionMode"),
                Arguments.of("status.sidecar.istio.io/port", "http", "status.sidecar.istio.io/port"),
                Arguments.of("readiness.status.sidecar.istio.io/periodSeconds", "-5", "periodSeconds"),
                Arguments.of("prometheus.istio.io/merge-metrics", "maybe", "merge-metrics"),
                Arguments.of("proxy.istio.io/config", "holdApplication: true", "unknown ProxyConfig field"),
                Arguments.of("proxy.istio.io/config", "[1, 2]", "mapping"),
                Arguments.of("sidecar.istio.io/userVolume", "{not json", "userVolume"),
                Arguments.of("sidecar.istio.io/proxyMemory", "lots", "not a resource quantity"),
                Arguments.of("inject.istio.io/templates", "sidecar,nope", "template \"nope\" not found"));
    }

    @ParameterizedTest(name = "{0}={1} refused")
    @MethodSource("refused")
    void badValuesAreRefused(String annotation, String value, String expected) {
        ObjectNode pod = pod(annotation, value);
        PodInjector.Result r = INJECTOR.injectManually(pod, DEPLOYMENT);
        assertThat(r.injected()).isFalse();
        assertThat(r.refused()).isTrue();
        assertThat(String.join("\n", r.errors())).contains(expected);
        assertThat(r.pod()).isSameAs(pod);
    }

    @ParameterizedTest(name = "{0}={1} accepted")
    @CsvSource(delimiter = '|', value = {
        "traffic.sidecar.istio.io/includeOutboundIPRanges|*",
        "traffic.sidecar.istio.io/includeOutboundIPRanges|''",
        "traffic.sidecar.istio.io/excludeOutboundIPRanges|2001:db8::/32,10.0.0.0/8",
        "traffic.sidecar.istio.io/includeInboundPorts|*",
        "traffic.sidecar.istio.io/excludeInboundPorts| 80 , 443",
        "prometheus.istio.io/merge-metrics|F",
        "proxy.istio.io/config|{\"holdApplicationUntilProxyStarts\": true}",
    })
    void goodValuesAreAccepted(String annotation, String value) {
        assertThat(TrafficRules.validate(Map.of(annotation, value == null ? "" : value))).isEmpty();
    }

    @Test
    void resourceAnnotationsOverrideOnlyWhatTheySay() {
        JsonNode only = container(inject(pod("sidecar.istio.io/proxyCPU", "500m")), "istio-proxy");
        assertThat(only.path("resources").toString()).isEqualTo("{\"requests\":{\"cpu\":\"500m\"}}");
        JsonNode all = container(inject(pod("sidecar.istio.io/proxyCPU", "0.5", "sidecar.istio.io/proxyMemory", "1024Mi",
                "sidecar.istio.io/proxyCPULimit", "2000m", "sidecar.istio.io/proxyMemoryLimit", "3Gi")), "istio-init");
        assertThat(all.path("resources").toString())
                .isEqualTo("{\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"2\",\"memory\":\"3Gi\"}}");
    }

    @Test
    void statusPortZeroDropsProxyProbes() {
        JsonNode proxy = container(inject(pod("status.sidecar.istio.io/port", "0")), "istio-proxy");
        assertThat(proxy.has("readinessProbe")).isFalse();
        assertThat(proxy.has("startupProbe")).isFalse();
    }

    @Test
    void tproxyRunsTheProxyAsRootWithNetAdmin() {
        JsonNode proxy = container(inject(pod("sidecar.istio.io/interceptionMode", "TPROXY")), "istio-proxy");
        assertThat(proxy.path("securityContext").path("runAsUser").asInt()).isZero();
        assertThat(proxy.path("securityContext").path("capabilities").path("add").toString()).contains("NET_ADMIN");
        assertThat(env(inject(pod("sidecar.istio.io/interceptionMode", "TPROXY")), "ISTIO_META_INTERCEPTION_MODE"))
                .isEqualTo("TPROXY");
    }

    @Test
    void interceptionNoneWithoutNativeSidecarsHasNoInitContainer() {
        JsonNode pod = inject(pod("sidecar.istio.io/interceptionMode", "NONE", "sidecar.istio.io/nativeSidecar", "false"));
        assertThat(container(pod, "istio-init")).isNull();
        assertThat(pod.path("spec").path("containers").get(1).path("name").asText()).isEqualTo("istio-proxy");
        assertThat(container(pod, "istio-proxy").has("restartPolicy")).isFalse();
        assertThat(container(pod, "istio-proxy").has("lifecycle")).isFalse();
        assertThat(pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText())
                .contains("\"initContainers\":null,\"containers\":[\"istio-proxy\"]");
    }

    @Test
    void proxyConfigAnnotationReachesEnvAndOrdering() {
        JsonNode pod = inject(pod("sidecar.istio.io/nativeSidecar", "false", "proxy.istio.io/config",
                "holdApplicationUntilProxyStarts: true\nproxyMetadata:\n  B: two\n  A: one\nstatusPort: 15020\n"));
        JsonNode proxy = container(pod, "istio-proxy");
        assertThat(pod.path("spec").path("containers").get(0).path("name").asText()).isEqualTo("istio-proxy");
        assertThat(proxy.path("lifecycle").path("postStart").path("exec").path("command").toString())
                .isEqualTo("[\"pilot-agent\",\"wait\"]");
        // protojson writes map keys sorted (Istio's traffic-annotations golden)
        assertThat(env(pod, "PROXY_CONFIG"))
                .isEqualTo("{\"proxyMetadata\":{\"A\":\"one\",\"B\":\"two\"},\"holdApplicationUntilProxyStarts\":true}\n");
        ArrayNode env = (ArrayNode) proxy.path("env");
        assertThat(env.get(env.size() - 3).path("name").asText()).isEqualTo("A");
        assertThat(env.get(env.size() - 2).path("name").asText()).isEqualTo("B");
        assertThat(container(pod, "istio-init").path("env").toString())
                .isEqualTo("[{\"name\":\"A\",\"value\":\"one\"},{\"name\":\"B\",\"value\":\"two\"}]");
        // init container last without native sidecars
        assertThat(container(pod, "istio-init")).isNotNull();
    }

    @Test
    void probesAreRewrittenAndHttpsBecomesHttp() {
        JsonNode pod = inject(pod());
        JsonNode probe = container(pod, "web").path("readinessProbe");
        assertThat(probe.toString()).isEqualTo(
                "{\"httpGet\":{\"path\":\"/app-health/web/readyz\",\"port\":15020,\"scheme\":\"HTTP\"},\"timeoutSeconds\":2}");
        assertThat(env(pod, "ISTIO_KUBE_APP_PROBERS")).isEqualTo(
                "{\"/app-health/web/readyz\":{\"httpGet\":{\"path\":\"/ready\",\"port\":8080,\"scheme\":\"HTTPS\"},"
                        + "\"timeoutSeconds\":2}}");
        JsonNode untouched = inject(pod("sidecar.istio.io/rewriteAppHTTPProbers", "false"));
        assertThat(container(untouched, "web").path("readinessProbe").path("httpGet").path("port").asText())
                .isEqualTo("http");
        assertThat(env(untouched, "ISTIO_KUBE_APP_PROBERS")).isNull();
        JsonNode excluded = inject(pod("traffic.sidecar.istio.io/excludeInboundPorts", "8080"));
        assertThat(env(excluded, "ISTIO_KUBE_APP_PROBERS")).isNull();
    }

    @Test
    void prometheusMergeKeepsTheAppsScrapeSettings() {
        JsonNode pod = inject(pod("prometheus.io/port", "9090", "prometheus.io/path", "/metrics"));
        JsonNode a = pod.path("metadata").path("annotations");
        assertThat(a.path("prometheus.io/port").asText()).isEqualTo("15020");
        assertThat(a.path("prometheus.io/path").asText()).isEqualTo("/stats/prometheus");
        assertThat(env(pod, "ISTIO_PROMETHEUS_ANNOTATIONS")).isEqualTo("{\"scrape\":\"\",\"path\":\"/metrics\",\"port\":\"9090\"}");
        JsonNode off = inject(pod("prometheus.io/scrape", "false"));
        assertThat(off.path("metadata").path("annotations").path("prometheus.io/scrape").asText()).isEqualTo("false");
        assertThat(off.path("metadata").path("annotations").has("prometheus.io/port")).isFalse();
        JsonNode noMerge = inject(pod("prometheus.istio.io/merge-metrics", "false"));
        assertThat(noMerge.path("metadata").path("annotations").has("prometheus.io/port")).isFalse();
    }

    @Test
    void labelsAndAnnotationsFromTheTemplate() {
        ObjectNode p = pod("kubectl.kubernetes.io/default-container", "sidecar-helper");
        ((ObjectNode) p.path("metadata").path("labels")).put("app.kubernetes.io/name",
                "-" + "x".repeat(70)).put("version", "v2").put("security.istio.io/tlsMode", "disabled");
        JsonNode pod = inject(p);
        JsonNode labels = pod.path("metadata").path("labels");
        assertThat(labels.path("service.istio.io/canonical-name").asText()).isEqualTo("x".repeat(62));
        assertThat(labels.path("service.istio.io/canonical-revision").asText()).isEqualTo("v2");
        assertThat(labels.path("security.istio.io/tlsMode").asText()).isEqualTo("disabled");
        JsonNode a = pod.path("metadata").path("annotations");
        assertThat(a.path("kubectl.kubernetes.io/default-container").asText()).isEqualTo("sidecar-helper");
        assertThat(a.path("kubectl.kubernetes.io/default-logs-container").asText()).isEqualTo("web");
        assertThat(env(pod, "ISTIO_META_OWNER")).isEqualTo("kubernetes://apis/apps/v1/namespaces/shop/deployments/web");
    }

    @Test
    void userVolumesAndBootstrapOverride() {
        JsonNode pod = inject(pod("sidecar.istio.io/userVolume", "{\"b\":{\"secret\":{\"secretName\":\"s\"}},\"a\":{\"emptyDir\":{}}}",
                "sidecar.istio.io/userVolumeMount", "{\"b\":{\"mountPath\":\"/b\",\"readOnly\":true}}",
                "sidecar.istio.io/bootstrapOverride", "my-bootstrap"));
        List<String> volumes = new ArrayList<>();
        pod.path("spec").path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        assertThat(volumes).containsSubsequence("workload-certs", "custom-bootstrap-volume", "istio-envoy",
                "istio-ca-crl", "a", "b");
        assertThat(container(pod, "istio-proxy").path("volumeMounts").toString())
                .contains("{\"name\":\"b\",\"mountPath\":\"/b\",\"readOnly\":true}")
                .contains("/etc/istio/custom-bootstrap");
        assertThat(env(pod, "ISTIO_BOOTSTRAP_OVERRIDE")).isEqualTo("/etc/istio/custom-bootstrap/custom_bootstrap.json");
    }

    @Test
    void webhookDerivesTheWorkloadFromOwnerReferences() {
        ObjectNode p = pod();
        ObjectNode meta = (ObjectNode) p.get("metadata");
        meta.put("generateName", "web-7d9f8c6b5-");
        ((ObjectNode) meta.get("labels")).put("pod-template-hash", "7d9f8c6b5");
        meta.putArray("ownerReferences").add(Json.obj("apiVersion", "apps/v1", "kind", "ReplicaSet",
                "name", "web-7d9f8c6b5", "controller", true));
        PodInjector.Result r = INJECTOR.inject(p, "shop", Map.of("istio-injection", "enabled"));
        assertThat(env(r.pod(), "ISTIO_META_WORKLOAD_NAME")).isEqualTo("web");
        assertThat(env(r.pod(), "ISTIO_META_OWNER")).isEqualTo("kubernetes://apis/apps/v1/namespaces/shop/deployments/web");
        assertThat(WorkloadMeta.fromPod(Json.obj("metadata", Json.obj("name", "", "generateName", "nightly-28391234-",
                "ownerReferences", Json.arr(Json.obj("apiVersion", "batch/v1", "kind", "Job",
                        "name", "nightly-28391234", "controller", true)))), "ops"))
                .isEqualTo(new WorkloadMeta("nightly", "ops", "batch/v1", "CronJob"));
    }

    @Test
    void userDefinedProxyContainerOverridesTheTemplate() {
        ObjectNode p = pod();
        ((ArrayNode) p.path("spec").path("containers")).add(Json.obj("name", "istio-proxy", "image", "auto",
                "resources", Json.obj("limits", Json.obj("memory", "2Gi")),
                "securityContext", Json.obj("runAsUser", 2000)));
        JsonNode pod = inject(p);
        JsonNode proxy = container(pod, "istio-proxy");
        assertThat(pod.path("spec").path("containers")).hasSize(1);
        assertThat(proxy.path("image").asText()).isEqualTo("registry.istio.io/testing/proxyv2:latest");
        assertThat(proxy.path("resources").path("limits").path("memory").asText()).isEqualTo("2Gi");
        assertThat(proxy.path("resources").path("limits").path("cpu").asText()).isEqualTo("2");
        assertThat(args(pod).get(args(pod).indexOf("-u") + 1)).isEqualTo("2000");
        assertThat(pod.path("metadata").path("annotations").path("proxy.istio.io/overrides").asText()).isEqualTo(
                "{\"initContainers\":[{\"name\":\"istio-proxy\",\"resources\":{\"limits\":{\"memory\":\"2Gi\"}},"
                        + "\"securityContext\":{\"runAsUser\":2000}}]}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"1000m,1", "2000m,2", "100m,100m", "1024Mi,1Gi", "1536Mi,1536Mi", "128Mi,128Mi", "0.5,500m",
            "2000,2k", "1500,1500", "1e3,1e3", "1000e0,1e3", "512,512", "1.5Gi,1536Mi", "0,0", "0.0001,100u"})
    void quantitiesAreCanonical(String in, String out) {
        assertThat(Quantities.canonical(in)).isEqualTo(out);
    }
}
