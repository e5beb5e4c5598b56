package dev.meshcd.compiler.validate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.validate.ValidationTestSupport;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaValidatorTest {
    private static final SchemaValidator VALIDATOR = new SchemaValidator();

    private static List<Diagnostic> validate(String yaml) {
        return ValidationTestSupport.validate(yaml, VALIDATOR);
    }

    private static final String VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: shop
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination:
                    host: reviews
                    subset: v1
                  weight: 50
                - destination:
                    host: reviews
                    subset: v2
                  %s
            """;

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("unknown field with a suggestion", VS.formatted("weigth: 50"),
                        "spec.http[0].route[1].weigth", "unknown field \"weigth\" (did you mean \"weight\"?)", 17, 7),
                Arguments.of("wrong type", VS.formatted("weight: fifty"),
                        "spec.http[0].route[1].weight", "must be of type integer, got string \"fifty\"", 17, 7),
                Arguments.of("object where a string belongs", VS.formatted("headers: {request: {set: {x: {y: 1}}}}"),
                        "spec.http[0].route[1].headers.request.set.x", "must be of type string, got object", 17, 33),
                Arguments.of("int32 overflow", VS.formatted("weight: 3000000000"),
                        "spec.http[0].route[1].weight", "must be a 32-bit integer, got 3000000000", 17, 7),
                Arguments.of("unknown top-level field", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: r}
                        spec: {host: reviews}
                        specs: {host: reviews}
                        """, "specs", "unknown field \"specs\" (did you mean \"spec\"?)", 5, 1),
                Arguments.of("bad enum", """
                        apiVersion: security.istio.io/v1
                        kind: PeerAuthentication
                        metadata: {name: default}
                        spec:
                          mtls:
                            mode: STRICTT
                        """, "spec.mtls.mode",
                        "unsupported value \"STRICTT\": must be one of [UNSET, DISABLE, PERMISSIVE, STRICT]", 6, 5),
                Arguments.of("missing required field", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: r}
                        spec:
                          subsets:
                          - name: v1
                        """, "spec.host", "missing required field \"host\"", 4, 1),
                Arguments.of("missing required field of a list item", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw}
                        spec:
                          servers:
                          - port: {number: 80, name: http, protocol: HTTP}
                            hosts: ["*"]
                          - port: {number: 443, protocol: HTTPS}
                            hosts: ["*"]
                        """, "spec.servers[1].port.name", "missing required field \"name\"", 8, 5),
                Arguments.of("nested list path and maximum", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw}
                        spec:
                          servers:
                          - port: {number: 80, name: http, protocol: HTTP}
                            hosts: ["*"]
                          - port:
                              number: 4294967296
                              name: big
                              protocol: HTTP
                            hosts: ["*"]
                        """, "spec.servers[1].port.number", "must be less than or equal to 4294967295, got 4294967296", 9, 7),
                Arguments.of("minimum", """
                        apiVersion: networking.istio.io/v1beta1
                        kind: ProxyConfig
                        metadata: {name: pc}
                        spec:
                          concurrency: -1
                        """, "spec.concurrency", "must be greater than or equal to 0, got -1", 5, 3),
                Arguments.of("list item of the wrong type", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: se}
                        spec:
                          hosts: [a.example.com, 42]
                        """, "spec.hosts[1]", "must be of type string, got integer 42", 5, 26),
                Arguments.of("minItems", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: se}
                        spec:
                          hosts: []
                        """, "spec.hosts", "must have at least 1 items, has 0", 5, 3),
                Arguments.of("maxItems", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw}
                        spec:
                          servers:
                          - port: {number: 443, name: https, protocol: HTTPS}
                            hosts: ["*"]
                            tls: {mode: SIMPLE, credentialNames: [a, b, c]}
                        """, "spec.servers[0].tls.credentialNames", "must have at most 2 items, has 3", 8, 25),
                Arguments.of("minLength", """
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: ra}
                        spec:
                          jwtRules:
                          - issuer: ""
                        """, "spec.jwtRules[0].issuer", "may not be empty", 6, 5),
                Arguments.of("pattern", """
                        apiVersion: extensions.istio.io/v1alpha1
                        kind: WasmPlugin
                        metadata: {name: wp}
                        spec:
                          url: oci://example.com/filter:1
                          sha256: abc
                        """, "spec.sha256", "invalid value \"abc\": must match the pattern '(^$|^[a-f0-9]{64}$)'", 6, 3),
                Arguments.of("at most one of (oneOf)", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: vs}
                        spec:
                          hosts: [reviews]
                          http:
                          - fault:
                              delay:
                                fixedDelay: 5s
                                exponentialDelay: 1s
                            route:
                            - destination: {host: reviews}
                        """, "spec.http[0].fault.delay",
                        "only one of [fixedDelay, exponentialDelay] may be set, found fixedDelay, exponentialDelay", 8, 7),
                Arguments.of("duplicate list-map key", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: se}
                        spec:
                          hosts: [a.example.com]
                          ports:
                          - {number: 80, name: http, protocol: HTTP}
                          - {number: 81, name: http, protocol: HTTP}
                        """, "spec.ports[1]", "duplicate entry name=\"http\" (also at index 0)", 8, 5),
                Arguments.of("map value of the wrong type", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: we}
                        spec:
                          address: 10.0.0.1
                          ports: {http: "eighty"}
                        """, "spec.ports.http", "must be of type integer, got string \"eighty\"", 6, 11));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void reportsOneErrorAtTheExactPath(String name, String yaml, String path, String message, int line, int column) {
        List<Diagnostic> ds = validate(yaml);
        assertThat(ds).hasSize(1);
        Diagnostic d = ds.get(0);
        assertThat(d.code()).isEqualTo(Codes.SCHEMA_VALIDATION_ERROR);
        assertThat(d.severity()).isEqualTo(Severity.ERROR);
        assertThat(d.path()).isEqualTo(path);
        assertThat(d.message()).isEqualTo(message);
        assertThat(d.location().file()).isEqualTo("test.yaml");
        assertThat(d.location().line()).as("line").isEqualTo(line);
        assertThat(d.location().column()).as("column").isEqualTo(column);
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("plain route", VS.formatted("weight: 50")),
                Arguments.of("null fields are absent", VS.formatted("weight: null")),
                Arguments.of("integral float for an integer", VS.formatted("weight: 50.0")),
                Arguments.of("free-form EnvoyFilter patch value", """
                        apiVersion: networking.istio.io/v1alpha3
                        kind: EnvoyFilter
                        metadata: {name: ef}
                        spec:
                          configPatches:
                          - applyTo: HTTP_FILTER
                            patch:
                              operation: INSERT_BEFORE
                              value:
                                name: envoy.lua
                                typed_config: {"@type": "type.googleapis.com/x", anything: [1, {deep: true}]}
                        """),
                Arguments.of("metadata and status are not checked against the schema", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: r, whatever: {x: 1}}
                        spec: {host: reviews}
                        status: {anything: goes}
                        """),
                Arguments.of("only the first exclusive field set", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: vs}
                        spec:
                          hosts: [reviews]
                          http:
                          - fault: {delay: {fixedDelay: 5s, percentage: {value: 10.5}}}
                            route: [{destination: {host: reviews}}]
                        """),
                Arguments.of("kubernetes kinds are not checked", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s}
                        spec: {ports: [{port: 80}], bogus: true}
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void acceptsValidInput(String name, String yaml) {
        assertThat(validate(yaml)).isEmpty();
    }

    @Test
    void reportsEveryErrorOfOneResource() {
        List<Diagnostic> ds = validate("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs}
                spec:
                  hosts: reviews
                  htp: []
                  http:
                  - route: [{destination: {host: reviews, port: {number: x}}}]
                """);
        assertThat(ds).extracting(Diagnostic::path, Diagnostic::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("spec.hosts", "must be of type array, got string \"reviews\""),
                org.assertj.core.groups.Tuple.tuple("spec.htp", "unknown field \"htp\" (did you mean \"http\"?)"),
                org.assertj.core.groups.Tuple.tuple("spec.http[0].route[0].destination.port.number",
                        "must be of type integer, got string \"x\""));
    }
}
