package dev.meshcd.compiler.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.IstioMessages;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SARIF 2.1.0, the format GitHub code scanning reads to annotate pull requests. One rule per
 * diagnostic code; results point at the file, line and column, with the field path as a logical location.
 */
public final class SarifRenderer implements Renderer {
    private final String toolVersion;

    public SarifRenderer(String toolVersion) {
        this.toolVersion = toolVersion;
    }

    @Override
    public String render(CompileResult result) {
        ObjectNode root = JsonRenderer.MAPPER.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "meshcd");
        driver.put("version", toolVersion);
        driver.put("informationUri", "https://github.com/meshcd/meshcd");
        ArrayNode rules = driver.putArray("rules");
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        ArrayNode results = run.putArray("results");
        for (Diagnostic d : result.diagnostics()) {
            Integer idx = ruleIndex.get(d.code());
            if (idx == null) {
                idx = ruleIndex.size();
                ruleIndex.put(d.code(), idx);
                ObjectNode rule = rules.addObject();
                rule.put("id", d.code());
                IstioMessages.lookup(d.code()).ifPresent(m -> {
                    rule.put("name", m.name());
                    rule.putObject("shortDescription").put("text", m.description());
                });
            }
            ObjectNode r = results.addObject();
            r.put("ruleId", d.code());
            r.put("ruleIndex", idx);
            r.put("level", switch (d.severity()) {
                case ERROR -> "error";
                case WARNING -> "warning";
                case INFO -> "note";
            });
            String text = d.resource().isEmpty() ? d.message() : "[" + d.resource() + "] " + d.message();
            r.putObject("message").put("text", text);
            if (!d.location().file().isEmpty()) {
                ObjectNode loc = r.putArray("locations").addObject();
                ObjectNode physical = loc.putObject("physicalLocation");
                physical.putObject("artifactLocation").put("uri", d.location().file());
                if (d.location().hasPosition()) {
                    ObjectNode region = physical.putObject("region");
                    region.put("startLine", d.location().line());
                    region.put("startColumn", Math.max(1, d.location().column()));
                }
                if (!d.path().isEmpty() || !d.resource().isEmpty()) {
                    ObjectNode logical = loc.putArray("logicalLocations").addObject();
                    logical.put("fullyQualifiedName", d.resource() + (d.path().isEmpty() ? "" : "#" + d.path()));
                }
            }
        }
        return JsonRenderer.write(root);
    }
}
