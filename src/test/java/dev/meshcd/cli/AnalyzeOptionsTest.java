package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The istioctl analyze options of check and validate (-o, thresholds, --suppress, -L), beside meshcd's own. */
class AnalyzeOptionsTest {
    @TempDir
    Path dir;

    /** One warning (IST0130), one info (IST0118), no error. */
    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("vs.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: v, namespace: shop}
                spec:
                  hosts: [a.example.com]
                  http: [{directResponse: {status: 200}}, {directResponse: {status: 201}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: s, namespace: shop}
                spec: {selector: {app: s}, ports: [{name: http, port: 80}, {name: web, port: 81}]}
                """);
    }

    static Stream<Arguments> exits() {
        return Stream.of(
                Arguments.of(List.of(), ExitCodes.OK),
                Arguments.of(List.of("--failure-threshold", "Error"), ExitCodes.OK),
                Arguments.of(List.of("--failure-threshold", "Warning"), ExitCodes.ERRORS),
                Arguments.of(List.of("--failure-threshold", "warning"), ExitCodes.ERRORS),
                Arguments.of(List.of("--failure-threshold", "Info"), ExitCodes.ERRORS),
                Arguments.of(List.of("--failure-threshold", "Warning", "--suppress", "IST0130=VirtualService v.shop"),
                        ExitCodes.OK),
                Arguments.of(List.of("--failure-threshold", "Warning", "--suppress", "IST0130=VirtualService *.shop"),
                        ExitCodes.OK),
                Arguments.of(List.of("--failure-threshold", "Warning", "--suppress", "IST0130=VirtualService v.other"),
                        ExitCodes.ERRORS),
                Arguments.of(List.of("--failure-threshold", "Info", "--suppress", "IST0130=VirtualService v.shop",
                        "--suppress", "IST0118=Service s.shop"), ExitCodes.OK),
                Arguments.of(List.of("--failure-threshold", "Fatal"), ExitCodes.USAGE),
                Arguments.of(List.of("--suppress", "IST0130"), ExitCodes.USAGE),
                Arguments.of(List.of("--suppress", "BOGUS=Pod x"), ExitCodes.USAGE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("exits")
    void failureThresholdAndSuppressions(List<String> options, int exit) {
        CliTest.Run r = check(options);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(exit);
    }

    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of(List.of("--format", "json"), List.of("\"code\" : \"IST0130\"", "\"code\" : \"IST0118\""),
                        List.of()),
                Arguments.of(List.of("-o", "json"), List.of("\"code\" : \"IST0130\""), List.of()),
                Arguments.of(List.of("--output", "yaml"), List.of("- severity: warning", "code: IST0130", "summary:"),
                        List.of("{")),
                Arguments.of(List.of("-o", "json", "--output-threshold", "Warning"), List.of("IST0130"),
                        List.of("IST0118")),
                Arguments.of(List.of("--output-threshold", "Info"), List.of("IST0130", "IST0118"), List.of()),
                Arguments.of(List.of(), List.of("IST0130"), List.of("IST0118")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void outputFormatsAndThreshold(List<String> options, List<String> present, List<String> absent) {
        CliTest.Run r = check(options);
        assertThat(r.out()).contains(present);
        for (String a : absent) {
            assertThat(r.out()).doesNotContain(a);
        }
    }

    @Test
    void listAnalyzersNeedsNoPath() {
        for (String flag : new String[] {"-L", "--list-analyzers"}) {
            CliTest.Run r = CliTest.run("check", flag);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("virtualservice.destinationhosts", "gateway.conflictinggateways");
        }
    }

    @Test
    void aPathIsStillRequired() {
        CliTest.Run r = CliTest.run("check");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("missing PATH");
    }

    private CliTest.Run check(List<String> options) {
        List<String> args = new java.util.ArrayList<>(List.of("check", "--no-config"));
        args.addAll(options);
        args.add(dir.toString());
        return CliTest.run(args.toArray(String[]::new));
    }
}
