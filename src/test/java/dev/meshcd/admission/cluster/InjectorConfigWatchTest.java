package dev.meshcd.admission.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.inject.IstioInjectorConfig;
import dev.meshcd.admission.inject.PodInjector;
import dev.meshcd.compiler.source.SourceFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which settings the next /inject request uses as Istio's injector ConfigMaps come, change, break and go. The
 * watch's handlers are driven directly with ConfigMap objects (the informers around them are exercised against the
 * real API server by InjectionFollowsClusterTest).
 */
class InjectorConfigWatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENABLED = Map.of("istio-injection", "enabled");

    static ConfigMap injectorCm(String name, String values, String config, String rv) {
        Map<String, String> data = new java.util.LinkedHashMap<>();
        if (values != null) {
            data.put("values", values);
        }
        if (config != null) {
            data.put("config", config);
        }
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("istio-system")
                .withResourceVersion(rv).endMetadata().withData(data).build();
    }

    static ConfigMap meshCm(String name, String mesh, String rv) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("istio-system")
                .withResourceVersion(rv).endMetadata().withData(Map.of("mesh", mesh)).build();
    }

    static String values(String hub, String tag) {
        return "{\"global\":{\"hub\":\"" + hub + "\",\"tag\":\"" + tag + "\"}}";
    }

    static ObjectNode pod(String labels) throws Exception {
        return (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                + "\"namespace\":\"shop\",\"labels\":{" + labels + "}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:1\"}]}}");
    }

    /** istio-proxy, in containers or (native sidecar) initContainers. */
    static JsonNode sidecar(JsonNode pod) {
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                if ("istio-proxy".equals(c.path("name").asText())) {
                    return c;
                }
            }
        }
        return JSON.createObjectNode();
    }

    static String proxyImage(PodInjector.Result r) {
        return sidecar(r.pod()).path("image").asText();
    }

    static InjectorConfigWatch watch(String revision) {
        InjectorConfigWatch w = new InjectorConfigWatch(null,
                new InjectorConfigWatch.Options("istio-system", revision, null, null));
        w.metrics(new PrometheusRegistry());
        return w;
    }

    @ParameterizedTest(name = "revision {0}: {1}, {2}")
    @CsvSource({"default, istio-sidecar-injector, istio", "'', istio-sidecar-injector, istio",
            "canary, istio-sidecar-injector-canary, istio-canary", "1-28-0, istio-sidecar-injector-1-28-0, istio-1-28-0"})
    void configMapNamesAreIstiodsForTheRevision(String revision, String injector, String mesh) {
        InjectorConfigWatch.Options o = new InjectorConfigWatch.Options("istio-system", revision, null, null);
        assertThat(o.injectorConfigMap()).isEqualTo(injector);
        assertThat(o.meshConfigMap()).isEqualTo(mesh);
    }

    @Test
    void absentConfigMapsLeaveTheDefaultsAndReadyzSaysSo() throws Exception {
        InjectorConfigWatch w = watch("default");
        w.synced(List.of());
        assertThat(w.injector().settings().images().hub()).isEqualTo("registry.istio.io/testing");
        assertThat(w.note()).hasValueSatisfying(n -> assertThat(n)
                .contains("no ConfigMap istio-system/istio-sidecar-injector: values and config from meshcd's defaults")
                .contains("no ConfigMap istio-system/istio: mesh config from meshcd's defaults"));
        assertThat(proxyImage(w.injector().inject(pod(""), "shop", ENABLED)))
                .isEqualTo("registry.istio.io/testing/proxyv2:latest");
    }

    @Test
    void absentConfigMapsLeaveTheFilesGivenWhereThereAreFiles() throws Exception {
        InjectorConfigWatch w = new InjectorConfigWatch(null, new InjectorConfigWatch.Options("istio-system", null,
                new IstioInjectorConfig.Inputs(SourceFile.ofString("values.json", values("file.example", "1.0")),
                        null, null), null));
        w.synced(List.of(meshCm("istio", "trustDomain: example.org\n", "7")));
        assertThat(w.injector().settings().images().hub()).isEqualTo("file.example");
        assertThat(w.injector().settings().mesh().trustDomain()).isEqualTo("example.org");
        assertThat(w.note()).hasValueSatisfying(n -> assertThat(n)
                .contains("no ConfigMap istio-system/istio-sidecar-injector: values and config from the files given")
                .contains("ConfigMap istio-system/istio (resourceVersion 7)"));
    }

    @Test
    void aChangeAppliesToTheNextRequest() throws Exception {
        InjectorConfigWatch w = watch("default");
        w.synced(List.of(injectorCm("istio-sidecar-injector", values("docker.io/istio", "1.28.0"), null, "1")));
        assertThat(w.note()).hasValueSatisfying(n -> assertThat(n)
                .contains("no ConfigMap istio-system/istio: mesh config from meshcd's defaults"));
        PodInjector injector = w.injector();
        assertThat(proxyImage(injector.inject(pod(""), "shop", ENABLED))).isEqualTo("docker.io/istio/proxyv2:1.28.0");

        w.changed(injectorCm("istio-sidecar-injector", values("docker.io/istio", "1.28.1"), null, "2"));
        assertThat(proxyImage(injector.inject(pod(""), "shop", ENABLED))).isEqualTo("docker.io/istio/proxyv2:1.28.1");

        w.changed(meshCm("istio", "defaultConfig:\n  discoveryAddress: istiod-blue.istio-system.svc:15012\n", "3"));
        JsonNode env = sidecar(injector.inject(pod(""), "shop", ENABLED).pod()).path("env");
        assertThat(env.toString()).contains("istiod-blue.istio-system.svc:15012");

        w.deleted("istio-sidecar-injector");
        assertThat(proxyImage(injector.inject(pod(""), "shop", ENABLED)))
                .isEqualTo("registry.istio.io/testing/proxyv2:latest");
    }

    @Test
    void otherConfigMapsAndOtherRevisionsAreIgnored() throws Exception {
        InjectorConfigWatch w = watch("canary");
        w.synced(List.of(injectorCm("istio-sidecar-injector", values("default.example", "1"), null, "1"),
                injectorCm("istio-sidecar-injector-canary", values("canary.example", "2"), null, "2")));
        w.changed(injectorCm("istio-sidecar-injector", values("default.example", "3"), null, "3"));
        w.changed(injectorCm("kube-root-ca.crt", null, null, "4"));
        assertThat(w.injector().settings().images().hub()).isEqualTo("canary.example");
        assertThat(w.injector().settings().mesh().revision()).isEqualTo("canary");
    }

    @Test
    void aBrokenChangeKeepsTheLastGoodSettingsAndIsReportedWithItsPosition() throws Exception {
        InjectorConfigWatch w = new InjectorConfigWatch(null,
                new InjectorConfigWatch.Options("istio-system", "default", null, null));
        PrometheusRegistry registry = new PrometheusRegistry();
        w.metrics(registry);
        w.synced(List.of(injectorCm("istio-sidecar-injector", values("docker.io/istio", "1.28.0"), null, "1"),
                meshCm("istio", "trustDomain: cluster.local\n", "1")));
        w.changed(meshCm("istio", "defaultConfig:\n  statusPort: high\n", "2"));

        assertThat(proxyImage(w.injector().inject(pod(""), "shop", ENABLED))).isEqualTo("docker.io/istio/proxyv2:1.28.0");
        assertThat(w.injector().unusable()).isNull();
        assertThat(w.note()).hasValueSatisfying(n -> assertThat(n)
                .contains("istio-system/istio[mesh]:2:3: defaultConfig.statusPort: expected an integer, found a string")
                .contains("serving the last good settings (ConfigMap istio-system/istio-sidecar-injector (resourceVersion 1)"));
        assertThat(scrape(registry)).contains("meshcd_injection_config_rejected_total{configmap=\"istio\"} 1.0")
                .contains("meshcd_injection_config_stale 1.0");

        w.changed(meshCm("istio", "trustDomain: example.org\n", "3"));
        assertThat(w.note()).isEmpty();
        assertThat(w.injector().settings().mesh().trustDomain()).isEqualTo("example.org");
        assertThat(scrape(registry)).contains("meshcd_injection_config_stale 0.0");
    }

    @Test
    void brokenFromTheStartRefusesOnlyThePodsItWouldInject() throws Exception {
        InjectorConfigWatch w = watch("default");
        w.synced(List.of(injectorCm("istio-sidecar-injector", "{\"global\":{\"hub\":[7]}}", null, "1")));
        PodInjector.Result selected = w.injector().inject(pod(""), "shop", ENABLED);
        assertThat(selected.refused()).isTrue();
        assertThat(selected.errors()).singleElement().asString()
                .startsWith("meshcd has no usable injection settings: istio-system/istio-sidecar-injector[values]:1:12: global.hub: expected a string, found a list");
        PodInjector.Result other = w.injector().inject(pod(""), "shop", Map.of());
        assertThat(other.refused()).isFalse();
        assertThat(other.injected()).isFalse();
        assertThat(w.note()).hasValueSatisfying(n -> assertThat(n).contains("pods that would be injected are refused"));

        w.changed(injectorCm("istio-sidecar-injector", values("docker.io/istio", "1.28.0"), null, "2"));
        assertThat(proxyImage(w.injector().inject(pod(""), "shop", ENABLED))).isEqualTo("docker.io/istio/proxyv2:1.28.0");
    }

    static io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration tagHook(String tag,
                                                                                                        String rev) {
        return new io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("istio-revision-tag-" + tag)
                .withLabels(Map.of("istio.io/tag", tag, "istio.io/rev", rev)).endMetadata().build();
    }

    @Test
    void revisionTagsPointingAtTheServedRevisionSelectItsPods() throws Exception {
        InjectorConfigWatch w = watch("canary");
        w.synced(List.of());
        Map<String, String> prod = Map.of("istio.io/rev", "prod");
        assertThat(w.injector().inject(pod(""), "shop", prod).injected()).isFalse();
        w.tagChanged(tagHook("prod", "canary"));
        assertThat(w.injector().inject(pod(""), "shop", prod).injected()).isTrue();
        assertThat(w.injector().inject(pod(""), "shop", ENABLED).injected()).isFalse();
        w.tagChanged(tagHook("default", "canary"));
        assertThat(w.injector().inject(pod(""), "shop", ENABLED).injected()).isTrue();
        w.tagChanged(tagHook("prod", "stable")); // the tag moved to another revision
        assertThat(w.injector().inject(pod(""), "shop", prod).injected()).isFalse();
        w.tagDeleted("istio-revision-tag-default");
        assertThat(w.injector().inject(pod(""), "shop", ENABLED).injected()).isFalse();
        assertThat(w.injector().inject(pod(""), "shop", Map.of("istio.io/rev", "canary")).injected()).isTrue();
    }

    /** Requests racing with changes: each is served whole by one snapshot (image and probe agree), none fails. */
    @Test
    void requestsDuringChangesAreServedWholeByOneSnapshot() throws Exception {
        InjectorConfigWatch w = watch("default");
        w.synced(List.of(injectorCm("istio-sidecar-injector", consistent(0), null, "0")));
        AtomicBoolean stop = new AtomicBoolean();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger served = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        PodInjector.Result r = w.injector().inject(pod(""), "shop", ENABLED);
                        JsonNode proxy = sidecar(r.pod());
                        int tag = Integer.parseInt(proxy.path("image").asText().replaceAll(".*:", ""));
                        int period = proxy.path("readinessProbe").path("periodSeconds").asInt();
                        if (!r.injected() || period != tag % 50 + 1) {
                            problems.add("tag " + tag + " with period " + period + ": " + r.reason());
                        }
                        served.incrementAndGet();
                    }
                } catch (Exception e) {
                    problems.add(e.toString());
                }
            });
            th.start();
            threads.add(th);
        }
        for (int i = 1; i <= 300; i++) {
            w.changed(injectorCm("istio-sidecar-injector", consistent(i), null, "v" + i));
        }
        stop.set(true);
        for (Thread th : threads) {
            th.join();
        }
        assertThat(served.get()).isPositive();
        assertThat(problems).isEmpty();
    }

    /** Values whose image tag and readiness period go together: tag i, period i % 50 + 1. */
    private static String consistent(int i) {
        return "{\"global\":{\"hub\":\"hub.example\",\"tag\":\"" + i + "\",\"proxy\":{\"readinessPeriodSeconds\":"
                + (i % 50 + 1) + "}}}";
    }

    private static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
