package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.config.Suppression;
import dev.meshcd.compiler.config.SuppressionFilter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Suppressions as annotations on the resource (Istio's and meshcd's) and from meshcd.yaml. */
class SuppressionTest {
    /** A VirtualService with two findings: an unknown host (IST0101) and a multi-port destination (IST0112). */
    private static String vs(String annotations) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: r
                  namespace: shop
                """ + annotations + """
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: nope}
                      weight: 50
                    - destination: {host: ratings}
                      weight: 50
                """;
    }

    static Stream<Arguments> annotationCases() {
        return Stream.of(
                Arguments.of("no annotation", "", List.of("IST0101", "IST0112")),
                Arguments.of("istio annotation, one code",
                        "  annotations:\n    galley.istio.io/analyze-suppress: IST0101\n", List.of("IST0112")),
                Arguments.of("istio annotation, two codes with spaces",
                        "  annotations:\n    galley.istio.io/analyze-suppress: \"IST0101, IST0112\"\n", List.of()),
                Arguments.of("meshcd annotation, wildcard",
                        "  annotations:\n    meshcd.dev/suppress: \"*\"\n", List.of()),
                Arguments.of("meshcd annotation, other code",
                        "  annotations:\n    meshcd.dev/suppress: IST0109\n", List.of("IST0101", "IST0112")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotationCases")
    void annotations(String name, String annotations, List<String> codes) {
        List<String> found = AnalyzeFixture.check(vs(annotations)).stream()
                .filter(d -> d.code().startsWith("IST01")).map(d -> d.code()).sorted().toList();
        assertThat(found).containsExactlyElementsOf(codes);
    }

    @org.junit.jupiter.api.Test
    void annotationOnlyCoversItsOwnResource() {
        String other = """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: other
                  namespace: shop
                spec:
                  hosts: [other]
                  http: [{route: [{destination: {host: nope2}}]}]
                """;
        List<String> found = AnalyzeFixture.check(vs("  annotations:\n    galley.istio.io/analyze-suppress: IST0101\n")
                + other).stream().filter(d -> d.code().startsWith("IST01")).map(d -> d.code() + " " + d.resource())
                .sorted().toList();
        assertThat(found).containsExactly("IST0101 VirtualService shop/other", "IST0112 VirtualService shop/r");
    }

    static Stream<Arguments> configCases() {
        return Stream.of(
                Arguments.of(new Suppression("IST0101", null, null, null), List.of("IST0112")),
                Arguments.of(new Suppression("IST0101", "VirtualService shop/*", null, null), List.of("IST0112")),
                Arguments.of(new Suppression("IST0101", "VirtualService other/*", null, null), List.of("IST0101", "IST0112")),
                Arguments.of(new Suppression("*", null, "case.yaml", null), List.of()),
                Arguments.of(new Suppression("*", null, "base.yaml", null), List.of("IST0101", "IST0112")),
                Arguments.of(new Suppression("IST011?", "VirtualService shop/r", null, null), List.of("IST0101", "IST0112")),
                Arguments.of(new Suppression("IST0112", "*/r", null, null), List.of("IST0101")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configCases")
    void configSuppressions(Suppression s, List<String> codes) {
        List<String> found = AnalyzeFixture.check(vs(""), List.of(new SuppressionFilter(List.of(s)))).stream()
                .filter(d -> d.code().startsWith("IST01")).map(d -> d.code()).sorted().toList();
        assertThat(found).containsExactlyElementsOf(codes);
    }

    /** An AuthorizationPolicy with two validation warnings: a selector without labels (MCD2002), HTTP-only DENY (MCD2003). */
    private static String policy(String annotations) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: p
                  namespace: shop
                """ + annotations + """
                spec:
                  action: DENY
                  selector: {}
                  rules: [{to: [{operation: {methods: [GET]}}]}]
                """;
    }

    static Stream<Arguments> validationWarningCases() {
        return Stream.of(
                Arguments.of("none", "", null, List.of("MCD2002", "MCD2003")),
                Arguments.of("meshcd.yaml, one kind", "", new Suppression("MCD2003", null, null, null), List.of("MCD2002")),
                Arguments.of("meshcd.yaml, the umbrella MCD2001", "", new Suppression("MCD2001", null, null, null), List.of()),
                Arguments.of("meshcd.yaml, the umbrella on another resource", "",
                        new Suppression("MCD2001", "AuthorizationPolicy other/*", null, null), List.of("MCD2002", "MCD2003")),
                Arguments.of("annotation, one kind", "  annotations:\n    galley.istio.io/analyze-suppress: MCD2002\n", null,
                        List.of("MCD2003")),
                Arguments.of("annotation, the umbrella MCD2001", "  annotations:\n    meshcd.dev/suppress: MCD2001\n", null,
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validationWarningCases")
    void validationWarningsOneByOneOrAllByTheUmbrellaCode(String name, String annotations, Suppression s,
            List<String> codes) {
        List<DiagnosticFilter> filters = s == null ? List.of() : List.of(new SuppressionFilter(List.of(s)));
        List<String> found = AnalyzeFixture.check(policy(annotations), filters).stream()
                .filter(d -> d.code().startsWith("MCD2")).map(d -> d.code()).sorted().toList();
        assertThat(found).containsExactlyElementsOf(codes);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "IST0107=Pod *.baz                   | IST0107 | Pod baz/*",
        "IST0102=Namespace frod              | IST0102 | Namespace frod",
        "*=VirtualService a.b.shop           | *       | VirtualService shop/a.b",
        "MCD2001=AuthorizationPolicy p.shop  | MCD2001 | AuthorizationPolicy shop/p",
    })
    void istioctlSuppressFlags(String flag, String code, String resource) {
        Suppression s = Suppression.parseIstioctl(flag);
        assertThat(s.code()).isEqualTo(code);
        assertThat(s.resource()).isEqualTo(resource);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"IST0107", "IST0107=Pod", "=Pod x", "X1=Pod x", "IST0107= x"})
    void badIstioctlSuppressFlags(String flag) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Suppression.parseIstioctl(flag))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
