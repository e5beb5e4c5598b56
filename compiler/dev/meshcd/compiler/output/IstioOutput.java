package dev.meshcd.compiler.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.lower.PolicyKinds;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Istio (and Gateway API) resources a compilation emits and their byte-stable YAML form.
 *
 * <p>Which resources to emit is {@link CompileResult#istioResources()}: the repository's own Istio
 * resources, passed through unchanged, and those lowered from meshcd policies.
 */
public final class IstioOutput {
    private static final Set<String> VOLATILE_METADATA = Set.of("creationTimestamp", "resourceVersion", "uid",
            "generation", "managedFields", "selfLink");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private IstioOutput() {
    }

    /**
     * Whether meshcd applies a compiled resource (and {@code compile} writes it): Istio and Gateway API kinds, and outputs
     * lowered by meshcd (its label) other than Kubernetes' own kinds.
     */
    public static boolean isApplied(Resource r) {
        if (r.kind().isManagedCustomResource()) {
            return true;
        }
        String group = r.kind().group();
        return PolicyKinds.isGenerated(r) && !group.equals(dev.meshcd.compiler.model.Kind.MESHCD) && !group.isEmpty()
                && !group.equals("apps") && !group.equals("batch");
    }

    /**
     * The resource as meshcd applies it, the one source of what {@code compile} writes and what the sync loop
     * applies: no status and no server-set metadata, the namespace spelled out, the ownership label
     * ({@value PolicyKinds#MANAGED_BY_LABEL}: {@value PolicyKinds#MANAGED_BY_VALUE}) and where it comes from
     * ({@value PolicyKinds#SOURCE_ANNOTATION}: {@code file#Lline}). The sync adds what only it knows (the
     * repository, the commit, a content hash). A fresh copy: callers may change it.
     */
    public static ObjectNode appliedBody(Resource r) {
        ObjectNode body = r.object().deepCopy();
        body.remove("status");
        ObjectNode meta = body.with("metadata");
        VOLATILE_METADATA.forEach(meta::remove);
        meta.remove(List.of("deletionTimestamp", "deletionGracePeriodSeconds"));
        if (!r.namespace().isEmpty()) {
            meta.put("namespace", r.namespace());
        }
        meta.with("labels").put(PolicyKinds.MANAGED_BY_LABEL, PolicyKinds.MANAGED_BY_VALUE);
        meta.with("annotations").put(PolicyKinds.SOURCE_ANNOTATION, source(r));
        return body;
    }

    /** {@code file#Lline} of the resource's document, or "" for a resource read from no file. */
    public static String source(Resource r) {
        SourceLocation loc = r.locate(FieldPath.ROOT);
        return loc.file().isEmpty() ? "" : loc.file() + (loc.hasPosition() ? "#L" + loc.line() : "");
    }

    /** The resource as {@link #appliedBody applied}, for {@link #yaml}. */
    public static Resource applied(Resource r) {
        return new Resource(r.apiVersion(), r.key(), appliedBody(r), r.origin());
    }

    /**
     * "istio/&lt;namespace&gt;/&lt;kind&gt;-&lt;name&gt;.yaml", or "gateway-api/..." for a Gateway API kind
     * (cluster-scoped: "_cluster"). Names are not checked here: writers check the path ({@code OutputDirectory}).
     */
    public static String path(Resource r) {
        String ns = r.namespace().isEmpty() ? "_cluster" : r.namespace();
        String top = r.kind().isGatewayApi() ? "gateway-api/" : "istio/";
        return top + ns + "/" + r.key().kind().toLowerCase(Locale.ROOT) + "-" + r.name() + ".yaml";
    }

    /**
     * The resource as YAML: apiVersion, kind, metadata, spec first, then any other top-level field;
     * every map's keys sorted (no order has meaning there); lists kept in order; no status and no
     * server-set metadata.
     */
    public static String yaml(Resource r) {
        ObjectNode src = r.object();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String k : List.of("apiVersion", "kind", "metadata", "spec")) {
            if (src.has(k)) {
                out.set(k, sorted(src.get(k)));
            }
        }
        new TreeMap<String, JsonNode>() {
            {
                src.fields().forEachRemaining(e -> put(e.getKey(), e.getValue()));
            }
        }.forEach((k, v) -> {
            if (!out.has(k) && !k.equals("status")) {
                out.set(k, sorted(v));
            }
        });
        JsonNode meta = out.get("metadata");
        if (meta instanceof ObjectNode m) {
            VOLATILE_METADATA.forEach(m::remove);
            if (!r.namespace().isEmpty()) {
                m.put("namespace", r.namespace());
            }
            out.set("metadata", sorted(m));
        }
        try {
            return YAML.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode sorted(JsonNode n) {
        if (n instanceof ObjectNode o) {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            TreeMap<String, JsonNode> m = new TreeMap<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                m.put(k, o.get(k));
            }
            m.forEach((k, v) -> s.set(k, sorted(v)));
            return s;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode s = JsonNodeFactory.instance.arrayNode();
            a.forEach(x -> s.add(sorted(x)));
            return s;
        }
        return n;
    }
}
