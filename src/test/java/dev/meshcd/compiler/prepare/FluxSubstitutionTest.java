package dev.meshcd.compiler.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flux-style post-build substitution from meshcd.yaml's {@code substitute:}, with positions kept right. */
class FluxSubstitutionTest {
    private static final Map<String, String> VALUES = Map.of("NS", "shop", "EMPTY", "", "_x1", "v");

    static Stream<Arguments> rewrites() {
        return Stream.of(
            Arguments.of("${NS}", "shop"),
            Arguments.of("a-${NS}-b ${NS}", "a-shop-b shop"),
            Arguments.of("${_x1}", "v"),
            Arguments.of("${MISSING:=dflt}", "dflt"),
            Arguments.of("${MISSING:-dflt}", "dflt"),
            Arguments.of("${MISSING=dflt}", "dflt"),
            Arguments.of("${MISSING-dflt}", "dflt"),
            Arguments.of("${NS:=dflt}", "shop"),
            Arguments.of("${EMPTY:=dflt}", "dflt"),
            Arguments.of("${EMPTY=dflt}", ""),
            Arguments.of("${MISSING:=}", ""),
            Arguments.of("$${NS}", "${NS}"),
            Arguments.of("$${MISSING}", "${MISSING}"),
            Arguments.of("${MISSING}", "${MISSING}"),
            Arguments.of("$NS and $(NS)", "$NS and $(NS)"),
            Arguments.of("${1NS} ${NS.x} ${} ${NS", "${1NS} ${NS.x} ${} ${NS"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rewrites")
    void rewritesAsFluxDoes(String text, String expected) {
        assertThat(new FluxSubstitution(VALUES, true).rewrite(text).text()).isEqualTo(expected);
    }

    @Test
    void anUnresolvedPlaceholderIsListedAtItsPlaceInBothTexts() {
        var r = new FluxSubstitution(VALUES, true).rewrite("x: ${NS}-${NS} ${GONE}\n");
        assertThat(r.unresolved()).singleElement().satisfies(p -> {
            assertThat(p.variable()).isEqualTo("GONE");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.column()).isEqualTo(14); // "x: shop-shop " is 13 characters
            assertThat(p.originalColumn()).isEqualTo(16);
        });
    }

    private static final String CONFIG = """
            apiVersion: meshcd.dev/v1alpha1
            kind: MeshcdConfig
            substitute:
              NS: shop
              LONG_VALUE: a-much-longer-value-than-the-placeholder
            """;

    private static final String ROUTES = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: ${NS}}
            spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r, namespace: ${NS}, labels: {l: ${LONG_VALUE}}}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination:
                    host: ${HOST}
                    port:
                      number: ${PORT}
                  weight: 50
                - destination: {host: reviewz}
                  weight: 50
                timeout: ${TIMEOUT:=5s}
            """;

    private static CompileResult compile(String config, String routes) {
        List<SourceFile> files = new java.util.ArrayList<>();
        if (config != null) {
            files.add(SourceFile.ofString("meshcd.yaml", config));
        }
        files.add(SourceFile.ofString("routes.yaml", routes));
        return Workspace.builder().configName("meshcd.yaml").build().compile(new SourceTree(files), Compiler.Mode.CHECK);
    }

    private static List<String> describe(CompileResult result) {
        return result.diagnostics().stream().map(d -> d.location().line() + ":" + d.location().column() + " "
                + d.severity().label() + " " + d.code() + " " + d.path()).toList();
    }

    @Test
    void unresolvedPlaceholdersAreOneErrorEachAndTheirFieldsSayNothingElse() {
        CompileResult result = compile(CONFIG, ROUTES);

        assertThat(describe(result)).containsExactly(
                "14:15 error MCD1015 spec.http[0].route[0].destination.host",
                "16:19 error MCD1015 spec.http[0].route[0].destination.port.number",
                "18:21 error IST0101 spec.http[0].route[1].destination.host");
        assertThat(result.diagnostics().get(0).message()).contains("${HOST}").contains("substitute:");
        assertThat(result.resources()).allMatch(r -> r.namespace().equals("shop"));
    }

    @Test
    void withoutSubstituteInMeshcdYamlPlaceholdersAreWarningsAndDefaultsApply() {
        CompileResult result = compile(null, ROUTES.replace("${NS}", "shop").replace("${LONG_VALUE}", "x"));

        assertThat(describe(result)).containsExactly(
                "14:15 warning MCD1015 spec.http[0].route[0].destination.host",
                "16:19 warning MCD1015 spec.http[0].route[0].destination.port.number",
                "18:21 error IST0101 spec.http[0].route[1].destination.host");
        assertThat(result.diagnostics().get(0).message()).contains("${HOST}").contains("Flux");
    }

    @Test
    void positionsAfterASubstitutionOnTheSameLineAreThoseOfTheTextAsWritten() {
        String vs = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: ${NS}}
                spec: {hosts: [reviews], http: [{route: [{destination: {host: ${LONG_VALUE}.${NS}}, weight: 1}, {destination: {host: ${LONG_VALUE}x}, weight: 99}]}]}
                """;
        CompileResult result = compile(CONFIG, vs);

        // both hosts are unknown: positions are columns of the file as written, not of the substituted text (the
        // first, "<value>.shop", is not a Kubernetes service name, so without a cluster it can only be a warning)
        assertThat(describe(result)).containsExactly(
                "4:57 warning IST0101 spec.http[0].route[0].destination.host",
                "4:112 error IST0101 spec.http[0].route[1].destination.host");
    }

    @Test
    void aPlaceholderInACommentOrAFluxDisabledObjectIsNotReported() {
        String yaml = """
                # deployed to ${CLUSTER}
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: script
                  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}
                data: {run.sh: "echo ${HOME}"}
                """;
        assertThat(compile(CONFIG, yaml).diagnostics()).isEmpty();
    }

    @Test
    void aBadSubstituteIsAConfigErrorAtItsKey() {
        CompileResult result = compile("""
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                substitute:
                  ok: fine
                  bad-name: x
                  nested: {a: b}
                """, "apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ok}}\n");

        assertThat(result.diagnostics()).filteredOn(d -> d.code().equals(Codes.CONFIG))
                .extracting(d -> d.location().line()).containsExactly(5, 6);
        assertThat(result.resources()).extracting(r -> r.name()).containsExactly("fine");
        assertThat(result.diagnostics()).noneMatch(d -> d.code().equals(Codes.UNRESOLVED_PLACEHOLDER));
    }

    static Stream<Arguments> positions() {
        // text as written: line 1 "a: ${NS} ${LONG} z", line 2 "b: ${LINES} y", line 3 "c: x"
        return Stream.of(
            Arguments.of("before the first value", 1, 2, 1, 2),
            Arguments.of("inside a value: the placeholder's start", 1, 6, 1, 4),
            Arguments.of("between two values", 1, 8, 1, 9),
            Arguments.of("after a value shorter than its placeholder", 1, 11, 1, 18),
            Arguments.of("inside a value spanning lines", 3, 1, 2, 4),
            Arguments.of("after a value spanning lines", 3, 5, 2, 13),
            Arguments.of("a later line keeps its number", 4, 4, 3, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("positions")
    void positionsMapBackToTheTextAsWritten(String name, int line, int column, int originalLine, int originalColumn) {
        SourceFile f = new FluxSubstitution(Map.of("NS", "shop", "LONG", "a", "LINES", "one\ntwo"), true)
                .apply(SourceFile.ofString("f.yaml", "a: ${NS} ${LONG} z\nb: ${LINES} y\nc: x\n"));
        assertThat(new String(f.content(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("a: shop a z\nb: one\ntwo y\nc: x\n");

        var at = f.original(new dev.meshcd.compiler.diag.SourceLocation("f.yaml", line, column));

        assertThat(at.line() + ":" + at.column()).isEqualTo(originalLine + ":" + originalColumn);
    }

    @Test
    void aRepositoryWithoutPlaceholdersIsUntouched() {
        SourceFile f = SourceFile.ofString("a.yaml", "kind: x # costs $5 {not a placeholder}\n");
        assertThat(new FluxSubstitution(VALUES, true).apply(f)).isSameAs(f);
        assertThat(Severity.ERROR).isEqualTo(new FluxSubstitution(Map.of(), true).apply(
                SourceFile.ofString("b.yaml", "${X}")).sourceMap().unresolvedSeverity());
    }
}
