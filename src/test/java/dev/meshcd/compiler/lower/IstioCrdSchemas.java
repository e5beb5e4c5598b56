package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.meshcd.compiler.model.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The structural schemas of Istio's real CRDs (from the shared conformance data), made strict: an
 * object schema that lists properties and does not preserve unknown fields rejects any other field,
 * as the API server's pruning would silently drop it. Used to check that lowered outputs are Istio.
 */
final class IstioCrdSchemas {
    private final Map<String, Schema> schemas = new HashMap<>(); // "group/version/Kind"

    static Optional<Path> crdFile() {
        for (Path p : List.of(Path.of("schemas", "istio", "crd-all.gen.yaml"))) { // the bundle meshcd ships
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    IstioCrdSchemas(Path crds) throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(crds.toFile())) {
            while (it.hasNext()) {
                JsonNode crd = it.next();
                if (crd == null || !crd.has("spec")) {
                    continue;
                }
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode v : crd.path("spec").path("versions")) {
                    ObjectNode schema = v.path("schema").path("openAPIV3Schema").deepCopy();
                    strict(schema);
                    schemas.put(group + "/" + v.path("name").asText() + "/" + kind, registry.getSchema(schema));
                }
            }
        }
    }

    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("x-kubernetes-int-or-string")) {
                o.remove("type");
                o.set("type", new YAMLMapper().createArrayNode().add("integer").add("string"));
            }
            if (o.path("nullable").asBoolean(false) && o.get("type") != null && o.get("type").isTextual()) {
                o.set("type", new YAMLMapper().createArrayNode().add(o.get("type").asText()).add("null"));
            }
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.fields().forEachRemaining(e -> strict(e.getValue()));
        } else if (node instanceof ArrayNode a) {
            a.forEach(IstioCrdSchemas::strict);
        }
    }

    /** Schema errors of a resource ("no schema" when its apiVersion/kind is not served). */
    List<String> errors(Resource r) {
        Schema s = schemas.get(r.apiVersion() + "/" + r.key().kind());
        if (s == null) {
            return List.of("no CRD schema for " + r.apiVersion() + " " + r.key().kind());
        }
        ObjectNode body = r.object().deepCopy();
        // apiVersion, kind and metadata are the API server's business, not the CRD schema's.
        body.remove(List.of("apiVersion", "kind", "metadata"));
        return s.validate(body).stream().map(Error::toString).toList();
    }
}
