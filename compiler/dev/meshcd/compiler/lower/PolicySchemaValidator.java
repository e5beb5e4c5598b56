package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks meshcd policies against their JSON Schemas ({@code schemas/meshcd/<Kind>.schema.json}, on
 * the classpath). Schemas are compiled once, on first use; unknown fields are errors, each located
 * at the exact field. Other kinds pass through untouched.
 */
public final class PolicySchemaValidator implements ResourceValidator {
    private static volatile Map<String, Schema> schemas;

    static Map<String, Schema> schemas() {
        Map<String, Schema> s = schemas;
        if (s == null) {
            synchronized (PolicySchemaValidator.class) {
                s = schemas;
                if (s == null) {
                    s = load();
                    schemas = s;
                }
            }
        }
        return s;
    }

    private static Map<String, Schema> load() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<String, Schema> out = new HashMap<>();
        for (Kind k : PolicyKinds.ALL) {
            String resource = "schemas/meshcd/" + k.kind() + ".schema.json";
            try (InputStream in = PolicySchemaValidator.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing schema resource " + resource);
                }
                Schema schema = registry.getSchema(in);
                schema.initializeValidators();
                out.put(k.kind(), schema);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.copyOf(out);
    }

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!PolicyKinds.isPolicy(r)) {
            return;
        }
        Schema schema = schemas().get(r.key().kind());
        if (schema == null) {
            return;
        }
        List<Error> errors = schema.validate(r.object());
        // A failed oneOf reports every alternative's complaint at the same place; keep the telling ones.
        Set<String> oneOfAt = new HashSet<>();
        for (Error e : errors) {
            if ("oneOf".equals(e.getKeyword())) {
                oneOfAt.add(e.getInstanceLocation().toString());
            }
        }
        Set<String> seen = new HashSet<>();
        for (Error e : errors) {
            String keyword = e.getKeyword();
            String at = e.getInstanceLocation().toString();
            if (oneOfAt.contains(at) && ("type".equals(keyword) || "oneOf".equals(keyword))
                    && errors.stream().anyMatch(o -> o.getInstanceLocation().toString().equals(at)
                    && !"type".equals(o.getKeyword()) && !"oneOf".equals(o.getKeyword()))) {
                continue;
            }
            FieldPath path = toFieldPath(e.getInstanceLocation());
            String message;
            if ("additionalProperties".equals(keyword) && e.getProperty() != null) {
                path = path.key(e.getProperty());
                message = "unknown field \"" + e.getProperty() + "\"";
            } else if ("required".equals(keyword) && e.getProperty() != null) {
                message = "missing required field \"" + e.getProperty() + "\"";
            } else if ("not".equals(keyword) && r.key().kind().equals(PolicyKinds.SERVICE_POLICY.kind())) {
                message = "conflicting fields: a route sends traffic with one of to, split or redirect, "
                        + "and a redirect cannot be combined with mirror, rewrite or fault";
            } else {
                message = stripLocation(e.getMessage(), e.getInstanceLocation());
            }
            if (seen.add(path + "|" + message)) {
                sink.report(r.diagnostic(Severity.ERROR, Codes.POLICY_SCHEMA, path, message));
            }
        }
    }

    /** networknt prefixes messages with the instance location ("/spec/routes/0: ..."); the diagnostic carries it already. */
    private static String stripLocation(String message, NodePath location) {
        String prefix = location.toString() + ": ";
        if (message.startsWith(prefix)) {
            return message.substring(prefix.length());
        }
        int colon = message.indexOf(": ");
        return colon > 0 && message.startsWith("/") || message.startsWith("$") && colon > 0
                ? message.substring(colon + 2) : message;
    }

    static FieldPath toFieldPath(NodePath p) {
        FieldPath out = FieldPath.ROOT;
        for (int i = 0; i < p.getNameCount(); i++) {
            Object el = p.getElement(i);
            out = el instanceof Integer n ? out.index(n) : out.key(String.valueOf(el));
        }
        return out;
    }
}
