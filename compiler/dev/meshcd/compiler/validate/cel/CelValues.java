package dev.meshcd.compiler.validate.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import dev.meshcd.compiler.validate.schema.SchemaNode;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * JSON values as CEL sees them, typed by the schema as the API server types them: {@code number} is a
 * double even when written as 1, {@code integer} an int, int-or-string either. Objects and lists are
 * lazy views over the Jackson tree, so a rule that reads one field of a large object converts only
 * that field. Null fields are absent ({@code has()} is false), as the API server prunes them.
 */
final class CelValues {
    private CelValues() {
    }

    static Object of(JsonNode v, SchemaNode s) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            if (s != null && s.type() == SchemaNode.Type.NUMBER) {
                return v.doubleValue();
            }
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                return v.longValue();
            }
            if (s != null && (s.type() == SchemaNode.Type.INTEGER || s.intOrString()) && !v.isIntegralNumber()
                    && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9.2e18) {
                return (long) v.doubleValue();
            }
            return v.doubleValue();
        }
        if (v.isArray()) {
            return new JsonList(v, s == null ? null : s.items());
        }
        if (v.isObject()) {
            return new JsonMap(v, s);
        }
        return NullValue.NULL_VALUE;
    }

    /** A read-only list view of a JSON array. */
    static final class JsonList extends AbstractList<Object> {
        private final JsonNode array;
        private final SchemaNode items;

        JsonList(JsonNode array, SchemaNode items) {
            this.array = array;
            this.items = items;
        }

        @Override
        public Object get(int index) {
            return of(array.get(index), items);
        }

        @Override
        public int size() {
            return array.size();
        }
    }

    /** A read-only map view of a JSON object; null-valued fields are left out. */
    static final class JsonMap extends AbstractMap<String, Object> {
        private final JsonNode object;
        private final SchemaNode schema;
        private Map<String, Object> materialized;

        JsonMap(JsonNode object, SchemaNode schema) {
            this.object = object;
            this.schema = schema;
        }

        @Override
        public boolean containsKey(Object key) {
            if (!(key instanceof String k)) {
                return false;
            }
            JsonNode v = object.get(k);
            return v != null && !v.isNull();
        }

        @Override
        public Object get(Object key) {
            if (!(key instanceof String k)) {
                return null;
            }
            JsonNode v = object.get(k);
            if (v == null || v.isNull()) {
                return null;
            }
            return of(v, schema == null ? null : schema.child(k));
        }

        @Override
        public int size() {
            return materialize().size();
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            return materialize().entrySet();
        }

        private Map<String, Object> materialize() {
            Map<String, Object> m = materialized;
            if (m == null) {
                m = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = object.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isNull()) {
                        m.put(e.getKey(), of(e.getValue(), schema == null ? null : schema.child(e.getKey())));
                    }
                }
                materialized = m;
            }
            return m;
        }
    }
}
