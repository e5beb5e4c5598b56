package dev.meshcd.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.istio.MetadataValidator;
import dev.meshcd.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs Istio's own validation verdicts (../shared/conformance/istio) through meshcd in VALIDATE mode
 * and measures agreement per set. A document is "invalid" for meshcd when it gets an error; for the
 * istioctl-validate Service snippets (scope k8s-workload) a port-naming warning also counts, since
 * istioctl fails on those and meshcd downgrades them to warnings. Documents meshcd cannot judge are
 * listed as skipped, with the reason, and left out of the totals: IstioOperator (scope istio-operator)
 * and objects without apiVersion (meshcd's decoder requires type metadata).
 */
class ValidationConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    record Outcome(String set, String file, String doc, String expected, String actual, String detail) {
        boolean agreed() {
            return expected.equals(actual);
        }
    }

    @Test
    void agreesWithIstioVerdicts() throws IOException {
        SharedData.istio("validation/MANIFEST.json");
        Path root = SharedData.istioRoot();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> missingWarnings = new ArrayList<>();
        int warningCases = 0;
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT);

        for (String manifest : List.of("validation/MANIFEST.json", "samples/MANIFEST.json")) {
            Path mf = root.resolve(manifest);
            if (!Files.isRegularFile(mf)) {
                continue;
            }
            for (JsonNode entry : JSON.readTree(mf.toFile())) {
                String file = entry.get("file").asText();
                String set = entry.has("source_set") ? entry.get("source_set").asText() : "samples";
                String scope = entry.path("scope").asText("");
                String text = Files.readString(root.resolve(file), StandardCharsets.UTF_8);
                CompileResult result = compiler.compile(SourceTree.of(SourceFile.ofString(file, text)), Compiler.Mode.VALIDATE);
                for (JsonNode doc : entry.get("documents")) {
                    String expected = doc.path("expected").asText("valid");
                    String why = skipReason(scope, doc);
                    if (why != null) {
                        skipped.add(file + " " + doc.path("kind").asText() + ": " + why);
                        continue;
                    }
                    outcomes.add(judge(set, file, doc, expected, scope, result.diagnostics()));
                }
                if (entry.path("expect_warning").asBoolean(false)) {
                    warningCases++;
                    boolean warned = result.diagnostics().stream().anyMatch(d -> d.severity() == Severity.WARNING);
                    if (!warned) {
                        missingWarnings.add(file);
                    }
                }
                for (JsonNode variant : entry.path("test_variants")) {
                    String rejected = withAlwaysReject(text);
                    CompileResult vr = compiler.compile(SourceTree.of(SourceFile.ofString(file + "#always-reject", rejected)),
                            Compiler.Mode.VALIDATE);
                    for (JsonNode doc : entry.get("documents")) {
                        outcomes.add(judge(set + " (always-reject variant)", file, doc, variant.get("expected").asText(),
                                scope, vr.diagnostics()));
                    }
                }
            }
        }

        Map<String, int[]> table = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            int[] row = table.computeIfAbsent(o.set(), k -> new int[6]);
            int base = o.expected().equals("valid") ? 0 : 2;
            row[base + 1]++;
            row[5]++;
            if (o.agreed()) {
                row[base]++;
                row[4]++;
            }
        }
        StringBuilder sb = new StringBuilder("\nIstio validation conformance (meshcd VALIDATE vs Istio's verdicts)\n");
        sb.append(String.format("%-52s %12s %12s %12s%n", "set", "valid", "invalid", "overall"));
        int[] total = new int[6];
        for (Map.Entry<String, int[]> e : table.entrySet()) {
            int[] r = e.getValue();
            sb.append(String.format("%-52s %12s %12s %12s%n", e.getKey(), r[0] + "/" + r[1], r[2] + "/" + r[3], r[4] + "/" + r[5]));
            for (int i = 0; i < 6; i++) {
                total[i] += r[i];
            }
        }
        sb.append(String.format("%-52s %12s %12s %12s%n", "TOTAL", total[0] + "/" + total[1], total[2] + "/" + total[3],
                total[4] + "/" + total[5]));
        for (Outcome o : outcomes) {
            if (!o.agreed()) {
                sb.append("DISAGREE ").append(o.set()).append(' ').append(o.file()).append(' ').append(o.doc())
                        .append(": expected ").append(o.expected()).append(", meshcd says ").append(o.actual())
                        .append(o.detail().isEmpty() ? "" : " (" + o.detail() + ")").append('\n');
            }
        }
        sb.append("istioctl expect_warning cases warned: ").append(warningCases - missingWarnings.size()).append('/')
                .append(warningCases).append(missingWarnings.isEmpty() ? "" : " missing: " + missingWarnings).append('\n');
        for (String s : skipped) {
            sb.append("SKIPPED ").append(s).append('\n');
        }
        System.out.println(sb);

        assertThat(total[5]).as("documents judged").isGreaterThan(100);
        assertThat(missingWarnings).as("documents istioctl warns about").isEmpty();
        assertThat(total[0]).as("valid documents accepted (no false positives)\n" + sb).isEqualTo(total[1]);
        assertThat((double) total[4] / total[5]).as("overall agreement\n" + sb).isGreaterThanOrEqualTo(0.95);
    }

    private static String skipReason(String scope, JsonNode doc) {
        if (scope.startsWith("istio-operator")) {
            return "IstioOperator is install configuration, outside meshcd's scope";
        }
        if (doc.path("apiVersion").isNull() || doc.path("apiVersion").isMissingNode()) {
            return "no apiVersion: meshcd's decoder requires type metadata (istioctl infers v1)";
        }
        return null;
    }

    private static Outcome judge(String set, String file, JsonNode doc, String expected, String scope,
                                 List<Diagnostic> diagnostics) {
        List<String> names = new ArrayList<>();
        if (doc.has("items")) {
            for (JsonNode item : doc.get("items")) {
                names.add(item.get("kind").asText() + "|" + item.get("name").asText());
            }
        } else {
            names.add(doc.path("kind").asText() + "|" + doc.path("name").asText());
        }
        String detail = "";
        boolean invalid = false;
        for (Diagnostic d : diagnostics) {
            if (!belongs(d, names)) {
                continue;
            }
            boolean counts = d.severity() == Severity.ERROR
                    || (scope.startsWith("k8s-workload") && d.severity() == Severity.WARNING
                    && d.resource().startsWith("Service "));
            if (counts) {
                invalid = true;
                if (detail.isEmpty()) {
                    detail = d.code() + " " + d.path() + ": " + d.message();
                }
            }
        }
        String docName = doc.path("kind").asText() + "/" + doc.path("name").asText();
        return new Outcome(set, file, docName, expected, invalid ? "invalid" : "valid", detail);
    }

    private static boolean belongs(Diagnostic d, List<String> names) {
        for (String n : names) {
            int bar = n.indexOf('|');
            String kind = n.substring(0, bar);
            String name = n.substring(bar + 1);
            String r = d.resource();
            if (r.startsWith(kind + " ") && (r.endsWith("/" + name) || r.endsWith(" " + name))) {
                return true;
            }
        }
        return false;
    }

    /** Istio's yml.ApplyAnnotation(constants.AlwaysReject): every document gets the annotation. */
    private static String withAlwaysReject(String text) throws IOException {
        StringBuilder out = new StringBuilder();
        for (JsonNode doc : YAML.readerFor(JsonNode.class).readValues(text).readAll().stream()
                .map(JsonNode.class::cast).toList()) {
            if (!(doc instanceof ObjectNode o)) {
                continue;
            }
            ObjectNode md = o.has("metadata") && o.get("metadata").isObject() ? (ObjectNode) o.get("metadata")
                    : o.putObject("metadata");
            ObjectNode ann = md.has("annotations") && md.get("annotations").isObject() ? (ObjectNode) md.get("annotations")
                    : md.putObject("annotations");
            ann.put(MetadataValidator.ALWAYS_REJECT, "true");
            out.append("---\n").append(JSON.writeValueAsString(o)).append('\n');
        }
        return out.toString();
    }
}
