package dev.meshcd.compiler.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderersTest {
    private static final ResourceKey CART = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");
    private static final Diagnostic MISSING_SUBSET = new Diagnostic(Severity.ERROR, "IST0101",
            "Referenced host+subset in destinationrule not found: \"cart+v3\"", CART,
            new SourceLocation("shop/cart.yaml", 12, 9), "spec.http[0].route[0].destination.subset");
    private static final Diagnostic WARN = new Diagnostic(Severity.WARNING, "MCD2001", "weight is ignored",
            CART, new SourceLocation("shop/cart.yaml", 14, 7), "spec.http[0].route[0].weight");

    private final CompileResult result = new CompileResult(List.of(), MeshIndex.build(List.of()),
            List.of(MISSING_SUBSET, WARN), 1, 1);

    @Test
    void textIsOneLinePerDiagnosticPlusSummary() {
        String text = new TextRenderer(false, false).render(result);
        assertThat(text.lines()).containsExactly(
                "shop/cart.yaml:12:9: error IST0101 [VirtualService shop/cart] Referenced host+subset in destinationrule"
                        + " not found: \"cart+v3\" (spec.http[0].route[0].destination.subset)",
                "shop/cart.yaml:14:7: warning MCD2001 [VirtualService shop/cart] weight is ignored (spec.http[0].route[0].weight)",
                "1 error, 1 warning, 0 info in 0 resources from 1 file");
    }

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        JsonNode root = new ObjectMapper().readTree(new JsonRenderer().render(result));
        JsonNode d = root.get("diagnostics").get(0);
        assertThat(d.fieldNames()).toIterable().containsExactly("severity", "code", "message", "file", "line",
                "column", "resource", "path");
        assertThat(d.get("line").asInt()).isEqualTo(12);
        assertThat(root.get("summary").get("errors").asInt()).isEqualTo(1);
        assertThat(root.get("summary").get("warnings").asInt()).isEqualTo(1);
    }

    @Test
    void sarifNamesRulesFromIstiosCatalogue() throws Exception {
        JsonNode root = new ObjectMapper().readTree(new SarifRenderer("test").render(result));
        assertThat(root.get("version").asText()).isEqualTo("2.1.0");
        JsonNode run = root.get("runs").get(0);
        assertThat(run.at("/tool/driver/rules/0/id").asText()).isEqualTo("IST0101");
        assertThat(run.at("/tool/driver/rules/0/name").asText()).isEqualTo("ReferencedResourceNotFound");
        JsonNode r0 = run.get("results").get(0);
        assertThat(r0.get("level").asText()).isEqualTo("error");
        assertThat(r0.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).isEqualTo("shop/cart.yaml");
        assertThat(r0.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(12);
        assertThat(run.get("results").get(1).get("level").asText()).isEqualTo("warning");
    }
}
