package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.load.DocumentOrigin;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.HashMap;
import java.util.Map;

/**
 * One Istio resource under construction, with a trace from its fields back to the policy's. Lowerers
 * fill {@link #spec()} and call {@link #trace} for every field a diagnostic may land on.
 */
final class Output {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final FieldPath SPEC = FieldPath.of("spec");

    private final Resource policy;
    private final String apiVersion;
    private final ResourceKey key;
    private final ObjectNode object = NODES.objectNode();
    private final ObjectNode spec;
    private final Map<FieldPath, FieldPath> trace = new HashMap<>();
    private final Map<FieldPath, Resource> elsewhere = new HashMap<>();

    Output(Resource policy, LoweringContext ctx, String apiVersion, String kind, String namespace, String name) {
        this.policy = policy;
        this.apiVersion = apiVersion;
        int slash = apiVersion.indexOf('/');
        this.key = new ResourceKey(apiVersion.substring(0, slash), kind, namespace, name);
        object.put("apiVersion", apiVersion);
        object.put("kind", kind);
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        metadata.putObject("labels").put(PolicyKinds.MANAGED_BY_LABEL, PolicyKinds.MANAGED_BY_VALUE);
        ObjectNode annotations = metadata.putObject("annotations");
        annotations.put(PolicyKinds.SOURCE_ANNOTATION, sourceRef(policy));
        if (ctx.commit() != null && !ctx.commit().isEmpty()) {
            annotations.put(PolicyKinds.COMMIT_ANNOTATION, ctx.commit());
        }
        spec = object.putObject("spec");
        trace.put(FieldPath.ROOT, FieldPath.ROOT);
        trace.put(FieldPath.of("metadata"), FieldPath.of("metadata"));
        trace.put(SPEC, SPEC);
    }

    ObjectNode spec() {
        return spec;
    }

    /** Records that the output field at {@code spec.<out>} came from the policy field {@code src}. */
    Output trace(FieldPath out, FieldPath src) {
        trace.put(SPEC.concat(out), src);
        return this;
    }

    /** Like {@link #trace}, for a field that came from another resource (MeshDefaults). */
    Output trace(FieldPath out, Resource from, FieldPath src) {
        if (from == policy) {
            return trace(out, src);
        }
        trace.put(SPEC.concat(out), src);
        elsewhere.put(SPEC.concat(out), from);
        return this;
    }

    Resource build() {
        return new Resource(apiVersion, key, object, new LoweredOrigin(policy, trace, elsewhere));
    }

    /** {@code path/to/file.yaml#L12}: the policy's file and the line its document starts on. */
    static String sourceRef(Resource policy) {
        String file = policy.origin().fileName();
        int line = 0;
        if (policy.origin() instanceof DocumentOrigin d && d.base().isRoot()) {
            for (var doc : d.file().documents()) {
                if (doc.index() == d.documentIndex()) {
                    line = doc.line();
                    break;
                }
            }
        }
        if (line <= 0) {
            SourceLocation loc = policy.locate(FieldPath.ROOT);
            line = loc.line();
        }
        return line > 0 ? file + "#L" + line : file;
    }

    static ArrayNode strings(Iterable<JsonNode> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(v -> a.add(v.asText()));
        return a;
    }
}
