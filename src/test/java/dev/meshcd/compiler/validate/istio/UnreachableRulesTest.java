package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Harness.vs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * istiod's analyzeUnreachable{HTTP,TCP,TLS}Rules, reported once as istioctl analyze reports them (IST0130
 * VirtualServiceUnreachableRule, IST0131 VirtualServiceIneffectiveMatch), with Istio's texts; and never also as a
 * second diagnostic (one finding per mistake), neither in {@code validate} nor in {@code check}.
 */
class UnreachableRulesTest {
    private static final String ROUTE = "route: [{destination: {host: r}}]";
    private static final Compiler COMPILER = StandardStages.compiler(CompileOptions.DEFAULT);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a catch-all, then another",
                        vs("{hosts: [a], http: [{" + ROUTE + "}, {" + ROUTE + "}]}"),
                        List.of("IST0130 spec.http[1] VirtualService rule #1 not used (only the last rule can have no matches)."))
                , Arguments.of("a catch-all, then a rule with two matches: one finding per match, as istiod",
                        vs("{hosts: [a], http: [{" + ROUTE + "}, {name: late, match: [{uri: {exact: /a}}, {uri: {exact: /b}}], "
                                + ROUTE + "}]}"),
                        List.of("IST0130 spec.http[1].match[0] VirtualService rule \"late\" not used (route without matches defined before).",
                                "IST0130 spec.http[1].match[1] VirtualService rule \"late\" not used (route without matches defined before)."))
                , Arguments.of("a repeated match (names ignored)",
                        vs("{hosts: [a], http: [{match: [{name: x, uri: {exact: /a}}], " + ROUTE + "}, "
                                + "{match: [{name: y, uri: {exact: /a}}, {uri: {exact: /b}}], " + ROUTE + "}]}"),
                        List.of("IST0131 spec.http[1].match[0] VirtualService rule #1 match \"y\" is not used "
                                + "(duplicate/overlapping match in rule #0)."))
                , Arguments.of("every match repeated: the rule is unreachable too",
                        vs("{hosts: [a], http: [{match: [{uri: {exact: /a}}], " + ROUTE + "}, {match: [{uri: {exact: /a}}], "
                                + ROUTE + "}]}"),
                        List.of("IST0130 spec.http[1] VirtualService rule #1 not used (all matches used by prior rules).",
                                "IST0131 spec.http[1].match[0] VirtualService rule #1 match #0 is not used "
                                        + "(duplicate/overlapping match in rule #0)."))
                , Arguments.of("a prefix shadowed by a shorter prefix of an earlier rule",
                        vs("{hosts: [a], http: [{match: [{uri: {prefix: /debug}}], " + ROUTE + "}, "
                                + "{match: [{uri: {prefix: /debugs}}], " + ROUTE + "}]}"),
                        List.of("IST0131 spec.http[1].match[0] VirtualService rule #1 match #0 of prefix /debugs is not used "
                                + "(duplicate/overlapping match in rule #0 of prefix /debug on #0)."))
                , Arguments.of("a prefix shadowed by two earlier prefixes: one finding for each, in rule order",
                        vs("{hosts: [a], http: [{match: [{uri: {prefix: /a}}], " + ROUTE + "}, "
                                + "{match: [{uri: {prefix: /x}}, {uri: {prefix: /ab}}], " + ROUTE + "}, "
                                + "{match: [{uri: {prefix: /abc}}], " + ROUTE + "}]}"),
                        List.of("IST0131 spec.http[1].match[1] VirtualService rule #1 match #1 of prefix /ab is not used "
                                        + "(duplicate/overlapping match in rule #0 of prefix /a on #0).",
                                "IST0131 spec.http[2].match[0] VirtualService rule #2 match #0 of prefix /abc is not used "
                                        + "(duplicate/overlapping match in rule #0 of prefix /a on #0).",
                                "IST0131 spec.http[2].match[0] VirtualService rule #2 match #0 of prefix /abc is not used "
                                        + "(duplicate/overlapping match in rule #1 of prefix /ab on #1)."))
                , Arguments.of("a longer prefix first is fine",
                        vs("{hosts: [a], http: [{match: [{uri: {prefix: /debugs}}], " + ROUTE + "}, "
                                + "{match: [{uri: {prefix: /debug}}], " + ROUTE + "}]}"),
                        List.of())
                , Arguments.of("a shorter prefix with another method does not shadow",
                        vs("{hosts: [a], http: [{match: [{uri: {prefix: /debug}, method: {exact: POST}}], " + ROUTE + "}, "
                                + "{match: [{uri: {prefix: /debugs}}], " + ROUTE + "}]}"),
                        List.of())
                , Arguments.of("tcp: a repeated match",
                        vs("{hosts: [a], tcp: [{match: [{port: 80}], " + ROUTE + "}, {match: [{port: 80}], " + ROUTE + "}]}"),
                        List.of("IST0130 spec.tcp[1] VirtualService rule #1 not used (all matches used by prior rules).",
                                "IST0131 spec.tcp[1].match[0] VirtualService rule #1 match #0 is not used "
                                        + "(duplicate/overlapping match in rule #0)."))
                , Arguments.of("distinct matches and one final catch-all",
                        vs("{hosts: [a], http: [{match: [{uri: {exact: /a}}], " + ROUTE + "}, {" + ROUTE + "}]}"),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportedOnceWithIstiosCodes(String name, String yaml, List<String> expected) {
        for (Compiler.Mode mode : new Compiler.Mode[] {Compiler.Mode.VALIDATE, Compiler.Mode.CHECK}) {
            List<String> found = COMPILER.compile(SourceTree.of(SourceFile.ofString("t.yaml", yaml)), mode)
                    .diagnostics().stream().filter(d -> !d.code().equals("IST0101") && !d.code().equals("MCD1010"))
                    .map(UnreachableRulesTest::line).sorted().toList();
            assertThat(found).as("%s", mode).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static String line(Diagnostic d) {
        return d.code() + " " + d.path() + " " + d.message();
    }
}
