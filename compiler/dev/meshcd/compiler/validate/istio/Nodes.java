package dev.meshcd.compiler.validate.istio;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** Null-tolerant reads of a Jackson tree with proto3 JSON semantics (absent, null and default look alike). */
final class Nodes {
    private Nodes() {
    }

    /** The field when present and not null, else null. */
    static JsonNode get(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    /** True when the field is present and not null (Go: the message pointer is non-nil). */
    static boolean has(JsonNode node, String field) {
        return get(node, field) != null;
    }

    /** The text of a string field, "" when absent (proto3 default). Non-strings yield their JSON text. */
    static String text(JsonNode node, String field) {
        JsonNode v = get(node, field);
        if (v == null) {
            return "";
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** An integer field, 0 when absent or not a number. Wrapper types ({value: n}) are unwrapped. */
    static long integer(JsonNode node, String field) {
        JsonNode v = get(node, field);
        return asLong(v);
    }

    /** Unwraps protobuf wrapper types written as {@code {value: x}}; null stays null. */
    private static JsonNode unwrap(JsonNode v) {
        return v != null && v.isObject() ? v.get("value") : v;
    }

    static long asLong(JsonNode v) {
        v = unwrap(v);
        if (v == null) {
            return 0;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            String s = v.asText().trim();
            if (isInteger(s)) {
                return s.length() > 18 ? (s.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE) : Long.parseLong(s);
            }
        }
        return 0;
    }

    static double number(JsonNode node, String field) {
        JsonNode v = unwrap(get(node, field));
        return v != null && v.isNumber() ? v.asDouble() : 0;
    }

    static boolean bool(JsonNode node, String field) {
        JsonNode v = unwrap(get(node, field));
        return v != null && v.isBoolean() && v.asBoolean();
    }

    /** Number of items in a list field (0 when absent or not a list). */
    static int size(JsonNode node, String field) {
        JsonNode v = get(node, field);
        return v == null ? 0 : v.size();
    }

    /** A list field as an iterable of items (empty when absent or not a list). */
    static JsonNode list(JsonNode node, String field) {
        JsonNode v = get(node, field);
        return v != null && v.isArray() ? v : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** A map field's entries (empty when absent or not an object). */
    static Iterable<Map.Entry<String, JsonNode>> entries(JsonNode node, String field) {
        JsonNode v = get(node, field);
        if (v == null || !v.isObject()) {
            return java.util.List.of();
        }
        return () -> {
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            return it;
        };
    }

    static boolean isInteger(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
