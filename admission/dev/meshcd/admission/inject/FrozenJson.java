package dev.meshcd.admission.inject;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonGeneratorImpl;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Immutable JSON trees for the parts of the injection templates that every pod gets unchanged (the proxy's
 * args, mounts, probes and most env entries, the volumes, istio-init). They are built once per template,
 * put into each injected pod without a copy, and written as the compact JSON cached when they were frozen:
 * the {@code /inject} answer carries them in its patch, and Jackson writes a tree at about 1.7 ns a byte.
 *
 * <p>A frozen node refuses changes: Jackson's mutators throw {@link UnsupportedOperationException}, because
 * the map or list under it is unmodifiable. Code that edits an injected pod takes a mutable copy first
 * ({@link #thaw}, or {@link Json#objectAt} and {@link Json#arrayAt}, which do it for the child they return).
 * {@code deepCopy()} of a frozen node is the node itself, as Jackson allows for immutable nodes. Frozen nodes
 * never contain JSON nulls: a part holding one stays mutable and each pod gets its own copy ({@link #share}),
 * and null-stripping never has to look inside a frozen node.
 */
final class FrozenJson {
    private FrozenJson() {
    }

    /** {@code node} as an immutable tree (scalars are immutable already); a subtree holding a null stays mutable. */
    static JsonNode freeze(JsonNode node) {
        if (node instanceof Frozen) {
            return node;
        }
        if (node instanceof ObjectNode o) {
            Map<String, JsonNode> children = new LinkedHashMap<>(o.size() * 2);
            boolean freezable = true;
            for (var it = o.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode child = freeze(e.getValue());
                freezable &= isFrozenOrScalar(child);
                children.put(e.getKey(), child);
            }
            if (!freezable) {
                ObjectNode copy = Json.F.objectNode();
                copy.setAll(children);
                return copy;
            }
            return new FrozenObject(children);
        }
        if (node instanceof ArrayNode a) {
            List<JsonNode> children = new ArrayList<>(a.size());
            boolean freezable = true;
            for (JsonNode item : a) {
                JsonNode child = freeze(item);
                freezable &= isFrozenOrScalar(child);
                children.add(child);
            }
            return freezable ? new FrozenArray(children) : Json.F.arrayNode(children.size()).addAll(children);
        }
        return node;
    }

    /**
     * {@code node} to put into a pod: itself when frozen or a scalar, else a deep copy (a template part that
     * could not be frozen, having a null, is still never shared between pods).
     */
    static JsonNode share(JsonNode node) {
        return isFrozenOrScalar(node) ? node : node.deepCopy();
    }

    static boolean isFrozen(JsonNode node) {
        return node instanceof Frozen;
    }

    /** A mutable copy of {@code node}'s top level (its children stay shared, frozen or not); itself if mutable. */
    static ObjectNode thaw(ObjectNode node) {
        return node instanceof Frozen ? Json.F.objectNode().setAll(node) : node;
    }

    /** A mutable copy of {@code node}'s top level; itself if mutable. */
    static ArrayNode thaw(ArrayNode node) {
        return node instanceof Frozen ? Json.F.arrayNode(node.size()).addAll(node) : node;
    }

    /**
     * Writes {@code node} as compact JSON to {@code g}, a plain JSON generator ({@link #writesAsCached}): frozen
     * parts as their cached JSON, strings of {@link #LONG_STRING} characters or more as their escaped JSON
     * remembered from earlier writes. Those long strings are JSON inside JSON (the status annotation, the
     * agent's {@code POD_PORTS} and probe rewrites), the same for every pod of a template or of a workload,
     * full of quotes to escape; the rest is written as Jackson would, in the tree's order.
     */
    static void writeCompact(JsonNode node, JsonGenerator g) throws IOException {
        if (node instanceof FrozenObject o) {
            g.writeRawValue(o.json);
        } else if (node instanceof FrozenArray a) {
            g.writeRawValue(a.json);
        } else if (node instanceof ObjectNode o) {
            g.writeStartObject(o, o.size());
            for (var it = o.fields(); it.hasNext(); ) {
                var e = it.next();
                g.writeFieldName(e.getKey());
                writeCompact(e.getValue(), g);
            }
            g.writeEndObject();
        } else if (node instanceof ArrayNode a) {
            g.writeStartArray(a, a.size());
            for (JsonNode item : a) {
                writeCompact(item, g);
            }
            g.writeEndArray();
        } else if (node.isTextual()) {
            String text = node.textValue();
            if (text.length() >= LONG_STRING) {
                g.writeRawValue(quoted(text));
            } else {
                g.writeString(text);
            }
        } else if (node.isNumber() || node.isBoolean()) {
            node.serialize(g, null); // these write their value alone, never asking the provider
        } else if (node.isNull()) {
            g.writeNull();
        } else {
            g.writeTree(node); // binary, POJO: through the generator's mapper
        }
    }

    /** Strings shorter than this are escaped on every write: looking them up would cost about as much. */
    static final int LONG_STRING = 64;
    private static final int QUOTED_KEPT = 4096;
    private static final Map<String, SerializedString> QUOTED = new ConcurrentHashMap<>();

    /** {@code text} as a JSON string literal, encoded once per distinct text (forgotten all at once when many). */
    private static SerializedString quoted(String text) {
        SerializedString json = QUOTED.get(text);
        if (json == null) {
            json = new SerializedString('"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"');
            json.asUnquotedUTF8();
            if (QUOTED.size() >= QUOTED_KEPT) {
                QUOTED.clear(); // pods vary without end only in a benchmark of misses; clearing keeps memory bounded
            }
            QUOTED.put(text, json);
        }
        return json;
    }

    private static boolean isFrozenOrScalar(JsonNode n) {
        return n instanceof Frozen || !n.isContainerNode() && !n.isNull();
    }

    /** Marks the two frozen node types. */
    private interface Frozen {
    }

    private static final class FrozenObject extends ObjectNode implements Frozen {
        private final SerializedString json;

        FrozenObject(Map<String, JsonNode> children) {
            super(JsonNodeFactory.instance, Collections.unmodifiableMap(children));
            json = compact(this);
        }

        @Override
        public ObjectNode deepCopy() {
            return this;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            if (!writeCached(json, g, provider)) {
                super.serialize(g, provider);
            }
        }
    }

    private static final class FrozenArray extends ArrayNode implements Frozen {
        private final SerializedString json;

        FrozenArray(List<JsonNode> children) {
            super(JsonNodeFactory.instance, Collections.unmodifiableList(children));
            json = compact(this);
        }

        @Override
        public ArrayNode deepCopy() {
            return this;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            if (!writeCached(json, g, provider)) {
                super.serialize(g, provider);
            }
        }
    }

    /** The node's compact JSON, encoded now so that writers on many threads only copy bytes. */
    private static SerializedString compact(JsonNode node) {
        SerializedString s = new SerializedString(node.toString());
        s.asUnquotedUTF8();
        return s;
    }

    /** Writes {@code json} if {@code g} would write the same; false (nothing written) otherwise. */
    private static boolean writeCached(SerializedString json, JsonGenerator g, SerializerProvider provider)
            throws IOException {
        if (json == null || !writesAsCached(g, provider)) { // null while the constructor renders the node
            return false;
        }
        g.writeRawValue(json);
        return true;
    }

    /**
     * Whether {@code g} would write the same characters as the cached JSON: a plain JSON generator (not YAML,
     * not a TokenBuffer converting trees) with no pretty printer, no extra escaping, numbers as numbers, and a
     * provider that neither sorts nor drops properties.
     */
    private static boolean writesAsCached(JsonGenerator g, SerializerProvider provider) {
        return g instanceof JsonGeneratorImpl j && j.getPrettyPrinter() == null && j.getCharacterEscapes() == null
                && j.getHighestEscapedChar() == 0
                && !j.isEnabled(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature())
                && !j.isEnabled(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS.mappedFeature())
                && j.isEnabled(JsonWriteFeature.QUOTE_FIELD_NAMES.mappedFeature())
                && (provider == null || provider.isEnabled(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS)
                && provider.isEnabled(JsonNodeFeature.WRITE_NULL_PROPERTIES)
                && !provider.isEnabled(JsonNodeFeature.WRITE_PROPERTIES_SORTED));
    }
}
