package dev.meshcd.compiler.validate.cel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.validate.ValidationTestSupport;
import dev.meshcd.compiler.validate.schema.SchemaValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Istio's own verdicts (validation/MANIFEST.json, samples/MANIFEST.json) against schema + CEL alone:
 * every document Istio calls valid must pass with no error. Documents Istio calls invalid are counted
 * (most are rejected by istiod's semantic rules, which are not the CRD's and live in validate/istio).
 */
class ValidDatasetTest {
    private final SchemaValidator schema = new SchemaValidator();
    private final CelValidator cel = new CelValidator();

    record Outcome(String file, String name, String expected, List<Diagnostic> errors) {
    }

    static List<Outcome> run(Path root, SchemaValidator schema, CelValidator cel) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Outcome> out = new ArrayList<>();
        JsonNode manifest = json.readTree(root.resolve("validation/MANIFEST.json").toFile());
        List<JsonNode> entries = new ArrayList<>();
        manifest.forEach(entries::add);
        JsonNode samples = json.readTree(root.resolve("samples/MANIFEST.json").toFile());
        samples.path("files").forEach(entries::add);
        if (samples.isArray()) {
            samples.forEach(entries::add);
        }
        for (JsonNode entry : entries) {
            String file = entry.path("file").asText();
            if (file.isEmpty() || !(file.endsWith(".yaml") || file.endsWith(".yml"))) {
                continue;
            }
            Path p = root.resolve(file);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            Map<String, String> verdicts = new LinkedHashMap<>();
            entry.path("documents").forEach(d -> verdicts.put(d.path("kind").asText() + "/" + d.path("name").asText(),
                    d.path("expected").asText(entry.path("expected").asText("valid"))));
            String fileVerdict = entry.path("expected").asText("valid");
            Diagnostics decode = new Diagnostics();
            for (Resource r : ValidationTestSupport.resources(file, Files.readString(p), decode)) {
                if (!r.kind().isIstio()) {
                    continue;
                }
                Diagnostics sink = new Diagnostics();
                schema.validate(r, sink);
                cel.validate(r, sink);
                String expected = verdicts.getOrDefault(r.key().kind() + "/" + r.name(), fileVerdict);
                out.add(new Outcome(file, r.key().display(), expected,
                        sink.sorted().stream().filter(Diagnostic::isError).toList()));
            }
        }
        return out;
    }

    @Test
    void everyValidIstioDocumentPassesSchemaAndCel() throws Exception {
        Path root = ValidationTestSupport.conformance().orElse(null);
        Assumptions.assumeTrue(root != null, "../shared/conformance/istio is absent");
        List<Outcome> outcomes = run(root, schema, cel);
        List<Outcome> valid = outcomes.stream().filter(o -> o.expected().equals("valid")).toList();
        List<Outcome> invalid = outcomes.stream().filter(o -> o.expected().equals("invalid")).toList();
        assertThat(valid).hasSizeGreaterThan(60);
        assertThat(valid.stream().filter(o -> !o.errors().isEmpty()).map(o -> o.file() + " " + o.name() + ": "
                + o.errors().stream().map(d -> d.path() + ": " + d.message()).toList())).isEmpty();

        long rejected = invalid.stream().filter(o -> !o.errors().isEmpty()).count();
        System.out.printf("schema+CEL vs Istio verdicts: %d/%d valid documents accepted, %d/%d invalid documents"
                + " rejected%n", valid.size(), valid.size(), rejected, invalid.size());
        for (Outcome o : invalid) {
            System.out.println("  invalid " + (o.errors().isEmpty() ? "ACCEPTED " : "rejected ") + o.file() + " "
                    + o.name() + (o.errors().isEmpty() ? "" : " " + o.errors().get(0).path() + ": "
                    + o.errors().get(0).message()));
        }
    }
}
