package dev.meshcd.compiler.validate.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The API server's structural defaulting: an absent property with a schema {@code default} takes it, at every
 * level (list items and map values included), before CEL rules run. Gateway API rules read defaulted fields
 * ({@code parentRefs[].group}, {@code backendRefs[].kind}), which a user's YAML rarely spells out.
 */
public final class Defaulting {
    private Defaulting() {
    }

    /** {@code value} with its defaults applied: {@code value} itself when nothing is missing, else a copy. */
    public static JsonNode apply(SchemaNode schema, JsonNode value) {
        if (schema == null || !schema.defaultsBelow || !missesDefault(schema, value)) {
            return value;
        }
        JsonNode copy = value.deepCopy();
        fill(schema, copy);
        return copy;
    }

    private static boolean missesDefault(SchemaNode s, JsonNode v) {
        if (s == null || !s.defaultsBelow || v == null) {
            return false;
        }
        if (v.isObject()) {
            for (Map.Entry<String, SchemaNode> p : s.properties.entrySet()) {
                JsonNode child = v.get(p.getKey());
                if (child == null || child.isNull()) {
                    if (p.getValue().defaultValue != null) {
                        return true;
                    }
                } else if (missesDefault(p.getValue(), child)) {
                    return true;
                }
            }
            if (s.additionalProperties != null && s.additionalProperties.defaultsBelow) {
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!s.properties.containsKey(e.getKey()) && missesDefault(s.additionalProperties, e.getValue())) {
                        return true;
                    }
                }
            }
        } else if (v.isArray() && s.items != null) {
            for (JsonNode item : v) {
                if (missesDefault(s.items, item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void fill(SchemaNode s, JsonNode v) {
        if (s == null || !s.defaultsBelow) {
            return;
        }
        if (v instanceof ObjectNode o) {
            for (Map.Entry<String, SchemaNode> p : s.properties.entrySet()) {
                JsonNode child = o.get(p.getKey());
                if ((child == null || child.isNull()) && p.getValue().defaultValue != null) {
                    child = p.getValue().defaultValue.deepCopy();
                    o.set(p.getKey(), child);
                }
                if (child != null) {
                    fill(p.getValue(), child);
                }
            }
            if (s.additionalProperties != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!s.properties.containsKey(e.getKey())) {
                        fill(s.additionalProperties, e.getValue());
                    }
                }
            }
        } else if (v != null && v.isArray() && s.items != null) {
            for (JsonNode item : v) {
                fill(s.items, item);
            }
        }
    }
}
