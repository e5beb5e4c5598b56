package dev.meshcd.compiler.lower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.bench.PolicyRepo;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: every resource lowered from the golden fixtures and from generated repositories is valid
 * Istio: no error from any of StandardStages' validators, and it matches the strict structural
 * schema of Istio's real CRD for its apiVersion and kind.
 */
class LoweredOutputsValidTest {
    private static List<Resource> fixtureOutputs() {
        List<Resource> all = new ArrayList<>();
        for (String c : LoweringFixtures.cases()) {
            String input = LoweringFixtures.read(LoweringFixtures.ROOT.resolve(c).resolve("input.yaml"));
            all.addAll(LoweringFixtures.compile(c + ".yaml", input).generated());
        }
        return all;
    }

    private static List<Resource> generatedRepoOutputs(long seed) {
        List<SourceFile> files = PolicyRepo.generate(120, seed);
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT, files.toArray(SourceFile[]::new));
        assertThat(result.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(result.generated()).hasSizeGreaterThan(120 * 4);
        return result.generated();
    }

    private static void assertValid(List<Resource> outputs) throws Exception {
        assertThat(outputs).isNotEmpty();
        List<ResourceValidator> validators = StandardStages.validators();
        for (Resource r : outputs) {
            Diagnostics sink = new Diagnostics();
            validators.forEach(v -> v.validate(r, sink));
            assertThat(sink.sorted()).as("validators on %s", r).filteredOn(Diagnostic::isError).isEmpty();
        }
        Path crds = IstioCrdSchemas.crdFile().orElse(null);
        Assumptions.assumeTrue(crds != null, "Istio CRDs (shared conformance data) not present");
        IstioCrdSchemas schemas = new IstioCrdSchemas(crds);
        for (Resource r : outputs) {
            assertThat(schemas.errors(r)).as("CRD schema of %s:\n%s", r, LoweringFixtures.yaml(List.of(r))).isEmpty();
        }
    }

    @Test
    void fixtureOutputsAreValidIstio() throws Exception {
        List<Resource> outputs = fixtureOutputs();
        Set<String> kinds = new TreeSet<>();
        outputs.forEach(r -> kinds.add(r.apiVersion() + " " + r.key().kind()));
        // Every kind lowering can produce is covered by the fixtures.
        assertThat(kinds).contains("networking.istio.io/v1 VirtualService", "networking.istio.io/v1 DestinationRule",
                "networking.istio.io/v1 Gateway", "networking.istio.io/v1 ServiceEntry", "networking.istio.io/v1 Sidecar",
                "security.istio.io/v1 PeerAuthentication", "security.istio.io/v1 AuthorizationPolicy",
                "security.istio.io/v1 RequestAuthentication", "telemetry.istio.io/v1 Telemetry");
        assertValid(outputs);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void generatedRepoOutputsAreValidIstio(long seed) throws Exception {
        assertValid(generatedRepoOutputs(seed));
    }

    @Test
    void strictCrdSchemaRejectsAnUnknownField() throws Exception {
        // Guards the property above against a schema set that accepts everything.
        Path crds = IstioCrdSchemas.crdFile().orElse(null);
        Assumptions.assumeTrue(crds != null);
        Resource vs = fixtureOutputs().stream().filter(r -> r.key().kind().equals("VirtualService")).findFirst().orElseThrow();
        var body = vs.object().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("spec")).put("hostz", "x");
        Resource bad = new Resource(vs.apiVersion(), vs.key(), body, vs.origin());
        assertThat(new IstioCrdSchemas(crds).errors(bad)).isNotEmpty();
    }
}
