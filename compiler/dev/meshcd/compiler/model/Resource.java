package dev.meshcd.compiler.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Kubernetes object as the compiler sees it: its identity, its full body as a Jackson tree
 * (treated as read-only by every stage) and where it came from.
 */
public final class Resource {
    private final String apiVersion;
    private final ResourceKey key;
    private final ObjectNode object;
    private final Origin origin;

    public Resource(String apiVersion, ResourceKey key, ObjectNode object, Origin origin) {
        this.apiVersion = apiVersion;
        this.key = key;
        this.object = object;
        this.origin = origin;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** The part of apiVersion after the slash ("v1" for "networking.istio.io/v1"). */
    public String version() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    }

    public ResourceKey key() {
        return key;
    }

    public Kind kind() {
        return new Kind(key.group(), key.kind());
    }

    public boolean is(Kind kind) {
        return key.kind().equals(kind.kind()) && key.group().equals(kind.group());
    }

    public String name() {
        return key.name();
    }

    public String namespace() {
        return key.namespace();
    }

    public ObjectNode object() {
        return object;
    }

    public Origin origin() {
        return origin;
    }

    /** {@code spec}, or a missing node (whose {@code path()} calls keep returning missing nodes). */
    public JsonNode spec() {
        JsonNode spec = object.get("spec");
        return spec == null ? MissingNode.getInstance() : spec;
    }

    public JsonNode metadata() {
        JsonNode m = object.get("metadata");
        return m == null ? MissingNode.getInstance() : m;
    }

    public Map<String, String> labels() {
        return stringMap(metadata().get("labels"));
    }

    public Map<String, String> annotations() {
        return stringMap(metadata().get("annotations"));
    }

    public String annotation(String name) {
        JsonNode v = metadata().path("annotations").get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Map<String, String> stringMap(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return out;
    }

    /** The source position of a field of this resource. */
    public SourceLocation locate(FieldPath path) {
        return origin.locate(path);
    }

    /** A diagnostic about a field of this resource, located in its source. */
    public Diagnostic diagnostic(Severity severity, String code, FieldPath path, String message) {
        return new Diagnostic(severity, code, message, key, origin.locate(path), path.toString());
    }

    @Override
    public String toString() {
        return key.display();
    }
}
