package dev.meshcd.compiler.validate.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One node of a CRD's {@code openAPIV3Schema}, compiled once into the form validation walks: property
 * maps, compiled patterns, enum sets, and the "at most one of these fields" shape Istio's CRDs express
 * with {@code oneOf}. Immutable and shared by every thread; identity is the node's identity.
 */
public final class SchemaNode {
    /** The OpenAPI type of a node; {@code ANY} when the schema gives none. */
    public enum Type {
        OBJECT("object"), ARRAY("array"), STRING("string"), INTEGER("integer"), NUMBER("number"),
        BOOLEAN("boolean"), ANY("any");

        private final String jsonName;

        Type(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }

    private static final String[] NO_STRINGS = new String[0];
    private static final SchemaNode[] NO_NODES = new SchemaNode[0];

    final Type type;
    final boolean nullable;
    final boolean intOrString;
    final boolean preserveUnknownFields;
    final Map<String, SchemaNode> properties;
    final String[] required;
    /** Schema of values not in {@code properties}; null when there is none. */
    final SchemaNode additionalProperties;
    /** {@code additionalProperties: true}. */
    final boolean additionalPropertiesAllowed;
    final SchemaNode items;
    final Set<String> enumStrings;
    final List<JsonNode> enumValues;
    final String enumText;
    final String format;
    final Double minimum;
    final Double maximum;
    final boolean exclusiveMinimum;
    final boolean exclusiveMaximum;
    final long minLength;
    final long maxLength;
    final long minItems;
    final long maxItems;
    final long minProperties;
    final long maxProperties;
    final Pattern pattern;
    final String patternText;
    final SchemaNode[] oneOf;
    final SchemaNode[] anyOf;
    final SchemaNode[] allOf;
    final SchemaNode not;
    /** Set when {@code oneOf} says "at most one of these fields": the field names. */
    final String[] exclusiveFields;
    final String listType;
    final String[] listMapKeys;
    final List<ValidationRule> rules;
    /** This node or a node below it carries CEL rules. */
    final boolean rulesBelow;
    /** The value the API server sets when the field is absent ({@code default}), or null. */
    final JsonNode defaultValue;
    /** A property of this node or of a node below it has a default. */
    final boolean defaultsBelow;

    @SuppressWarnings("unchecked")
    private SchemaNode(Map<String, Object> m) {
        Object t = m.get("type");
        Type ty = Type.ANY;
        if (t instanceof String s) {
            for (Type candidate : Type.values()) {
                if (candidate.jsonName.equals(s)) {
                    ty = candidate;
                }
            }
        }
        type = ty;
        nullable = Boolean.TRUE.equals(m.get("nullable"));
        intOrString = Boolean.TRUE.equals(m.get("x-kubernetes-int-or-string"));
        preserveUnknownFields = Boolean.TRUE.equals(m.get("x-kubernetes-preserve-unknown-fields"));

        Map<String, SchemaNode> props = new HashMap<>();
        if (m.get("properties") instanceof Map<?, ?> p) {
            for (Map.Entry<?, ?> e : p.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> child) {
                    props.put(String.valueOf(e.getKey()), new SchemaNode((Map<String, Object>) child));
                }
            }
        }
        properties = props.isEmpty() ? Collections.emptyMap() : props;
        required = strings(m.get("required"));
        Object ap = m.get("additionalProperties");
        additionalProperties = ap instanceof Map<?, ?> apm ? new SchemaNode((Map<String, Object>) apm) : null;
        additionalPropertiesAllowed = Boolean.TRUE.equals(ap);
        items = m.get("items") instanceof Map<?, ?> im ? new SchemaNode((Map<String, Object>) im) : null;

        if (m.get("enum") instanceof List<?> en) {
            Set<String> strs = new HashSet<>();
            List<JsonNode> values = new ArrayList<>();
            List<String> shown = new ArrayList<>();
            for (Object v : en) {
                JsonNode jv = JsonNodeFactory.instance.pojoNode(v);
                if (v instanceof String s) {
                    strs.add(s);
                    jv = JsonNodeFactory.instance.textNode(s);
                } else if (v instanceof Integer || v instanceof Long) {
                    jv = JsonNodeFactory.instance.numberNode(((Number) v).longValue());
                } else if (v instanceof Number n) {
                    jv = JsonNodeFactory.instance.numberNode(n.doubleValue());
                } else if (v instanceof Boolean b) {
                    jv = JsonNodeFactory.instance.booleanNode(b);
                } else if (v == null) {
                    jv = JsonNodeFactory.instance.nullNode();
                }
                values.add(jv);
                shown.add(String.valueOf(v));
            }
            enumStrings = strs;
            enumValues = values;
            enumText = "[" + String.join(", ", shown) + "]";
        } else {
            enumStrings = null;
            enumValues = null;
            enumText = null;
        }
        format = m.get("format") instanceof String f ? f : null;
        minimum = m.get("minimum") instanceof Number n ? n.doubleValue() : null;
        maximum = m.get("maximum") instanceof Number n ? n.doubleValue() : null;
        exclusiveMinimum = Boolean.TRUE.equals(m.get("exclusiveMinimum"));
        exclusiveMaximum = Boolean.TRUE.equals(m.get("exclusiveMaximum"));
        minLength = num(m.get("minLength"));
        maxLength = num(m.get("maxLength"));
        minItems = num(m.get("minItems"));
        maxItems = num(m.get("maxItems"));
        minProperties = num(m.get("minProperties"));
        maxProperties = num(m.get("maxProperties"));
        patternText = m.get("pattern") instanceof String p ? p : null;
        pattern = patternText == null ? null : Pattern.compile(GoRegex.toJava(patternText));
        oneOf = nodes(m.get("oneOf"));
        anyOf = nodes(m.get("anyOf"));
        allOf = nodes(m.get("allOf"));
        not = m.get("not") instanceof Map<?, ?> nm ? new SchemaNode((Map<String, Object>) nm) : null;
        exclusiveFields = exclusiveShape(oneOf);
        listType = m.get("x-kubernetes-list-type") instanceof String lt ? lt : null;
        listMapKeys = strings(m.get("x-kubernetes-list-map-keys"));

        List<ValidationRule> rs = new ArrayList<>();
        if (m.get("x-kubernetes-validations") instanceof List<?> vs) {
            for (Object o : vs) {
                if (o instanceof Map<?, ?> r && r.get("rule") instanceof String rule) {
                    rs.add(new ValidationRule(rule, str(r.get("message")), str(r.get("messageExpression")),
                            str(r.get("fieldPath")), str(r.get("reason")),
                            Boolean.TRUE.equals(r.get("optionalOldSelf"))));
                }
            }
        }
        rules = List.copyOf(rs);
        boolean below = !rules.isEmpty();
        for (SchemaNode c : properties.values()) {
            below |= c.rulesBelow;
        }
        below |= items != null && items.rulesBelow;
        below |= additionalProperties != null && additionalProperties.rulesBelow;
        rulesBelow = below;
        defaultValue = m.containsKey("default") && m.get("default") != null ? DEFAULTS.valueToTree(m.get("default")) : null;
        boolean defaults = false;
        for (SchemaNode c : properties.values()) {
            defaults |= c.defaultValue != null || c.defaultsBelow;
        }
        defaults |= items != null && items.defaultsBelow;
        defaults |= additionalProperties != null && additionalProperties.defaultsBelow;
        defaultsBelow = defaults;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper DEFAULTS = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Compiles a schema given as plain maps and lists (as a YAML or JSON parser produces them). */
    public static SchemaNode compile(Map<String, Object> schema) {
        return new SchemaNode(schema);
    }

    public Type type() {
        return type;
    }

    public boolean nullable() {
        return nullable;
    }

    public boolean intOrString() {
        return intOrString;
    }

    public boolean preserveUnknownFields() {
        return preserveUnknownFields;
    }

    /** The schema of a named property, or null. */
    public SchemaNode property(String name) {
        return properties.get(name);
    }

    public Map<String, SchemaNode> properties() {
        return properties;
    }

    public SchemaNode additionalProperties() {
        return additionalProperties;
    }

    public SchemaNode items() {
        return items;
    }

    public String format() {
        return format;
    }

    public String listType() {
        return listType;
    }

    public List<String> listMapKeys() {
        return List.of(listMapKeys);
    }

    public List<ValidationRule> rules() {
        return rules;
    }

    public boolean rulesBelow() {
        return rulesBelow;
    }

    /** The schema's {@code default} (a shared tree: copy before changing it), or null. */
    public JsonNode defaultValue() {
        return defaultValue;
    }

    /** Whether some property at or below this node has a default (see {@link Defaulting}). */
    public boolean defaultsBelow() {
        return defaultsBelow;
    }

    /** The properties an object of this schema must have. */
    public List<String> required() {
        return List.of(required);
    }

    /** The schema of the value under {@code key} of an object of this schema, or null when none applies. */
    public SchemaNode child(String key) {
        SchemaNode p = properties.get(key);
        return p != null ? p : additionalProperties;
    }

    /** Every rule at or below this node (for counting and compile checks). */
    public void collectRules(List<ValidationRule> out) {
        out.addAll(rules);
        for (SchemaNode c : properties.values()) {
            c.collectRules(out);
        }
        if (items != null) {
            items.collectRules(out);
        }
        if (additionalProperties != null) {
            additionalProperties.collectRules(out);
        }
    }

    /**
     * Recognizes Istio's generated "at most one of" shape:
     * {@code oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}]}.
     */
    private static String[] exclusiveShape(SchemaNode[] oneOf) {
        if (oneOf.length < 2 || oneOf[0].not == null || oneOf[0].not.anyOf.length != oneOf.length - 1) {
            return null;
        }
        String[] fields = new String[oneOf.length - 1];
        for (int i = 1; i < oneOf.length; i++) {
            SchemaNode branch = oneOf[i];
            SchemaNode negated = oneOf[0].not.anyOf[i - 1];
            if (!onlyRequires(branch) || !onlyRequires(negated) || !branch.required[0].equals(negated.required[0])) {
                return null;
            }
            fields[i - 1] = branch.required[0];
        }
        return fields;
    }

    private static boolean onlyRequires(SchemaNode n) {
        return n.required.length == 1 && n.type == Type.ANY && n.properties.isEmpty() && n.items == null
                && n.oneOf.length == 0 && n.anyOf.length == 0 && n.allOf.length == 0 && n.not == null
                && n.enumValues == null && n.rules.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static SchemaNode[] nodes(Object o) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            return NO_NODES;
        }
        List<SchemaNode> out = new ArrayList<>();
        for (Object x : list) {
            if (x instanceof Map<?, ?> m) {
                out.add(new SchemaNode((Map<String, Object>) m));
            }
        }
        return out.toArray(NO_NODES);
    }

    private static String[] strings(Object o) {
        if (!(o instanceof List<?> list) || list.isEmpty()) {
            return NO_STRINGS;
        }
        List<String> out = new ArrayList<>();
        for (Object x : list) {
            out.add(String.valueOf(x));
        }
        return out.toArray(NO_STRINGS);
    }

    private static long num(Object o) {
        return o instanceof Number n ? n.longValue() : -1;
    }

    private static String str(Object o) {
        return o instanceof String s && !s.isEmpty() ? s : null;
    }
}
