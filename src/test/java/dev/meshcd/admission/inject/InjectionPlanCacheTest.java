package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The injector caches what a pod's annotations decide ({@link InjectionPlan}) and shares it between pods.
 * Nothing may leak through that cache: every pod must come out exactly as a fresh injector (empty cache) makes
 * it, whatever was injected before, and whatever callers did to earlier results.
 */
class InjectionPlanCacheTest {
    static final Map<String, String> NS = Map.of("istio-injection", "enabled");

    /** Annotations that change istio-proxy, istio-init, the volumes or the status annotation. */
    static final String[][] CHANGING = {
        {"sidecar.istio.io/proxyCPU", "500m", "sidecar.istio.io/proxyMemoryLimit", "3Gi"},
        {"sidecar.istio.io/interceptionMode", "TPROXY"},
        {"sidecar.istio.io/nativeSidecar", "false"},
        {"proxy.istio.io/config", "holdApplicationUntilProxyStarts: true\nproxyMetadata:\n  A: one\n"},
        {"sidecar.istio.io/userVolume", "{\"extra\":{\"emptyDir\":{}}}",
            "sidecar.istio.io/userVolumeMount", "{\"extra\":{\"mountPath\":\"/extra\"}}"},
        {"sidecar.istio.io/bootstrapOverride", "custom", "sidecar.istio.io/logLevel", "debug"},
        {"traffic.sidecar.istio.io/excludeInboundPorts", "9000", "status.sidecar.istio.io/port", "15999"},
        {"inject.istio.io/templates", "gateway"},
        {"inject.istio.io/templates", "sidecar,gateway"},
    };

    static ObjectNode pod(String app, int port, String serviceAccount, String... annotations) {
        ObjectNode pod = Json.obj("apiVersion", "v1", "kind", "Pod",
                "metadata", Json.obj("generateName", app + "-7d9f8c6b5-", "namespace", "shop",
                        "labels", Json.obj("app", app, "pod-template-hash", "7d9f8c6b5"),
                        "ownerReferences", Json.arr(Json.obj("apiVersion", "apps/v1", "kind", "ReplicaSet",
                                "name", app + "-7d9f8c6b5", "controller", true))),
                "spec", Json.obj("serviceAccountName", serviceAccount, "containers", Json.arr(Json.obj("name", app,
                        "image", "nginx", "ports", Json.arr(Json.obj("name", "http", "containerPort", port)),
                        "readinessProbe", Json.obj("httpGet", Json.obj("path", "/ready", "port", "http"))))));
        if (annotations.length > 0) {
            ObjectNode a = ((ObjectNode) pod.get("metadata")).putObject("annotations");
            for (int i = 0; i < annotations.length; i += 2) {
                a.put(annotations[i], annotations[i + 1]);
            }
        }
        return pod;
    }

    /** The injected pod as a fresh injector makes it: no cached plan can be involved. */
    static ObjectNode fresh(InjectionSettings settings, ObjectNode pod) {
        return new IstioSidecarInjector(settings).inject(pod.deepCopy(), "shop", NS).pod();
    }

    static ObjectNode inject(IstioSidecarInjector injector, ObjectNode pod) {
        PodInjector.Result r = injector.inject(pod, "shop", NS);
        assertThat(r.errors()).isEmpty();
        assertThat(r.injected()).isTrue();
        return r.pod();
    }

    /** Equal as trees and as text: field order counts too. */
    static void assertSame(ObjectNode actual, ObjectNode expected) {
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.toString()).isEqualTo(expected.toString());
    }

    static Stream<InjectionSettings> settings() {
        InjectionSettings d = InjectionSettings.defaults();
        // mountMtlsCerts: the per-service-account istio-certs volume; CNI: istio-validation and traffic annotations
        InjectionSettings.Mesh other = d.mesh().toBuilder().meshId("mesh1").clusterName("c1").network("net1")
                .nativeSidecars(false).cniEnabled(true).mountMtlsCerts(true)
                .proxyConfig(Map.of("proxyMetadata", Map.of("M", "x"))).build();
        return Stream.of(d, d.withMesh(other).withImages("docker.io/istio", "1.24.0")
                .withTraffic(new InjectionSettings.Traffic("REDIRECT", "10.0.0.0/8", "", "*", "", "443", "22",
                        15001, 15006)));
    }

    @ParameterizedTest
    @MethodSource("settings")
    void aPodInjectedAfterAnotherComesOutAsFromAFreshInjector(InjectionSettings settings) {
        IstioSidecarInjector injector = new IstioSidecarInjector(settings);
        List<ObjectNode> pods = new ArrayList<>();
        pods.add(pod("web", 8080, "web"));
        for (String[] annotations : CHANGING) {
            pods.add(pod("a", 8080, "web", annotations));
            pods.add(pod("b", 9090, "other")); // after annotations that change the proxy: none
            pods.add(pod("c", 7070, "", annotations)); // same annotations, everything else different
        }
        pods.add(pod("web", 8080, "web"));
        for (ObjectNode pod : pods) {
            ObjectNode sent = pod.deepCopy();
            assertSame(inject(injector, pod), fresh(settings, sent));
            assertThat(pod).isEqualTo(sent);
        }
        assertThat(injector.cachedPlans()).isEqualTo(CHANGING.length + 1);
    }

    @Test
    void changingAResultChangesNoOtherPod() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        InjectionSettings settings = injector.settings();
        for (String[] annotations : CHANGING) {
            ObjectNode a = pod("a", 8080, "web", annotations);
            ObjectNode first = inject(injector, a.deepCopy());
            vandalize(first);
            ObjectNode b = pod("b", 9090, "other", annotations);
            assertSame(inject(injector, b.deepCopy()), fresh(settings, b));
            assertSame(inject(injector, a.deepCopy()), fresh(settings, a));
            ObjectNode plain = pod("p", 8080, "web");
            vandalize(inject(injector, plain.deepCopy()));
            assertSame(inject(injector, plain.deepCopy()), fresh(settings, plain));
        }
    }

    @Test
    void podsShareTheTemplatesFrozenPartsAndCannotChangeThemInPlace() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        ObjectNode first = inject(injector, pod("a", 8080, "web"));
        ObjectNode second = inject(injector, pod("b", 9090, "other"));
        ObjectNode init = Json.findByName(first.path("spec").path("initContainers"), "istio-init");
        assertThat(init).isSameAs(Json.findByName(second.path("spec").path("initContainers"), "istio-init"));
        ObjectNode envoy = Json.findByName(first.path("spec").path("volumes"), "istio-envoy");
        ObjectNode proxy = IstioSidecarInjector.findSidecar(first);
        for (Runnable change : List.<Runnable>of(() -> init.put("image", "evil"),
                () -> ((ArrayNode) init.get("args")).add("--evil"), () -> envoy.remove("emptyDir"),
                () -> ((ObjectNode) proxy.get("securityContext")).put("privileged", true))) {
            assertThatThrownBy(change::run).isInstanceOf(UnsupportedOperationException.class);
        }
        // the pod's own containers stay mutable (the proxy container itself is new per pod; its env too)
        proxy.put("image", "mine");
        ((ArrayNode) proxy.get("env")).addObject().put("name", "MINE");
        assertThat(IstioSidecarInjector.findSidecar(second).path("image").asText()).isNotEqualTo("mine");
        assertThat(Json.findByName(IstioSidecarInjector.findSidecar(second).path("env"), "MINE")).isNull();
    }

    @Test
    void aTemplatePartWithANullIsCopiedForEachPodNotShared() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        String[] annotations = {"sidecar.istio.io/userVolume", "{\"data\":{\"emptyDir\":{},\"csi\":null}}"};
        ObjectNode first = inject(injector, pod("a", 8080, "web", annotations));
        ObjectNode second = inject(injector, pod("b", 9090, "web", annotations));
        ObjectNode data = Json.findByName(first.path("spec").path("volumes"), "data");
        assertThat(data).isNotNull();
        assertThat(data.has("csi")).as("the null is kept, as before").isTrue();
        assertThat(data).isEqualTo(Json.findByName(second.path("spec").path("volumes"), "data"))
                .isNotSameAs(Json.findByName(second.path("spec").path("volumes"), "data"));
        data.put("changed", true);
        assertThat(Json.findByName(inject(injector, pod("c", 7070, "web", annotations)).path("spec").path("volumes"),
                "data").has("changed")).isFalse();
    }

    /**
     * Changes every container, env entry, volume, probe and map of an injected pod, as its users may: in place
     * where it is mutable, through a copy put in its place where it is a frozen template part.
     */
    static void vandalize(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if (v.isObject()) {
                    vandalize(Json.objectAt(o, name));
                } else if (v.isArray()) {
                    vandalize(Json.arrayAt(o, name));
                } else {
                    o.put(name, "changed");
                }
            }
            o.put("vandalized", true);
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode item = a.get(i);
                if (item instanceof ObjectNode o) {
                    a.set(i, FrozenJson.thaw(o));
                    vandalize(a.get(i));
                } else if (item instanceof ArrayNode inner) {
                    a.set(i, FrozenJson.thaw(inner));
                    vandalize(a.get(i));
                } else {
                    a.set(i, Json.F.textNode("changed"));
                }
            }
            a.add("extra");
        }
    }

    /**
     * Other annotations (prometheus.io, kubectl, a per-pod id) do not split the cache, and still reach the pod
     * where the template reads them (metrics merge, default container).
     */
    @Test
    void onlyIstioAnnotationsKeyThePlan() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        String[][] others = {
            {"example.com/id", "1"},
            {"example.com/id", "2", "prometheus.io/port", "9090", "prometheus.io/path", "/metrics"},
            {"kubectl.kubernetes.io/default-container", "helper", "prometheus.io/scrape", "false"},
            {"sidecar.istio.io/proxyCPU", "200m", "example.com/id", "3"},
            {"example.com/id", "4", "sidecar.istio.io/proxyCPU", "200m"},
        };
        for (String[] annotations : others) {
            ObjectNode pod = pod("a", 8080, "web", annotations);
            assertSame(inject(injector, pod.deepCopy()), fresh(injector.settings(), pod));
        }
        assertThat(injector.cachedPlans()).isEqualTo(2);
    }

    @Test
    void refusalsAreCachedAsRefusals() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        for (int i = 0; i < 2; i++) {
            PodInjector.Result r = injector.inject(pod("a", 8080, "web", "sidecar.istio.io/proxyMemory", "lots"),
                    "shop", NS);
            assertThat(r.refused()).isTrue();
            assertThat(r.errors()).containsExactly(
                    "invalid value 'lots' for annotation 'sidecar.istio.io/proxyMemory': not a resource quantity");
        }
        ObjectNode ok = pod("a", 8080, "web", "sidecar.istio.io/proxyMemory", "1Gi");
        assertSame(inject(injector, ok.deepCopy()), fresh(injector.settings(), ok));
    }

    @Test
    void theCacheIsBounded() {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        for (int i = 0; i < StaticParts.MAX_PLANS + 10; i++) {
            ObjectNode pod = pod("a", 8080, "web", "traffic.sidecar.istio.io/excludeOutboundPorts", String.valueOf(1000 + i));
            assertSame(inject(injector, pod.deepCopy()), fresh(injector.settings(), pod));
            assertThat(injector.cachedPlans()).isBetween(1, StaticParts.MAX_PLANS);
        }
        int before = injector.cachedPlans();
        ObjectNode large = pod("a", 8080, "web", "example.istio.io/blob", "x".repeat(StaticParts.MAX_PLAN_KEY_CHARS));
        assertSame(inject(injector, large.deepCopy()), fresh(injector.settings(), large));
        assertThat(injector.cachedPlans()).as("oversized annotations are not kept").isEqualTo(before);
    }

    @Test
    void concurrentInjectionsShareTheCacheSafely() throws Exception {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String[] annotations = i % 3 == 0 ? new String[0] : CHANGING[i % CHANGING.length];
            pods.add(pod("app" + i, 8000 + i, "sa" + i % 4, annotations));
        }
        List<ObjectNode> expected = pods.stream().map(p -> fresh(injector.settings(), p)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                tasks.add(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < pods.size(); i++) {
                            int k = (i + offset * 5) % pods.size();
                            ObjectNode out = inject(injector, pods.get(k).deepCopy());
                            if (!out.equals(expected.get(k)) || !out.toString().equals(expected.get(k).toString())) {
                                return false;
                            }
                            vandalize(out);
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
