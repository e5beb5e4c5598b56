package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The webhook's patch: applying it to the pod the API server sent yields exactly the injected pod, as the
 * general diff's (zjsonpatch) does; for the golden cases and for tree pairs built to hit every branch of
 * {@link JsonPatches#diff}'s array handling.
 */
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

    @Test
    void escapingFollowsRfc6901() {
        assertThat(JsonPatches.escape("a/b~c")).isEqualTo("a~1b~0c");
        assertThat(JsonPatches.diff(pod("bare"), pod("bare"))).isEmpty();
    }

    /** Both diffs over Istio's golden inputs as admitted pods, under default, CNI and no-native-sidecar settings. */
    @Test
    void patchesForTheGoldenCasesReproduceTheInjectedPod() throws IOException {
        Path dir = dev.meshcd.testing.SharedData.istio("injection");
        JsonNode manifest = IstioGoldenInjectionTest.JSON.readTree(dir.resolve("MANIFEST.json").toFile());
        InjectionSettings d = InjectionSettings.defaults();
        List<IstioSidecarInjector> injectors = new ArrayList<>();
        for (boolean cni : List.of(false, true)) {
            injectors.add(new IstioSidecarInjector(d.withMesh(d.mesh().toBuilder().nativeSidecars(!cni).cniEnabled(cni)
                    .mountMtlsCerts(cni).build())));
        }
        int pods = 0;
        for (JsonNode c : manifest) {
            if (c.path("golden").isNull()) {
                continue;
            }
            String name = c.path("case").asText();
            JsonNode input = IstioGoldenInjectionTest.load(dir.resolve("testdata/inject/" + name));
            List<JsonNode> workloads = new ArrayList<>();
            if (input.path("kind").asText().equals("List")) {
                input.path("items").forEach(workloads::add);
            } else {
                workloads.add(input);
            }
            for (JsonNode w : workloads) {
                for (IstioSidecarInjector injector : injectors) {
                    ObjectNode sent = IstioGoldenInjectionTest.admittedPod(w);
                    PodInjector.Result r = injector.inject(sent, "test-ns", Map.of("istio-injection", "enabled"));
                    if (!r.injected()) {
                        assertThat(name).isIn("hello-ignore.yaml", "hello-host-network.yaml"); // opt-out, hostNetwork
                        continue;
                    }
                    ArrayNode patch = JsonPatches.diff(sent, r.pod());
                    assertThat(patch).as(name).isEqualTo(JsonPatches.wholeDocumentDiff(sent, r.pod()));
                    String jackson = IstioGoldenInjectionTest.JSON.writeValueAsString(patch);
                    assertThat(new String(JsonPatches.diffAsJson(sent, r.pod()), StandardCharsets.UTF_8)).as(name)
                            .isEqualTo(jackson);
                    assertThat(JsonPatches.apply(patch, sent)).as(name).isEqualTo(r.pod());
                    // through the wire: the patch as the API server receives it
                    JsonNode wire = IstioGoldenInjectionTest.JSON.readTree(IstioGoldenInjectionTest.JSON.writeValueAsBytes(patch));
                    assertThat(JsonPatches.apply(wire, sent).toString()).isNotEmpty();
                    assertThat(sameValues(JsonPatches.apply(wire, sent), r.pod())).as(name).isTrue();
                    assertOnlyKeywiseOps(patch, sent);
                    pods++;
                }
            }
        }
        assertThat(pods).isEqualTo(28);
    }

    private static void assertOnlyKeywiseOps(ArrayNode patch, JsonNode original) {
        for (JsonNode op : patch) {
            assertThat(op.path("op").asText()).isIn("add", "remove", "replace");
            for (String map : List.of("labels", "annotations")) {
                if (original.path("metadata").has(map)) {
                    assertThat(op.path("path").asText()).isNotEqualTo("/metadata/" + map);
                }
            }
        }
    }

    /** Equality with numbers compared by value (a patch read back from JSON has ints where the pod had longs). */
    private static boolean sameValues(JsonNode a, JsonNode b) throws IOException {
        var sorted = com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
        return sorted.writeValueAsString(sorted.treeToValue(a, Object.class))
                .equals(sorted.writeValueAsString(sorted.treeToValue(b, Object.class)));
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("equal", "{\"a\":[1,{\"name\":\"x\"}]}", "{\"a\":[1,{\"name\":\"x\"}]}"),
                Arguments.of("key added, removed, changed", "{\"a\":1,\"b\":2,\"c\":{\"d\":3}}",
                        "{\"b\":2,\"c\":{\"d\":4},\"e\":5}"),
                Arguments.of("escaped keys", "{\"m\":{\"a/b\":1,\"c~d\":2,\"~\":3}}",
                        "{\"m\":{\"a/b\":9,\"x~\":2,\"~\":4}}"), // (zjsonpatch's apply misreads ~01)
                Arguments.of("type change", "{\"a\":{\"b\":1},\"c\":[1]}", "{\"a\":[1],\"c\":{\"b\":1}}"),
                Arguments.of("map added where absent", "{\"metadata\":{}}", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"),
                Arguments.of("appended", "{\"l\":[{\"name\":\"a\"}]}", "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"),
                Arguments.of("prepended", "{\"l\":[{\"name\":\"a\"}]}", "{\"l\":[{\"name\":\"b\"},{\"name\":\"a\",\"x\":1}]}"),
                Arguments.of("inserted in the middle", "{\"l\":[1,2,3]}", "{\"l\":[1,7,8,2,3]}"),
                Arguments.of("removed from the middle", "{\"l\":[1,2,3,4]}", "{\"l\":[1,4]}"),
                Arguments.of("replaced in the middle", "{\"l\":[1,2,3,4]}", "{\"l\":[1,5,6,4]}"),
                Arguments.of("more replaced than added", "{\"l\":[1,2,3,4]}", "{\"l\":[1,5,6,7,8,4]}"),
                Arguments.of("fewer", "{\"l\":[1,2,3,4,5]}", "{\"l\":[1,9,5]}"),
                Arguments.of("reordered by name", "{\"l\":[{\"name\":\"a\",\"v\":1},{\"name\":\"b\"}]}",
                        "{\"l\":[{\"name\":\"b\"},{\"name\":\"a\",\"v\":2}]}"),
                Arguments.of("same name changed at both ends", "{\"l\":[{\"name\":\"a\"},{\"name\":\"m\"},{\"name\":\"z\"}]}",
                        "{\"l\":[{\"name\":\"a\",\"v\":1},{\"name\":\"n\"},{\"name\":\"o\"},{\"name\":\"z\",\"v\":2}]}"),
                Arguments.of("duplicate names", "{\"l\":[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2}]}",
                        "{\"l\":[{\"name\":\"a\",\"v\":2}]}"),
                Arguments.of("emptied", "{\"l\":[1,2],\"m\":{\"a\":1}}", "{\"l\":[],\"m\":{}}"),
                Arguments.of("filled", "{\"l\":[],\"m\":{}}", "{\"l\":[1,[2]],\"m\":{\"a\":null}}"),
                Arguments.of("nested arrays", "{\"l\":[[1,2],[3]]}", "{\"l\":[[1,2,5],[4],[3]]}"),
                Arguments.of("null and numbers", "{\"a\":null,\"b\":1,\"c\":1.5}", "{\"a\":0,\"b\":1.0,\"c\":null}"),
                Arguments.of("root replaced", "[1]", "{\"a\":1}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void diffReproducesTheTarget(String name, String from, String to) throws IOException {
        JsonNode a = IstioGoldenInjectionTest.JSON.readTree(from);
        JsonNode b = IstioGoldenInjectionTest.JSON.readTree(to);
        ArrayNode patch = JsonPatches.diff(a, b);
        assertThat(patch).isEqualTo(JsonPatches.wholeDocumentDiff(a, b));
        assertThat(JsonPatches.apply(patch, a)).as(patch.toString()).isEqualTo(b);
        assertThat(JsonPatches.apply(JsonPatches.diff(a, b), a)).isEqualTo(b);
        assertThat(IstioGoldenInjectionTest.JSON.readTree(from)).as("input untouched").isEqualTo(a);
        if (a.equals(b)) {
            assertThat(patch).isEmpty();
        }
    }

    /** Random trees and random edits of them (fixed seed): the patch always reproduces the edited tree. */
    @Test
    void diffReproducesRandomEdits() {
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 5000; i++) {
            JsonNode a = randomTree(random, 0);
            JsonNode b = a.deepCopy();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                b = edit(random, b, 0);
            }
            ArrayNode patch = JsonPatches.diff(a, b);
            assertThat(patch).as(a + " -> " + b).isEqualTo(JsonPatches.wholeDocumentDiff(a, b));
            assertThat(new String(JsonPatches.diffAsJson(a, b), StandardCharsets.UTF_8)).as(a + " -> " + b)
                    .isEqualTo(JsonPatches.wholeDocumentDiff(a, b).toString());
            assertThat(JsonPatches.apply(patch, a)).as(a + " -> " + b + " via " + patch).isEqualTo(b);
        }
    }

    private static JsonNode randomTree(java.util.Random random, int depth) {
        int kind = depth > 3 ? random.nextInt(2) : random.nextInt(5);
        switch (kind) {
            case 0:
                return Json.F.numberNode(random.nextInt(4));
            case 1:
                return Json.F.textNode(List.of("a", "b", "a/b", "~").get(random.nextInt(4)));
            case 2: {
                ObjectNode o = Json.F.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(List.of("name", "k", "x/y", "z~").get(random.nextInt(4)), randomTree(random, depth + 1));
                }
                return o;
            }
            default: {
                ArrayNode a = Json.F.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    JsonNode item = randomTree(random, depth + 1);
                    if (item instanceof ObjectNode o && random.nextBoolean()) {
                        o.put("name", "n" + random.nextInt(3));
                    }
                    a.add(item);
                }
                return a;
            }
        }
    }

    /** One random change somewhere in {@code n} (in place where possible); returns the changed tree. */
    private static JsonNode edit(java.util.Random random, JsonNode n, int depth) {
        if (n instanceof ObjectNode o && !o.isEmpty() && random.nextInt(3) > 0) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            String k = keys.get(random.nextInt(keys.size()));
            switch (random.nextInt(3)) {
                case 0 -> o.remove(k);
                case 1 -> o.set(k, edit(random, o.get(k), depth + 1));
                default -> o.set("new" + random.nextInt(3), randomTree(random, depth + 1));
            }
            return o;
        }
        if (n instanceof ArrayNode a && random.nextInt(3) > 0) {
            int at = a.isEmpty() ? 0 : random.nextInt(a.size());
            switch (random.nextInt(4)) {
                // half the insertions append, as injection does to containers
                case 0 -> a.insert(random.nextBoolean() ? a.size() : random.nextInt(a.size() + 1),
                        randomTree(random, depth + 1));
                case 1 -> {
                    if (!a.isEmpty()) {
                        a.remove(at);
                    }
                }
                case 2 -> {
                    if (!a.isEmpty()) {
                        a.set(at, edit(random, a.get(at), depth + 1));
                    }
                }
                default -> {
                    if (a.size() > 1) {
                        a.insert(random.nextInt(a.size()), a.remove(at));
                    }
                }
            }
            return a;
        }
        return randomTree(random, depth);
    }
}
