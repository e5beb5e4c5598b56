package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Frozen template parts: written exactly as the same mutable tree would be, by every writer; never changed in place. */
class FrozenJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Non-ASCII, characters JSON escapes, numbers, booleans, empty containers, keys out of order. */
    static ObjectNode sample() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"z":"last","name":"istio-proxy","args":["proxy","--domain","$(POD_NAMESPACE).svc"],
                 "env":[{"name":"Ü","value":"é \\"quoted\\" \\\\ tab\\t nl\\n </script> \\u2028"}],
                 "ports":[{"containerPort":15090,"protocol":"TCP"}],"big":12345678901,"ratio":0.5,
                 "flags":{"on":true,"off":false},"empty":{},"none":[],"a":{"b":{"c":[[1,2],[]]}}}""");
    }

    @Test
    void everyWriterWritesAFrozenTreeAsTheMutableOne() throws Exception {
        ObjectNode plain = sample();
        JsonNode frozen = FrozenJson.freeze(plain);
        assertThat(FrozenJson.isFrozen(frozen)).isTrue();
        assertThat(frozen).isEqualTo(plain);
        assertThat(plain).isEqualTo(frozen);
        assertThat(frozen.hashCode()).isEqualTo(plain.hashCode());
        Map<String, Function<JsonNode, String>> writers = Map.of(
                "toString", JsonNode::toString,
                "toPrettyString", JsonNode::toPrettyString,
                "bytes", n -> write(() -> new String(JSON.writeValueAsBytes(n), java.nio.charset.StandardCharsets.UTF_8)),
                "writer", n -> write(() -> JSON.writeValueAsString(n)),
                "sorted", n -> write(() -> JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build()
                        .writeValueAsString(n)),
                "no empty arrays", n -> write(() -> JsonMapper.builder()
                        .disable(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS).build().writeValueAsString(n)),
                "ascii only", n -> write(() -> JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build()
                        .writeValueAsString(n)),
                "numbers as strings", n -> write(() -> JsonMapper.builder()
                        .enable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS).build().writeValueAsString(n)),
                "yaml", n -> write(() -> new YAMLMapper().writeValueAsString(n)),
                "converted", n -> JSON.convertValue(n, Object.class).toString());
        writers.forEach((name, w) -> assertThat(w.apply(frozen)).as(name).isEqualTo(w.apply(plain)));
        // inside a mutable tree, as in an injected pod and its patch
        ObjectNode holder = JSON.createObjectNode();
        holder.set("op", JSON.getNodeFactory().textNode("add"));
        holder.set("value", frozen);
        ObjectNode plainHolder = holder.deepCopy().set("value", plain);
        assertThat(JSON.writeValueAsString(JSON.createArrayNode().add(holder).add(frozen)))
                .isEqualTo(JSON.writeValueAsString(JSON.createArrayNode().add(plainHolder).add(plain)));
    }

    /**
     * The patch writer (frozen parts and long strings from caches, the rest by hand) against Jackson's default
     * writer: long strings with every kind of character JSON escapes or encodes, each scalar node type, empty
     * and nested containers, frozen parts inside mutable ones; twice, so the second write is all cache hits.
     */
    @Test
    void writeCompactIsByteForByteWhatJacksonWrites() throws Exception {
        String longJson = "{\"containers\":[\"istio-proxy\"],\"path\":\"C:\\\\dir\",\"ctl\":\"\u0001\u001f\t\n\r\","
                + "\"é\":\"日本 \uD83D\uDE00 \u2028 </script>\"}";
        assertThat(longJson.length()).isGreaterThanOrEqualTo(FrozenJson.LONG_STRING);
        ObjectNode mutable = JSON.createObjectNode();
        mutable.put("status", longJson).put("short", "a\"b").put("exactly", "x".repeat(FrozenJson.LONG_STRING))
                .put("int", 7).put("long", 12345678901L).put("double", 0.25).put("float", 1.5f)
                .put("decimal", new java.math.BigDecimal("1.10")).put("bigint", new java.math.BigInteger("123456789012345678901"))
                .put("yes", true).putNull("none").put("bytes", new byte[] {1, 2, 3});
        mutable.putPOJO("pojo", List.of("p", 1));
        mutable.putObject("empty");
        mutable.putArray("nothing");
        mutable.set("frozen", FrozenJson.freeze(sample()));
        mutable.putArray("list").add(longJson).add(FrozenJson.freeze(JSON.readTree("[1,{\"k\":\"v\"}]"))).addNull()
                .addArray().add(JSON.createObjectNode().put("deep", longJson + "!"));
        ArrayNode patch = JSON.createArrayNode();
        patch.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", mutable);
        patch.addObject().put("op", "remove").put("path", "/spec/x~1y");
        String jackson = JSON.writeValueAsString(patch);
        for (int round = 0; round < 2; round++) {
            assertThat(writeCompact(patch)).as("round %d", round).isEqualTo(jackson);
        }
        assertThat(JSON.readTree(writeCompact(patch)).path(0).path("value").path("status").asText())
                .isEqualTo(longJson);
    }

    private static String writeCompact(JsonNode node) throws java.io.IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (var g = JSON.getFactory().createGenerator(out)) {
            FrozenJson.writeCompact(node, g);
        }
        return out.toString();
    }

    private interface Write {
        String get() throws Exception;
    }

    private static String write(Write w) {
        try {
            return w.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void frozenTreesRefuseChangeAndCopyOnlyTheTopLevelWhenThawed() throws Exception {
        ObjectNode frozen = (ObjectNode) FrozenJson.freeze(sample());
        ArrayNode args = (ArrayNode) frozen.get("args");
        for (Runnable change : List.<Runnable>of(() -> frozen.put("x", 1), () -> frozen.remove("name"),
                () -> frozen.putObject("o"), () -> frozen.setAll(Map.of("k", args)), () -> args.add("x"),
                () -> args.set(0, JSON.getNodeFactory().textNode("x")), () -> args.remove(0),
                () -> ((ObjectNode) frozen.get("flags")).put("on", false))) {
            assertThatThrownBy(change::run).isInstanceOf(UnsupportedOperationException.class);
        }
        assertThat(frozen.deepCopy()).as("an immutable node is its own deep copy").isSameAs(frozen);
        ObjectNode thawed = FrozenJson.thaw(frozen);
        assertThat(FrozenJson.isFrozen(thawed)).isFalse();
        assertThat(thawed).isEqualTo(frozen).isNotSameAs(frozen);
        assertThat(thawed.get("args")).isSameAs(args);
        thawed.put("name", "changed");
        assertThat(frozen.path("name").asText()).isEqualTo("istio-proxy");
        ObjectNode mutable = JSON.createObjectNode().set("c", frozen);
        Json.arrayAt(Json.objectAt(mutable, "c"), "args").add("--more");
        assertThat(mutable.path("c").path("args")).hasSize(4);
        assertThat(args).hasSize(3);
        assertThat(frozen.path("args")).isSameAs(args);
    }

    @Test
    void aSubtreeWithANullStaysMutableAroundItsFrozenChildren() throws Exception {
        JsonNode tree = FrozenJson.freeze(JSON.readTree("{\"env\":null,\"args\":[\"a\"],\"deep\":{\"x\":[null]}}"));
        assertThat(FrozenJson.isFrozen(tree)).isFalse();
        assertThat(FrozenJson.isFrozen(tree.get("args"))).isTrue();
        assertThat(FrozenJson.isFrozen(tree.get("deep"))).isFalse();
        assertThat(tree.toString()).isEqualTo("{\"env\":null,\"args\":[\"a\"],\"deep\":{\"x\":[null]}}");
        ((ObjectNode) tree).put("env", "set");
        assertThat(tree.path("env").asText()).isEqualTo("set");
        // what a pod gets: the frozen part itself, but its own copy of a part that could not be frozen
        assertThat(FrozenJson.share(tree.get("args"))).isSameAs(tree.get("args"));
        JsonNode shared = FrozenJson.share(tree.get("deep"));
        assertThat(shared).isEqualTo(tree.get("deep")).isNotSameAs(tree.get("deep"));
        ((ArrayNode) shared.get("x")).add(1);
        assertThat(tree.path("deep").path("x")).hasSize(1);
    }
}
