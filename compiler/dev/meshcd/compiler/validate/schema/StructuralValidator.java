package dev.meshcd.compiler.validate.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Validates a JSON tree against a compiled {@link SchemaNode} the way the Kubernetes API server checks a
 * structural schema, plus istiod's strict decoding: a field the schema does not describe is an error
 * unless the node preserves unknown fields. Stateless; reports each problem with the path of the bad
 * field. Null object fields are treated as absent (the API server prunes them before validation).
 */
public final class StructuralValidator {
    /** Receives one error: the path of the offending field and a message. */
    @FunctionalInterface
    public interface ErrorHandler {
        void error(PathStack path, String message);
    }

    /** Fields of the resource envelope that the CRD schema does not describe and the API server checks itself. */
    private static final String[] ENVELOPE = {"apiVersion", "kind", "metadata", "status"};

    private StructuralValidator() {
    }

    /**
     * Validates a whole resource against the root {@code openAPIV3Schema} of its version: everything but
     * apiVersion, kind, metadata and status.
     */
    public static void validateResource(SchemaNode root, ObjectNode object, ErrorHandler errors) {
        PathStack path = new PathStack();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String name = e.getKey();
            if (isEnvelope(name)) {
                continue;
            }
            validateField(root, name, e.getValue(), path, errors);
        }
        checkRequired(root, object, path, errors);
    }

    private static boolean isEnvelope(String name) {
        for (String s : ENVELOPE) {
            if (s.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Validates {@code value} (at {@code path}) against {@code schema}. */
    public static void validate(SchemaNode schema, JsonNode value, PathStack path, ErrorHandler errors) {
        if (value.isNull()) {
            if (!schema.nullable && schema.type != SchemaNode.Type.ANY) {
                errors.error(path, "must be of type " + expected(schema) + ", got null");
            }
            return;
        }
        if (!typeMatches(schema, value)) {
            errors.error(path, "must be of type " + expected(schema) + ", got " + describe(value));
            return;
        }
        if (value.isObject()) {
            validateObject(schema, (ObjectNode) value, path, errors);
        } else if (value.isArray()) {
            validateArray(schema, value, path, errors);
        } else if (value.isTextual()) {
            validateString(schema, value.textValue(), path, errors);
        } else if (value.isNumber()) {
            validateNumber(schema, value, path, errors);
        }
        if (schema.enumValues != null && !enumContains(schema, value)) {
            errors.error(path, "unsupported value " + describeValue(value) + ": must be one of " + schema.enumText);
        }
        if (schema.allOf.length > 0) {
            for (SchemaNode s : schema.allOf) {
                validate(s, value, path, errors);
            }
        }
        if (schema.anyOf.length > 0 && !schema.intOrString) {
            boolean any = false;
            for (SchemaNode s : schema.anyOf) {
                if (matches(s, value)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                errors.error(path, "must match at least one of the schemas in anyOf");
            }
        }
        if (schema.oneOf.length > 0) {
            if (schema.exclusiveFields != null) {
                if (value.isObject()) {
                    checkExclusive(schema.exclusiveFields, value, path, errors);
                }
            } else {
                int matched = 0;
                for (SchemaNode s : schema.oneOf) {
                    if (matches(s, value)) {
                        matched++;
                    }
                }
                if (matched != 1) {
                    errors.error(path, "must match exactly one of the schemas in oneOf (matched " + matched + ")");
                }
            }
        }
        if (schema.not != null && matches(schema.not, value)) {
            errors.error(path, "must not match the schema in \"not\"");
        }
    }

    /** Whether {@code value} satisfies {@code schema} (no messages; used for oneOf/anyOf/not branches). */
    public static boolean matches(SchemaNode schema, JsonNode value) {
        int[] count = new int[1];
        validate(schema, value, new PathStack(), (p, m) -> count[0]++);
        return count[0] == 0;
    }

    private static void validateField(SchemaNode schema, String name, JsonNode child, PathStack path,
                                      ErrorHandler errors) {
        SchemaNode cs = schema.properties.get(name);
        if (cs == null) {
            cs = schema.additionalProperties;
        }
        if (cs == null) {
            if (schema.type == SchemaNode.Type.OBJECT && !schema.preserveUnknownFields
                    && !schema.additionalPropertiesAllowed) {
                path.pushKey(name);
                errors.error(path, unknownField(schema, name));
                path.pop();
            }
            return;
        }
        if (child.isNull()) {
            return; // pruned by the API server, absent to istiod
        }
        path.pushKey(name);
        validate(cs, child, path, errors);
        path.pop();
    }

    private static void validateObject(SchemaNode schema, ObjectNode object, PathStack path, ErrorHandler errors) {
        if (!schema.properties.isEmpty() || schema.additionalProperties != null
                || (schema.type == SchemaNode.Type.OBJECT && !schema.preserveUnknownFields
                && !schema.additionalPropertiesAllowed)) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                validateField(schema, e.getKey(), e.getValue(), path, errors);
            }
        }
        checkRequired(schema, object, path, errors);
        if (schema.minProperties >= 0 || schema.maxProperties >= 0) {
            int n = 0;
            Iterator<JsonNode> values = object.elements();
            while (values.hasNext()) {
                if (!values.next().isNull()) {
                    n++;
                }
            }
            if (schema.maxProperties >= 0 && n > schema.maxProperties) {
                errors.error(path, "must have at most " + schema.maxProperties + " entries, has " + n);
            }
            if (schema.minProperties >= 0 && n < schema.minProperties) {
                errors.error(path, "must have at least " + schema.minProperties + " entries, has " + n);
            }
        }
    }

    private static void checkRequired(SchemaNode schema, JsonNode object, PathStack path, ErrorHandler errors) {
        for (String r : schema.required) {
            JsonNode v = object.get(r);
            if (v == null || v.isNull()) {
                path.pushKey(r);
                errors.error(path, "missing required field \"" + r + "\"");
                path.pop();
            }
        }
    }

    private static void checkExclusive(String[] fields, JsonNode object, PathStack path, ErrorHandler errors) {
        int present = 0;
        for (String f : fields) {
            JsonNode v = object.get(f);
            if (v != null && !v.isNull()) {
                present++;
            }
        }
        if (present > 1) {
            StringBuilder found = new StringBuilder();
            for (String f : fields) {
                JsonNode v = object.get(f);
                if (v != null && !v.isNull()) {
                    found.append(found.length() == 0 ? "" : ", ").append(f);
                }
            }
            errors.error(path, "only one of [" + String.join(", ", fields) + "] may be set, found " + found);
        }
    }

    private static void validateArray(SchemaNode schema, JsonNode array, PathStack path, ErrorHandler errors) {
        int n = array.size();
        if (schema.maxItems >= 0 && n > schema.maxItems) {
            errors.error(path, "must have at most " + schema.maxItems + " items, has " + n);
        }
        if (schema.minItems >= 0 && n < schema.minItems) {
            errors.error(path, "must have at least " + schema.minItems + " items, has " + n);
        }
        if (schema.items != null) {
            for (int i = 0; i < n; i++) {
                path.pushIndex(i);
                validate(schema.items, array.get(i), path, errors);
                path.pop();
            }
        }
        if (schema.listType != null && n > 1) {
            checkListUniqueness(schema, array, path, errors);
        }
    }

    private static void checkListUniqueness(SchemaNode schema, JsonNode array, PathStack path, ErrorHandler errors) {
        boolean map = "map".equals(schema.listType) && schema.listMapKeys.length > 0;
        if (!map && !"set".equals(schema.listType)) {
            return;
        }
        Map<Object, Integer> seen = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            Object key;
            String shown;
            if (map) {
                if (!item.isObject()) {
                    continue;
                }
                if (schema.listMapKeys.length == 1) {
                    JsonNode kv = item.get(schema.listMapKeys[0]);
                    key = kv == null ? "\u0000" : kv.isValueNode() ? kv.getNodeType() + ":" + kv.asText() : kv.toString();
                } else {
                    StringBuilder k = new StringBuilder();
                    for (String mk : schema.listMapKeys) {
                        JsonNode kv = item.get(mk);
                        k.append(kv == null ? "\u0000" : kv.toString()).append('\u0001');
                    }
                    key = k.toString();
                }
                shown = null;
            } else {
                key = item;
                shown = describeValue(item);
            }
            Integer first = seen.putIfAbsent(key, i);
            if (first != null) {
                if (shown == null) {
                    StringBuilder sb = new StringBuilder();
                    for (String mk : schema.listMapKeys) {
                        JsonNode kv = item.get(mk);
                        sb.append(sb.length() == 0 ? "" : ", ").append(mk).append('=')
                                .append(kv == null ? "<unset>" : kv.toString());
                    }
                    shown = sb.toString();
                }
                path.pushIndex(i);
                errors.error(path, "duplicate entry " + shown + " (also at index " + first + ")");
                path.pop();
            }
        }
    }

    private static void validateString(SchemaNode schema, String s, PathStack path, ErrorHandler errors) {
        if (schema.maxLength >= 0 && s.length() > schema.maxLength) {
            int cp = s.codePointCount(0, s.length());
            if (cp > schema.maxLength) {
                errors.error(path, "may not be longer than " + schema.maxLength + " characters, is " + cp);
            }
        }
        if (schema.minLength > 0) {
            int cp = s.length() < schema.minLength ? s.length() : s.codePointCount(0, s.length());
            if (cp < schema.minLength) {
                errors.error(path, schema.minLength == 1 ? "may not be empty"
                        : "must be at least " + schema.minLength + " characters long, is " + cp);
            }
        }
        if (schema.pattern != null && !schema.pattern.matcher(s).find()) {
            errors.error(path, "invalid value " + describeValue(s) + ": must match the pattern '"
                    + schema.patternText + "'");
        }
        if (schema.format != null) {
            switch (schema.format) {
                case "byte" -> {
                    try {
                        Base64.getDecoder().decode(s);
                    } catch (IllegalArgumentException e) {
                        errors.error(path, "must be base64-encoded bytes");
                    }
                }
                case "date-time" -> {
                    try {
                        OffsetDateTime.parse(s);
                    } catch (DateTimeParseException e) {
                        errors.error(path, "must be an RFC 3339 date-time, got " + describeValue(s));
                    }
                }
                default -> {
                }
            }
        }
    }

    private static void validateNumber(SchemaNode schema, JsonNode n, PathStack path, ErrorHandler errors) {
        // Integers as the API server decodes them: int32 where the schema says so, else int64. A float that is
        // integral (1e30) still has to fit: Kubernetes rejects it, and Envoy would get a wrapped value.
        if (schema.type == SchemaNode.Type.INTEGER || "int32".equals(schema.format) || "int64".equals(schema.format)) {
            boolean int32 = "int32".equals(schema.format);
            boolean fits = n.isIntegralNumber() ? (int32 ? n.canConvertToInt() : n.canConvertToLong())
                    : Math.abs(n.asDouble()) <= (int32 ? Integer.MAX_VALUE : 0x1p63);
            if (!fits) {
                errors.error(path, "must be a " + (int32 ? 32 : 64) + "-bit integer, got " + n.asText());
                return;
            }
        }
        double d = n.asDouble();
        if (schema.minimum != null && (schema.exclusiveMinimum ? d <= schema.minimum : d < schema.minimum)) {
            errors.error(path, "must be greater than " + (schema.exclusiveMinimum ? "" : "or equal to ")
                    + number(schema.minimum) + ", got " + n.asText());
        }
        if (schema.maximum != null && (schema.exclusiveMaximum ? d >= schema.maximum : d > schema.maximum)) {
            errors.error(path, "must be less than " + (schema.exclusiveMaximum ? "" : "or equal to ")
                    + number(schema.maximum) + ", got " + n.asText());
        }
    }

    private static boolean enumContains(SchemaNode schema, JsonNode value) {
        if (value.isTextual()) {
            return schema.enumStrings.contains(value.textValue());
        }
        for (JsonNode e : schema.enumValues) {
            if (e.equals(value) || (e.isNumber() && value.isNumber() && e.asDouble() == value.asDouble())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the JSON type of {@code v} is the one the schema asks for. */
    public static boolean typeMatches(SchemaNode schema, JsonNode v) {
        if (schema.intOrString) {
            return v.isTextual() || isInteger(v);
        }
        return switch (schema.type) {
            case OBJECT -> v.isObject();
            case ARRAY -> v.isArray();
            case STRING -> v.isTextual();
            case INTEGER -> isInteger(v);
            case NUMBER -> v.isNumber();
            case BOOLEAN -> v.isBoolean();
            case ANY -> true;
        };
    }

    /** An integral JSON number (a float with no fractional part counts, as in the API server). */
    public static boolean isInteger(JsonNode v) {
        if (v.isIntegralNumber()) {
            return true;
        }
        if (v.isFloatingPointNumber()) {
            double d = v.asDouble();
            return !Double.isInfinite(d) && d == Math.rint(d);
        }
        return false;
    }

    private static String expected(SchemaNode schema) {
        return schema.intOrString ? "integer or string" : schema.type.jsonName();
    }

    /** "string \"abc\"", "integer 5", "object", ... for type errors. */
    static String describe(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isNull()) {
            return "null";
        }
        String type = v.isTextual() ? "string" : v.isBoolean() ? "boolean" : v.isIntegralNumber() ? "integer" : "number";
        return type + " " + describeValue(v);
    }

    static String describeValue(JsonNode v) {
        return v.isTextual() ? describeValue(v.textValue()) : v.isContainerNode() ? v.getNodeType().name().toLowerCase()
                : v.asText();
    }

    static String describeValue(String s) {
        String shown = s.length() > 60 ? s.substring(0, 57) + "..." : s;
        return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String unknownField(SchemaNode schema, String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : schema.properties.keySet()) {
            int d = distance(name.toLowerCase(), known.toLowerCase());
            if (d < bestDistance || (d == bestDistance && best != null && known.compareTo(best) < 0)) {
                bestDistance = d;
                best = known;
            }
        }
        String message = "unknown field \"" + name + "\"";
        if (best != null && bestDistance <= Math.max(1, Math.min(2, name.length() / 3))) {
            message += " (did you mean \"" + best + "\"?)";
        }
        return message;
    }

    /** Levenshtein distance with adjacent transpositions (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
