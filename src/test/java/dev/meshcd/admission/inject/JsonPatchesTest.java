package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook's patch: applying it to the pod the API server sent yields exactly the injected pod. */
class JsonPatchesTest {
    static final IstioSidecarInjector INJECTOR = new IstioSidecarInjector();

    static Stream<String> inputs() {
        return Stream.of("labelled", "bare", "with-init-and-volumes", "gateway");
    }

    static ObjectNode pod(String variant) {
        ObjectNode pod = Json.obj("apiVersion", "v1", "kind", "Pod", "metadata", Json.obj("name", "web-1",
                "namespace", "shop"), "spec", Json.obj("containers", Json.arr(Json.obj("name", "web", "image", "nginx",
                "ports", Json.arr(Json.obj("containerPort", 80, "protocol", "TCP"))))));
        ObjectNode meta = (ObjectNode) pod.get("metadata");
        ObjectNode spec = (ObjectNode) pod.get("spec");
        switch (variant) {
            case "labelled" -> {
                meta.set("labels", Json.obj("app", "web", "a/b~c", "x"));
                meta.set("annotations", Json.obj("team.example.com/owner", "me"));
            }
            case "with-init-and-volumes" -> {
                meta.set("labels", Json.obj("app", "web"));
                spec.set("initContainers", Json.arr(Json.obj("name", "migrate", "image", "busybox")));
                spec.set("volumes", Json.arr(Json.obj("name", "data", "emptyDir", Json.obj())));
            }
            case "gateway" -> {
                meta.set("annotations", Json.obj("inject.istio.io/templates", "gateway"));
                spec.set("containers", Json.arr(Json.obj("name", "istio-proxy", "image", "auto")));
            }
            default -> {
            }
        }
        return pod;
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void patchAppliedToOriginalYieldsInjectedPod(String variant) {
        ObjectNode original = pod(variant);
        PodInjector.Result r = INJECTOR.inject(original, "shop", Map.of("istio-injection", "enabled"));
        assertThat(r.injected()).isTrue();
        JsonNode patch = JsonPatches.diff(original, r.pod());
        assertThat(JsonPatches.apply(patch, original)).isEqualTo(r.pod());
        for (JsonNode op : patch) {
            assertThat(op.path("op").asText()).isIn("add", "remove", "replace");
            // never replace a whole existing map of labels/annotations
            if (original.path("metadata").has("labels")) {
                assertThat(op.path("path").asText()).isNotEqualTo("/metadata/labels");
            }
            if (original.path("metadata").has("annotations")) {
                assertThat(op.path("path").asText()).isNotEqualTo("/metadata/annotations");
            }
        }
        if (variant.equals("labelled")) {
            assertThat(patch.toString()).contains("\"/metadata/labels/security.istio.io~1tlsMode\"")
                    .contains("\"/metadata/annotations/sidecar.istio.io~1status\"");
            assertThat(JsonPatches.apply(patch, original).path("metadata").path("labels").path("a/b~c").asText())
                    .isEqualTo("x");
        }
    }

    @org.junit.jupiter.api.Test
    void escapingFollowsRfc6901() {
        assertThat(JsonPatches.escape("a/b~c")).isEqualTo("a~1b~0c");
        assertThat(JsonPatches.diff(pod("bare"), pod("bare"))).isEmpty();
    }
}
