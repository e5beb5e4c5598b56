package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One YAML (or JSON) document of injector input read with positions, and typed reads of its fields that fail with
 * the field's file position instead of falling back to a default: a field that is absent (or null) takes the
 * caller's default, a field of the wrong type is an error.
 */
final class ConfigTree {
    private final ParsedFile file;
    private final int docIndex;
    final JsonNode root;

    private ConfigTree(ParsedFile file, int docIndex, JsonNode root) {
        this.file = file;
        this.docIndex = docIndex;
        this.root = root;
    }

    /** Parses {@code source}, which must hold one mapping (an empty file reads as an empty mapping). */
    static ConfigTree parse(SourceFile source) throws InjectionConfigException {
        ParsedFile parsed = new YamlLoader().load(source);
        for (Diagnostic d : parsed.diagnostics()) {
            throw new InjectionConfigException(d.location(), d.message());
        }
        List<Document> docs = parsed.documents().stream().filter(d -> d.root() != null && !d.root().isNull()).toList();
        if (docs.size() > 1) {
            throw new InjectionConfigException(new SourceLocation(source.name(), docs.get(1).line(),
                    docs.get(1).column()), "expected one document, found " + docs.size());
        }
        if (docs.isEmpty()) {
            return new ConfigTree(parsed, 0, Json.obj());
        }
        Document doc = docs.get(0);
        if (!doc.root().isObject()) {
            throw new InjectionConfigException(new SourceLocation(source.name(), doc.line(), doc.column()),
                    "expected a mapping, found " + kind(doc.root()));
        }
        return new ConfigTree(parsed, doc.index(), doc.root());
    }

    InjectionConfigException error(FieldPath path, String message) {
        return new InjectionConfigException(file.locate(docIndex, path),
                (path.isRoot() ? "" : path + ": ") + message);
    }

    /** The node at {@code path}, or null when it or an ancestor is absent or null. */
    JsonNode at(FieldPath path) {
        JsonNode n = root;
        for (int i = 0; i < path.size() && n != null; i++) {
            Object seg = path.segment(i);
            n = seg instanceof Integer idx ? n.get(idx) : n.get((String) seg);
        }
        return n == null || n.isNull() ? null : n;
    }

    /** Fails on the first key of the mapping at {@code path} that is not in {@code known}. */
    void requireKnownKeys(FieldPath path, Set<String> known) throws InjectionConfigException {
        JsonNode n = object(path);
        if (n == null) {
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw error(path.key(key), "unknown field \"" + key + "\"");
            }
        }
    }

    JsonNode object(FieldPath path) throws InjectionConfigException {
        JsonNode n = at(path);
        if (n != null && !n.isObject()) {
            throw error(path, "expected a mapping, found " + kind(n));
        }
        return n;
    }

    String string(FieldPath path, String dflt) throws InjectionConfigException {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        if (!n.isValueNode() || n.isBoolean()) {
            throw error(path, "expected a string, found " + kind(n));
        }
        return n.asText();
    }

    boolean bool(FieldPath path, boolean dflt) throws InjectionConfigException {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isTextual() && (n.textValue().equals("true") || n.textValue().equals("false"))) {
            return Boolean.parseBoolean(n.textValue());
        }
        throw error(path, "expected true or false, found " + kind(n));
    }

    int integer(FieldPath path, int dflt, int min, int max) throws InjectionConfigException {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        long v;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            v = n.longValue();
        } else if (n.isTextual() && n.textValue().matches("-?[0-9]{1,10}")) {
            v = Long.parseLong(n.textValue());
        } else {
            throw error(path, "expected an integer, found " + kind(n));
        }
        if (v < min || v > max) {
            throw error(path, v + " is out of range [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    List<String> strings(FieldPath path, List<String> dflt) throws InjectionConfigException {
        JsonNode n = at(path);
        if (n == null) {
            return dflt;
        }
        if (!n.isArray()) {
            throw error(path, "expected a list of strings, found " + kind(n));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            out.add(string(path.index(i), ""));
        }
        return out;
    }

    /** A mapping of strings to strings (numbers and booleans as written). */
    Map<String, String> stringMap(FieldPath path, Map<String, String> dflt) throws InjectionConfigException {
        JsonNode n = object(path);
        if (n == null) {
            return dflt;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            out.put(key, string(path.key(key), ""));
        }
        return out;
    }

    static String kind(JsonNode n) {
        JsonNodeType t = n.getNodeType();
        return switch (t) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
