package dev.meshcd.compiler.lower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each mistake in a policy → one diagnostic at the policy's own line and field, and (for errors)
 * nothing lowered from that policy. Inputs mark the line the diagnostic must point at with "# <-".
 */
class PolicyDiagnosticsTest {
    private static final String CONTEXT = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: shop}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080}]
            ---
            """ + reviewsDeployment("v1") + "---\n" + reviewsDeployment("v2") + "---\n";

    /** A Deployment of reviews at one version, running as service account reviews. */
    private static String reviewsDeployment(String version) {
        return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: reviews-%1$s, namespace: shop}\nspec:\n"
                + "  selector: {matchLabels: {app: reviews, version: %1$s}}\n  template:\n"
                + "    metadata: {labels: {app: reviews, version: %1$s}}\n"
                + "    spec: {serviceAccountName: reviews, containers: [{name: reviews, image: \"reviews:%1$s\"}]}\n")
                .formatted(version);
    }

    private static final String HEAD = """
            apiVersion: meshcd.dev/v1alpha1
            kind: ServicePolicy
            metadata: {name: reviews, namespace: shop}
            spec:
              versions:
                v1: {version: v1}
                v2: {version: v2}
            """;

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("unknown field", Severity.ERROR, "MCD4001", "spec.routes[0].weight", HEAD + """
                          routes:
                            - to: v1
                              weight: 10 # <-
                        """),
                Arguments.of("unknown top-level field", Severity.ERROR, "MCD4001", "spec.retry", HEAD + """
                          retry: {attempts: 3} # <-
                        """),
                Arguments.of("bad mTLS mode", Severity.ERROR, "MCD4001", "spec.mtls", HEAD + """
                          mtls: STRICTEST # <-
                        """),
                Arguments.of("bad duration", Severity.ERROR, "MCD4001", "spec.timeout", HEAD + """
                          timeout: 5 seconds # <-
                        """),
                Arguments.of("to and split together", Severity.ERROR, "MCD4001", "spec.routes[0]", HEAD + """
                          routes:
                            - to: v1 # <-
                              split: [{version: v1, weight: 100}]
                        """),
                Arguments.of("route to an undefined version", Severity.ERROR, "MCD4002", "spec.routes[1].to", HEAD + """
                          routes:
                            - to: v1
                              match: [{path: {prefix: /a}}]
                            - to: v3 # <-
                        """),
                Arguments.of("split to an undefined version", Severity.ERROR, "MCD4002", "spec.routes[0].split[1].version", HEAD + """
                          routes:
                            - split:
                                - {version: v1, weight: 50}
                                - version: canary # <-
                                  weight: 50
                        """),
                Arguments.of("mirror to an undefined version", Severity.ERROR, "MCD4002", "spec.routes[0].mirror.version", HEAD + """
                          routes:
                            - to: v1
                              mirror:
                                version: shadow # <-
                        """),
                Arguments.of("empty split", Severity.ERROR, "MCD4003", "spec.routes[0].split", HEAD + """
                          routes:
                            - split: [] # <-
                        """),
                Arguments.of("weights not summing to 100", Severity.ERROR, "MCD4003", "spec.routes[0].split", HEAD + """
                          routes:
                            - name: canary
                              split: # <-
                                - {version: v1, weight: 80}
                                - {version: v2, weight: 10}
                        """),
                Arguments.of("caller nobody runs as", Severity.WARNING, "MCD4004", "spec.access.allow[0].from.serviceAccounts[1]", HEAD + """
                          access:
                            allow:
                              - from:
                                  serviceAccounts:
                                    - reviews
                                    - prodpage # <-
                        """),
                Arguments.of("policy for a missing service", Severity.WARNING, "MCD4008", "spec.service", HEAD + """
                          service: ratings # <-
                        """),
                Arguments.of("ingress without routes", Severity.ERROR, "MCD4001", "spec", """
                        apiVersion: meshcd.dev/v1alpha1
                        kind: Ingress
                        metadata: {name: web, namespace: shop}
                        spec: # <-
                          hosts: [shop.example.com]
                        """),
                Arguments.of("external service with a bad protocol", Severity.ERROR, "MCD4001", "spec.ports[0].protocol", """
                        apiVersion: meshcd.dev/v1alpha1
                        kind: ExternalService
                        metadata: {name: api, namespace: shop}
                        spec:
                          hosts: [api.example.com]
                          ports:
                            - number: 443
                              protocol: HTTPZ # <-
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void locatedDiagnostic(String what, Severity severity, String code, String path, String policy) {
        String text = CONTEXT + policy;
        int line = lineOf(text, "# <-");
        CompileResult result = LoweringFixtures.compile("shop.yaml", text);
        List<Diagnostic> found = result.diagnostics().stream().filter(d -> d.code().equals(code)).toList();
        assertThat(found).as("%s: %s", what, result.diagnostics()).hasSize(1);
        Diagnostic d = found.get(0);
        assertThat(d.severity()).isEqualTo(severity);
        assertThat(d.path()).isEqualTo(path);
        assertThat(d.location().file()).isEqualTo("shop.yaml");
        assertThat(d.location().line()).as("line of %s", d).isEqualTo(line);
        // No other policy finding (analyzers may add their own about generated resources, e.g. IST0174
        // for a DestinationRule whose host is the missing service).
        assertThat(result.diagnostics()).as("no other problem")
                .filteredOn(x -> x.severity() != Severity.INFO && x.code().startsWith("MCD")).hasSize(1);
        if (severity == Severity.ERROR) {
            assertThat(result.generated()).as("nothing lowered from a policy with errors").isEmpty();
        } else {
            assertThat(result.generated()).isNotEmpty();
        }
    }

    static int lineOf(String text, String marker) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no marker");
    }

    static List<Resource> from(CompileResult result, String file) {
        return result.generated().stream().filter(r -> r.annotation(PolicyKinds.SOURCE_ANNOTATION).startsWith(file + "#")).toList();
    }
}
