package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders and readers for Jackson trees (pods are handled as trees, never as typed models). */
final class Json {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Json() {
    }

    /** {@code obj("a", 1, "b", "x")}; null values are left out; nested JsonNodes are used as they are. */
    static ObjectNode obj(Object... kv) {
        ObjectNode o = F.objectNode();
        for (int i = 0; i < kv.length; i += 2) {
            put(o, (String) kv[i], kv[i + 1]);
        }
        return o;
    }

    static ArrayNode arr(Object... items) {
        ArrayNode a = F.arrayNode();
        for (Object item : items) {
            a.add(node(item));
        }
        return a;
    }

    static ArrayNode strings(List<String> items) {
        ArrayNode a = F.arrayNode();
        items.forEach(a::add);
        return a;
    }

    static void put(ObjectNode o, String key, Object value) {
        if (value != null) {
            o.set(key, node(value));
        }
    }

    static JsonNode node(Object v) {
        if (v instanceof JsonNode n) {
            return n;
        } else if (v instanceof String s) {
            return F.textNode(s);
        } else if (v instanceof Integer i) {
            return F.numberNode(i);
        } else if (v instanceof Long l) {
            return F.numberNode(l);
        } else if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        throw new IllegalArgumentException("unsupported value " + v);
    }

    /** A string map from an object node (labels, annotations); non-text values are rendered as text. */
    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        }
        return out;
    }

    /** The object at {@code parent.key} to change: created when absent, a mutable copy put in its place when frozen. */
    static ObjectNode objectAt(ObjectNode parent, String key) {
        JsonNode n = parent.get(key);
        if (n instanceof ObjectNode o) {
            if (FrozenJson.isFrozen(o)) {
                o = FrozenJson.thaw(o);
                parent.set(key, o);
            }
            return o;
        }
        return parent.putObject(key);
    }

    /** The array at {@code parent.key} to change: created when absent, a mutable copy put in its place when frozen. */
    static ArrayNode arrayAt(ObjectNode parent, String key) {
        JsonNode n = parent.get(key);
        if (n instanceof ArrayNode a) {
            if (FrozenJson.isFrozen(a)) {
                a = FrozenJson.thaw(a);
                parent.set(key, a);
            }
            return a;
        }
        return parent.putArray(key);
    }

    /** The element of {@code array} named {@code name}, to change: a mutable copy put in its place when frozen. */
    static ObjectNode elementByName(ArrayNode array, String name) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i) instanceof ObjectNode o && name.equals(o.path("name").asText(null))) {
                if (FrozenJson.isFrozen(o)) {
                    o = FrozenJson.thaw(o);
                    array.set(i, o);
                }
                return o;
            }
        }
        return null;
    }

    static ObjectNode findByName(JsonNode array, String name) {
        if (array != null) {
            for (JsonNode n : array) {
                if (n instanceof ObjectNode o && name.equals(o.path("name").asText(null))) {
                    return o;
                }
            }
        }
        return null;
    }
}
