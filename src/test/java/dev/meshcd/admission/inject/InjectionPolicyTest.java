package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who gets a sidecar: namespace labels × pod labels/annotations × hostNetwork × injected before (re-injected). */
class InjectionPolicyTest {
    static final IstioSidecarInjector DEFAULT = new IstioSidecarInjector();
    static final InjectionSettings CANARY_SETTINGS = withRevision("canary");
    static final IstioSidecarInjector CANARY = new IstioSidecarInjector(CANARY_SETTINGS);

    static InjectionSettings withRevision(String rev) {
        InjectionSettings d = InjectionSettings.defaults();
        return d.withMesh(d.mesh().toBuilder().revision(rev).build());
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static final Map<String, String> NONE = Map.of();
    static final Map<String, String> NS_ENABLED = map("istio-injection", "enabled");
    static final Map<String, String> NS_DISABLED = map("istio-injection", "disabled");
    static final Map<String, String> NS_REV_CANARY = map("istio.io/rev", "canary");
    static final Map<String, String> NS_REV_DEFAULT = map("istio.io/rev", "default");

    static Stream<Arguments> cases() {
        return Stream.of(
                // injector, namespace labels, pod labels, pod annotations, hostNetwork, injected before, expect, reason
                Arguments.of("default", NS_ENABLED, NONE, NONE, false, false, true, "injected"),
                Arguments.of("default", NONE, NONE, NONE, false, false, false, "not enabled"),
                Arguments.of("default", NS_DISABLED, NONE, NONE, false, false, false, "istio-injection=disabled"),
                Arguments.of("default", NS_DISABLED, map("sidecar.istio.io/inject", "true"), NONE, false, false, false,
                        "istio-injection=disabled"),
                Arguments.of("default", NS_ENABLED, map("sidecar.istio.io/inject", "false"), NONE, false, false, false,
                        "sidecar.istio.io/inject=false"),
                Arguments.of("default", NS_ENABLED, NONE, map("sidecar.istio.io/inject", "false"), false, false, false,
                        "annotation sidecar.istio.io/inject=false"),
                // istiod takes only "true" and "false"; another value is ignored (a warning) and the policy decides
                Arguments.of("default", NS_ENABLED, NONE, map("sidecar.istio.io/inject", "no"), false, false, true,
                        "injected"),
                Arguments.of("default", NS_ENABLED, NONE, map("sidecar.istio.io/inject", "Yes"), false, false, true,
                        "injected"),
                // the label wins over the annotation
                Arguments.of("default", NS_ENABLED, map("sidecar.istio.io/inject", "true"),
                        map("sidecar.istio.io/inject", "false"), false, false, true, "injected"),
                Arguments.of("default", NS_ENABLED, map("sidecar.istio.io/inject", "off"),
                        map("sidecar.istio.io/inject", "false"), false, false, true, "injected"),
                // object selector in an unlabelled namespace
                Arguments.of("default", NONE, map("sidecar.istio.io/inject", "true"), NONE, false, false, true,
                        "injected"),
                Arguments.of("default", NONE, NONE, map("sidecar.istio.io/inject", "true"), false, false, false,
                        "not enabled"),
                Arguments.of("default", NONE, map("istio.io/rev", "default"), NONE, false, false, true, "injected"),
                Arguments.of("default", NONE, map("istio.io/rev", "canary"), NONE, false, false, false,
                        "pod selects revision canary"),
                Arguments.of("default", NS_REV_DEFAULT, NONE, NONE, false, false, true, "injected"),
                Arguments.of("default", NS_REV_CANARY, NONE, NONE, false, false, false, "selects revision canary"),
                // revisions
                Arguments.of("canary", NS_REV_CANARY, NONE, NONE, false, false, true, "injected"),
                Arguments.of("canary", NS_ENABLED, NONE, NONE, false, false, false, "default revision"),
                Arguments.of("canary", map("istio-injection", "enabled", "istio.io/rev", "canary"), NONE, NONE, false,
                        false, false, "default revision"),
                Arguments.of("canary", NONE, map("istio.io/rev", "canary"), NONE, false, false, true, "injected"),
                Arguments.of("canary", NONE, map("istio.io/rev", "canary", "sidecar.istio.io/inject", "false"), NONE,
                        false, false, false, "sidecar.istio.io/inject=false"),
                Arguments.of("canary", NONE, map("sidecar.istio.io/inject", "true"), NONE, false, false, false,
                        "default revision"),
                // never: hostNetwork; an injected pod is re-injected (istiod re-renders it)
                Arguments.of("default", NS_ENABLED, NONE, NONE, true, false, false, "hostNetwork"),
                Arguments.of("default", NS_ENABLED, map("sidecar.istio.io/inject", "true"), NONE, true, false, false,
                        "hostNetwork"),
                Arguments.of("default", NS_ENABLED, NONE, NONE, false, true, true, "injected"),
                Arguments.of("default", NS_ENABLED, map("sidecar.istio.io/inject", "false"), NONE, false, true, false,
                        "sidecar.istio.io/inject=false"));
    }

    @ParameterizedTest(name = "[{index}] {0} ns={1} labels={2} annotations={3} hostNetwork={4} injected={5}")
    @MethodSource("cases")
    void webhookPolicy(String injector, Map<String, String> nsLabels, Map<String, String> labels,
                       Map<String, String> annotations, boolean hostNetwork, boolean injectedBefore, boolean expect,
                       String reason) {
        ObjectNode pod = pod(labels, annotations, hostNetwork, injectedBefore);
        ObjectNode before = pod.deepCopy();
        PodInjector.Result r = (injector.equals("canary") ? CANARY : DEFAULT).inject(pod, "shop", nsLabels);
        assertThat(r.injected()).as(r.reason()).isEqualTo(expect);
        assertThat(r.reason()).contains(reason);
        assertThat(r.errors()).isEmpty();
        assertThat(pod).as("input untouched").isEqualTo(before);
        if (expect) {
            assertThat(r.pod().path("spec").path("initContainers").toString()).contains("istio-proxy");
            assertThat(r.pod().path("metadata").path("annotations").path("istio.io/rev").asText())
                    .isEqualTo(injector);
        } else {
            assertThat(r.pod()).isEqualTo(before);
        }
    }

    static Stream<Arguments> manualCases() {
        return Stream.of(
                Arguments.of(NONE, NONE, false, false, true),
                Arguments.of(map("sidecar.istio.io/inject", "false"), NONE, false, false, false),
                Arguments.of(NONE, map("sidecar.istio.io/inject", "false"), false, false, false),
                Arguments.of(NONE, NONE, true, false, false),
                Arguments.of(NONE, NONE, false, true, true));
    }

    @ParameterizedTest(name = "[{index}] kube-inject labels={0} annotations={1} hostNetwork={2} injected={3}")
    @MethodSource("manualCases")
    void kubeInjectIgnoresNamespaceSelection(Map<String, String> labels, Map<String, String> annotations,
                                             boolean hostNetwork, boolean injectedBefore, boolean expect) {
        ObjectNode pod = pod(labels, annotations, hostNetwork, injectedBefore);
        PodInjector.Result r = DEFAULT.injectManually(pod, new WorkloadMeta("app", "", "v1", "Pod"));
        assertThat(r.injected()).as(r.reason()).isEqualTo(expect);
    }

    @org.junit.jupiter.api.Test
    void systemNamespacesAndDisabledPolicy() {
        ObjectNode pod = pod(NONE, NONE, false, false);
        assertThat(DEFAULT.inject(pod, "kube-system", NS_ENABLED).reason()).contains("system namespace");
        InjectionSettings d = InjectionSettings.defaults();
        IstioSidecarInjector optIn = new IstioSidecarInjector(d.withPolicy(
                new InjectionSettings.Policy(false, false, d.policy().ignoredNamespaces())));
        assertThat(optIn.inject(pod, "shop", NS_ENABLED).injected()).isFalse();
        assertThat(optIn.inject(pod(NONE, map("sidecar.istio.io/inject", "true"), false, false), "shop", NS_ENABLED)
                .injected()).isTrue();
        IstioSidecarInjector byDefault = new IstioSidecarInjector(d.withPolicy(
                new InjectionSettings.Policy(true, true, d.policy().ignoredNamespaces())));
        assertThat(byDefault.inject(pod, "shop", NONE).injected()).isTrue();
        assertThat(byDefault.inject(pod, "shop", NS_DISABLED).injected()).isFalse();
    }

    static ObjectNode pod(Map<String, String> labels, Map<String, String> annotations, boolean hostNetwork,
                          boolean injectedBefore) {
        ObjectNode pod = Json.obj("apiVersion", "v1", "kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", "web-1");
        ObjectNode l = meta.putObject("labels");
        l.put("app", "web");
        labels.forEach(l::put);
        if (!annotations.isEmpty() || injectedBefore) {
            ObjectNode a = meta.putObject("annotations");
            annotations.forEach(a::put);
            if (injectedBefore) {
                a.put(SidecarMetadata.STATUS, "{\"containers\":[\"istio-proxy\"]}");
            }
        }
        ObjectNode spec = pod.putObject("spec");
        spec.putArray("containers").add(Json.obj("name", "web", "image", "nginx"));
        if (hostNetwork) {
            spec.put("hostNetwork", true);
        }
        return pod;
    }
}
