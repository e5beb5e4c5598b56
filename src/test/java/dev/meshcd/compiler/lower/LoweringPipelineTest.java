package dev.meshcd.compiler.lower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lowering inside the pipeline: origins, conflicts with raw resources, duplicates, commit annotation. */
class LoweringPipelineTest {
    private static final String POLICY = """
            apiVersion: meshcd.dev/v1alpha1
            kind: ServicePolicy
            metadata:
              name: reviews
              namespace: shop
            spec:
              versions:
                v1: {version: v1}
                v2: {version: v2}
              routes:
                - name: testers
                  match: [{headers: {end-user: jason}}]
                  to: v2
                - name: canary
                  split:
                    - {version: v1, weight: 90}
                    - {version: v2, weight: 10} # <- split[1]
            """;

    @Test
    void diagnosticOnGeneratedRoutePointsAtThePolicyRoute() {
        // A validator that flags the second destination of the second HTTP route of every VirtualService,
        // standing in for any Istio check (IST0106, IST0101...) running on generated resources.
        ResourceValidator flagger = (r, sink) -> {
            if (r.is(Kind.VIRTUAL_SERVICE)) {
                sink.report(r.diagnostic(Severity.ERROR, "IST0106",
                        FieldPath.parse("spec.http[1].route[1].destination.subset"), "flagged"));
            }
        };
        List<ResourceValidator> validators = new ArrayList<>(StandardStages.validators());
        validators.add(flagger);
        Compiler compiler = new Compiler(CompileOptions.DEFAULT, StandardStages.kinds(), validators, List.of(), List.of());
        CompileResult result = compiler.compile(SourceTree.of(SourceFile.ofString("shop/reviews.yaml", POLICY)),
                Compiler.Mode.CHECK);
        Diagnostic d = result.diagnostics().stream().filter(x -> x.code().equals("IST0106")).findFirst().orElseThrow();
        assertThat(d.resource()).isEqualTo("VirtualService shop/reviews");
        assertThat(d.path()).isEqualTo("spec.http[1].route[1].destination.subset");
        assertThat(d.location().file()).isEqualTo("shop/reviews.yaml");
        assertThat(d.location().line()).isEqualTo(PolicyDiagnosticsTest.lineOf(POLICY, "# <- split[1]"));
    }

    @Test
    void outputsAreLabelledAnnotatedAndPartOfTheResult() {
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT.withCommit("0123abcd"),
                SourceFile.ofString("shop/reviews.yaml", "# comment\n" + POLICY));
        assertThat(result.generated()).extracting(r -> r.key().display())
                .containsExactly("DestinationRule shop/reviews", "VirtualService shop/reviews");
        assertThat(result.resources()).containsAll(result.generated());
        assertThat(result.istioResources()).containsExactlyInAnyOrderElementsOf(result.generated());
        for (Resource r : result.generated()) {
            assertThat(r.annotations()).containsEntry("meshcd.dev/source", "shop/reviews.yaml#L2")
                    .containsEntry("meshcd.dev/commit", "0123abcd");
            assertThat(r.labels()).containsEntry("app.kubernetes.io/managed-by", "meshcd");
            assertThat(r.origin()).isInstanceOf(LoweredOrigin.class);
        }
    }

    @Test
    void rawVirtualServiceForTheSameHostWinsWithADiagnostic() {
        String raw = raw("VirtualService", "reviews-hand-written", "{hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}");
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT,
                SourceFile.ofString("a/policy.yaml", POLICY), SourceFile.ofString("b/raw.yaml", raw));
        Diagnostic d = only(result, "MCD4006");
        assertThat(d.location().file()).isEqualTo("a/policy.yaml");
        assertThat(d.location().line()).isEqualTo(4);
        assertThat(d.message()).contains("VirtualService for host reviews.shop.svc.cluster.local")
                .contains("VirtualService shop/reviews-hand-written at b/raw.yaml:1:1");
        assertThat(result.generated()).isEmpty();
        assertThat(result.resources()).anyMatch(r -> r.name().equals("reviews-hand-written"));
    }

    @Test
    void rawResourceWithTheSameNameIsNeverOverwritten() {
        String raw = raw("DestinationRule", "reviews", "{host: ratings}");
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT,
                SourceFile.ofString("a/policy.yaml", POLICY), SourceFile.ofString("b/raw.yaml", raw));
        assertThat(only(result, "MCD4006").message()).contains("generates DestinationRule shop/reviews");
        Resource dr = result.resources().stream().filter(r -> r.is(Kind.DESTINATION_RULE)).findFirst().orElseThrow();
        assertThat(dr.spec().path("host").asText()).isEqualTo("ratings");
        assertThat(result.generated()).isEmpty();
    }

    @Test
    void secondPolicyForOneServiceIsAnErrorAndNotLowered() {
        String second = POLICY.replace("name: reviews\n", "name: reviews-too\n").replace("spec:\n", "spec:\n  service: reviews\n");
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT,
                SourceFile.ofString("a.yaml", POLICY), SourceFile.ofString("b.yaml", second));
        Diagnostic d = only(result, "MCD4005");
        assertThat(d.location().file()).isEqualTo("b.yaml");
        assertThat(d.path()).isEqualTo("spec.service");
        assertThat(d.message()).contains("ServicePolicy shop/reviews at a.yaml:1:1");
        assertThat(result.generated()).allSatisfy(r -> assertThat(r.name()).isEqualTo("reviews"));
    }

    @Test
    void secondMeshDefaultsIsAnError() {
        String md = """
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshDefaults
                metadata: {name: %s, namespace: istio-system}
                spec: {mtls: %s}
                """;
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT,
                SourceFile.ofString("a.yaml", md.formatted("mesh", "STRICT")),
                SourceFile.ofString("b.yaml", md.formatted("other", "PERMISSIVE")));
        assertThat(only(result, "MCD4007").location().file()).isEqualTo("b.yaml");
        assertThat(result.diagnostics()).filteredOn(Diagnostic::isError).hasSize(1);
        Resource pa = result.generated().stream().filter(r -> r.is(Kind.PEER_AUTHENTICATION)).findFirst().orElseThrow();
        assertThat(pa.spec().path("mtls").path("mode").asText()).isEqualTo("STRICT");
    }

    @Test
    void rawAndPolicyResourcesLiveSideBySide() {
        String raw = raw("VirtualService", "ratings", "{hosts: [ratings], http: [{route: [{destination: {host: ratings}}]}]}");
        String services = """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews, namespace: shop}
                spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: ratings, namespace: shop}
                spec: {selector: {app: ratings}, ports: [{name: http, port: 9080}]}
                """;
        CompileResult result = LoweringFixtures.compile(CompileOptions.DEFAULT, SourceFile.ofString("a.yaml", POLICY),
                SourceFile.ofString("b.yaml", raw), SourceFile.ofString("c.yaml", services));
        // No conflict (the analyzers' IST0173 about subsets without pods is beside the point here).
        assertThat(result.diagnostics()).filteredOn(d -> d.isError() && d.code().startsWith("MCD")).isEmpty();
        assertThat(result.istioResources()).extracting(r -> r.key().display()).containsExactly(
                "DestinationRule shop/reviews", "VirtualService shop/ratings", "VirtualService shop/reviews");
        assertThat(result.generated()).hasSize(2);
    }

    /** A hand-written networking.istio.io/v1 resource in namespace shop (its document starts at line 1). */
    private static String raw(String kind, String name, String spec) {
        return "apiVersion: networking.istio.io/v1\nkind: " + kind + "\nmetadata: {name: " + name
                + ", namespace: shop}\nspec: " + spec + "\n";
    }

    private static Diagnostic only(CompileResult result, String code) {
        List<Diagnostic> found = result.diagnostics().stream().filter(d -> d.code().equals(code)).toList();
        assertThat(found).as("%s in %s", code, result.diagnostics()).hasSize(1);
        return found.get(0);
    }
}
