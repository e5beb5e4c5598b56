package dev.meshcd.compiler.validate.cel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.validate.ValidationTestSupport;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real rules of Istio's CRDs, each with inputs that pass and inputs that fail. */
class CelValidatorTest {
    private static final CelValidator VALIDATOR = new CelValidator();

    private static String vsTimeout(String timeout) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs}
                spec:
                  hosts: [reviews]
                  http:
                  - route: [{destination: {host: reviews}}]
                  - timeout: %s
                    route: [{destination: {host: reviews}}]
                """.formatted(timeout);
    }

    private static String serviceEntry(String spec) {
        return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se}\nspec:\n"
                + spec.stripIndent().indent(2);
    }

    private static String wasmUrl(String url) {
        return "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: wp}\nspec:\n  url: \""
                + url + "\"\n";
    }

    private static String peerAuthentication(String spec) {
        return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: pa}\nspec:\n"
                + spec.stripIndent().indent(2);
    }

    /** name, yaml, expected "path: message" list (empty when valid). */
    static Stream<Arguments> rules() {
        return Stream.of(
                // duration(self) >= duration('1ms'), on every http route of the list
                Arguments.of("duration at least 1ms", vsTimeout("5s"), List.of()),
                Arguments.of("go duration syntax", vsTimeout("1h30m0.5s"), List.of()),
                Arguments.of("duration below 1ms", vsTimeout("500us"),
                        List.of("spec.http[1].timeout: must be a valid duration greater than 1ms")),
                Arguments.of("not a duration", vsTimeout("soon"), List.of(
                        "spec.http[1].timeout: rule evaluation error: invalid duration format"
                                + " (rule: duration(self) >= duration('1ms'))")),
                Arguments.of("nested duration in a DestinationRule", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: dr}
                        spec:
                          host: reviews
                          subsets:
                          - name: v1
                            trafficPolicy:
                              outlierDetection: {interval: 0s, baseEjectionTime: 30s}
                        """, List.of("spec.subsets[0].trafficPolicy.outlierDetection.interval: "
                        + "must be a valid duration greater than 1ms")),
                // ServiceEntry spec rules
                Arguments.of("workloadSelector or endpoints", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        workloadSelector: {labels: {app: a}}
                        endpoints: [{address: 10.0.0.1}]
                        """), List.of("spec: only one of WorkloadSelector or Endpoints can be set")),
                Arguments.of("CIDR needs NONE or STATIC", serviceEntry("""
                        hosts: [a.example.com]
                        addresses: [10.0.0.0/16]
                        resolution: DNS
                        """), List.of("spec: CIDR addresses are allowed only for NONE/STATIC resolution types")),
                Arguments.of("CIDR with STATIC", serviceEntry("""
                        hosts: [a.example.com]
                        addresses: [10.0.0.0/16]
                        resolution: STATIC
                        endpoints: [{address: 10.0.0.1}]
                        """), List.of()),
                Arguments.of("NONE (the default) cannot have endpoints", serviceEntry("""
                        hosts: [a.example.com]
                        endpoints: [{address: 10.0.0.1}]
                        """), List.of("spec: NONE mode cannot set endpoints")),
                Arguments.of("DNS_ROUND_ROBIN with two endpoints", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: DNS_ROUND_ROBIN
                        endpoints: [{address: a.example.com}, {address: b.example.com}]
                        """), List.of("spec: DNS_ROUND_ROBIN mode cannot have multiple endpoints")),
                Arguments.of("duplicate port numbers", serviceEntry("""
                        hosts: [a.example.com]
                        ports: [{number: 80, name: http}, {number: 80, name: http2}]
                        """), List.of("spec.ports: port number cannot be duplicated")),
                Arguments.of("endpoint needs address or network", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        endpoints: [{address: 10.0.0.1}, {labels: {app: a}}]
                        """), List.of("spec.endpoints[1]: Address is required")),
                Arguments.of("UDS path must be absolute", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        endpoints: [{address: "unix://relative/sock"}, {address: "unix:///abs/sock"}]
                        """), List.of("spec.endpoints[0].address: UDS must be an absolute path or abstract socket")),
                Arguments.of("UDS substring out of range is an evaluation error", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        endpoints: [{address: "unix://"}]
                        """), List.of("spec.endpoints[0].address: UDS may not be a dir",
                        "spec.endpoints[0].address: rule evaluation error: substring failure: Range [7, 8)"
                        + " out of bounds (rule: self.startsWith(\"unix://\") ? (self.substring(7, 8) == \"/\" ||"
                        + " self.substring(7, 8) == \"@\") : true)")),
                Arguments.of("UDS may not include ports", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        endpoints: [{address: "unix:///sock", ports: {http: 80}}]
                        """), List.of("spec.endpoints[0]: UDS may not include ports")),
                Arguments.of("endpoint port names (map keys)", serviceEntry("""
                        hosts: [a.example.com]
                        resolution: STATIC
                        endpoints: [{address: 10.0.0.1, ports: {"bad_name": 80}}]
                        """), List.of("spec.endpoints[0].ports: port name must be valid")),
                Arguments.of("wildcard host", serviceEntry("""
                        hosts: [a.example.com, "*"]
                        """), List.of("spec.hosts[1]: hostname cannot be wildcard")),
                // PeerAuthentication
                Arguments.of("portLevelMtls needs a selector", peerAuthentication("""
                        portLevelMtls: {"8080": {mode: DISABLE}}
                        """), List.of("spec: portLevelMtls requires selector")),
                Arguments.of("portLevelMtls port range", peerAuthentication("""
                        selector: {matchLabels: {app: a}}
                        portLevelMtls: {"8080": {mode: DISABLE}, "70000": {mode: STRICT}}
                        """), List.of("spec.portLevelMtls: port must be between 1-65535")),
                Arguments.of("portLevelMtls key that is not a number", peerAuthentication("""
                        selector: {matchLabels: {app: a}}
                        portLevelMtls: {http: {mode: DISABLE}}
                        """), List.of("spec.portLevelMtls: rule evaluation error: For input string: \"http\""
                        + " (rule: self.all(key, 0 < int(key) && int(key) <= 65535))")),
                // URL library
                Arguments.of("oci url", wasmUrl("oci://ghcr.io/istio/filter:1.0"), List.of()),
                Arguments.of("url without scheme", wasmUrl("ghcr.io/istio/filter:1.0"), List.of()),
                Arguments.of("file url", wasmUrl("file:///opt/filter.wasm"), List.of()),
                Arguments.of("ftp url", wasmUrl("ftp://example.com/filter.wasm"),
                        List.of("spec.url: url must have schema one of [http, https, file, oci]")),
                Arguments.of("jwks_uri must be http(s)", """
                        apiVersion: security.istio.io/v1
                        kind: RequestAuthentication
                        metadata: {name: ra}
                        spec:
                          jwtRules:
                          - issuer: me
                            jwks_uri: "ftp://example.com/keys"
                          - issuer: you
                            jwksUri: https://example.com/keys
                            jwks: "{}"
                        """, List.of("spec.jwtRules[0].jwks_uri: url must have scheme http:// or https://",
                        "spec.jwtRules[1]: only one of jwks or jwksUri can be set")),
                // map values, nested objects
                Arguments.of("telemetry tag overrides (map values)", """
                        apiVersion: telemetry.istio.io/v1
                        kind: Telemetry
                        metadata: {name: t}
                        spec:
                          metrics:
                          - overrides:
                            - tagOverrides:
                                request_host: {operation: UPSERT, value: ""}
                                source_app: {operation: REMOVE, value: x}
                                ok: {operation: UPSERT, value: request.host}
                        """, List.of(
                        "spec.metrics[0].overrides[0].tagOverrides.request_host: value must be set when operation is UPSERT",
                        "spec.metrics[0].overrides[0].tagOverrides.source_app: value must not be set when operation is REMOVE")),
                Arguments.of("serviceAccounts excludes namespaces", """
                        apiVersion: security.istio.io/v1
                        kind: AuthorizationPolicy
                        metadata: {name: ap}
                        spec:
                          rules:
                          - from:
                            - source: {serviceAccounts: [ns/sa], namespaces: [ns]}
                            - source: {serviceAccounts: [ns/sa]}
                        """, List.of("spec.rules[0].from[0].source: Cannot set serviceAccounts with namespaces or principals")),
                Arguments.of("gateway credentialName or credentialNames", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw}
                        spec:
                          servers:
                          - port: {number: 443, name: https, protocol: HTTPS}
                            hosts: ["*"]
                            tls: {mode: SIMPLE, credentialName: a, credentialNames: [b]}
                        """, List.of("spec.servers[0].tls: only one of credentialName or credentialNames can be set")),
                Arguments.of("workload group probe scheme", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadGroup
                        metadata: {name: wg}
                        spec:
                          template: {ports: {http: 80}}
                          probe: {httpGet: {port: 80, scheme: FTP}}
                        """, List.of("spec.probe.httpGet.scheme: scheme must be one of [HTTP, HTTPS]")),
                Arguments.of("envoy filter selector wildcard and waypoint match", """
                        apiVersion: networking.istio.io/v1alpha3
                        kind: EnvoyFilter
                        metadata: {name: ef}
                        spec:
                          workloadSelector: {labels: {app: "*"}}
                          configPatches:
                          - applyTo: HTTP_FILTER
                            match: {context: SIDECAR_INBOUND, waypoint: {portNumber: 80}}
                            patch: {operation: REMOVE}
                        """, List.of("spec.configPatches[0].match: only support waypointMatch when context is WAYPOINT",
                        "spec.workloadSelector.labels.app: wildcard is not supported in selector")),
                Arguments.of("values of the wrong type are left to the schema validator", vsTimeout("5"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void enforcesTheRule(String name, String yaml, List<String> expected) {
        List<Diagnostic> ds = ValidationTestSupport.validate(yaml, VALIDATOR);
        assertThat(ds).allSatisfy(d -> {
            assertThat(d.code()).isEqualTo(Codes.SCHEMA_VALIDATION_ERROR);
            assertThat(d.severity()).isEqualTo(Severity.ERROR);
            assertThat(d.location().line()).isPositive();
        });
        assertThat(ds.stream().map(d -> d.path() + ": " + d.message()).sorted().toList())
                .isEqualTo(expected.stream().sorted().toList());
    }
}
