package dev.meshcd.compiler.analyze;

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
 * A mistake both istiod's webhook rules (or istioctl validate's) and an analyzer see is one diagnostic in
 * {@code check}, with Istio's analyzer code; {@code validate}, which runs no analyzer, keeps the warning.
 */
class OneDiagnosticPerMistakeTest {
    private static final Compiler COMPILER = StandardStages.compiler(CompileOptions.DEFAULT);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a port name without protocol", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, namespace: shop}
                        spec: {selector: {app: s}, ports: [{name: web, port: 80}]}
                        """, List.of("IST0118 spec.ports[0].name"), List.of("MCD2033 spec.ports[0].name")),
                Arguments.of("an unnamed port", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, namespace: shop}
                        spec: {selector: {app: s}, ports: [{port: 80}]}
                        """, List.of("IST0118 spec.ports[0]"), List.of("MCD2032 spec.ports[0]")),
                Arguments.of("an unknown appProtocol", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, namespace: shop}
                        spec: {selector: {app: s}, ports: [{name: http, port: 80, appProtocol: fake}]}
                        """, List.of("IST0118 spec.ports[0].name"), List.of("MCD2031 spec.ports[0].appProtocol")),
                Arguments.of("an ExternalName port without protocol", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, namespace: shop}
                        spec: {type: ExternalName, externalName: a.example.com, ports: [{name: web, port: 80}]}
                        """, List.of("IST0150 spec.ports[0].name"), List.of("MCD2033 spec.ports[0].name")),
                Arguments.of("a second port, well named, keeps nothing", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, namespace: shop}
                        spec: {selector: {app: s}, ports: [{name: http, port: 80}, {name: web, port: 81}]}
                        """, List.of("IST0118 spec.ports[1].name"), List.of("MCD2033 spec.ports[1].name")),
                Arguments.of("a rule after a catch-all", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: v, namespace: shop}
                        spec: {hosts: [a.example.com], http: [{directResponse: {status: 200}}, {directResponse: {status: 201}}]}
                        """, List.of("IST0130 spec.http[1]"), List.of("IST0130 spec.http[1]")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneDiagnostic(String name, String yaml, List<String> check, List<String> validate) {
        assertThat(run(yaml, Compiler.Mode.CHECK)).containsExactlyElementsOf(check);
        assertThat(run(yaml, Compiler.Mode.VALIDATE)).containsExactlyElementsOf(validate);
    }

    private static List<String> run(String yaml, Compiler.Mode mode) {
        return COMPILER.compile(SourceTree.of(SourceFile.ofString("t.yaml", yaml)), mode).diagnostics().stream()
                .filter(d -> d.code().startsWith("IST01") || d.code().startsWith("MCD2"))
                .map(OneDiagnosticPerMistakeTest::line).sorted().toList();
    }

    private static String line(Diagnostic d) {
        return d.code() + " " + d.path();
    }
}
