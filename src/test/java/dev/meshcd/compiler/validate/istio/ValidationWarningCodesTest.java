package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Harness.ap;
import static dev.meshcd.compiler.validate.istio.Harness.doc;
import static dev.meshcd.compiler.validate.istio.Harness.dr;
import static dev.meshcd.compiler.validate.istio.Harness.ef;
import static dev.meshcd.compiler.validate.istio.Harness.gw;
import static dev.meshcd.compiler.validate.istio.Harness.se;
import static dev.meshcd.compiler.validate.istio.Harness.sidecar;
import static dev.meshcd.compiler.validate.istio.Harness.tel;
import static dev.meshcd.compiler.validate.istio.Harness.vs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.ValidationWarning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind of istiod webhook warning has its own code, with Istio's wording, at the field it is about. */
class ValidationWarningCodesTest {
    private static final String ROUTE = "route: [{destination: {host: r}}]";
    private static final String HTTPS = "port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*']";

    /** A document that gives the warning, the field path and a piece of Istio's message. */
    record Row(ValidationWarning kind, String yaml, String path, String message) {
        @Override
        public String toString() {
            return kind.code() + " " + kind;
        }
    }

    static List<Row> rows() {
        return List.of(
                new Row(ValidationWarning.SELECTOR_WITHOUT_LABELS, ap("{selector: {}, rules: [{}]}"), "spec.selector",
                        "workload selector specified without labels"),
                new Row(ValidationWarning.DENY_HTTP_ONLY_ON_TCP,
                        ap("{action: DENY, rules: [{to: [{operation: {methods: [GET]}}]}]}"), "spec.rules[0]",
                        "will deny all traffic to TCP ports under its scope"),
                new Row(ValidationWarning.TELEMETRY_EMPTY_TAG_NAME,
                        tel("{metrics: [{overrides: [{tagOverrides: {'': {value: x}}}]}]}"),
                        "spec.metrics[0].overrides[0].tagOverrides[\"\"]", "tagOverrides.name may not be empty"),
                new Row(ValidationWarning.TELEMETRY_MULTIPLE_TRACING,
                        tel("{tracing: [{providers: [{name: a}]}, {providers: [{name: b}]}]}"), "spec.tracing",
                        "multiple tracing is not currently supported"),
                new Row(ValidationWarning.TELEMETRY_MULTIPLE_PROVIDERS,
                        tel("{tracing: [{providers: [{name: zipkin}, {name: otel}]}]}"), "spec.tracing[0].providers",
                        "multiple providers is not currently supported"),
                new Row(ValidationWarning.ENVOY_FILTER_INTERNALS,
                        ef("{configPatches: [{applyTo: CLUSTER, patch: {operation: REMOVE}}]}"), "spec",
                        "EnvoyFilter exposes internal implementation details"),
                new Row(ValidationWarning.ENVOY_FILTER_MATCH_IGNORED,
                        ef("{configPatches: [{applyTo: FILTER_CHAIN, match: {listener: {filterChain: {filter: "
                                + "{name: envoy.filters.network.http_connection_manager}}}}, patch: {operation: REMOVE}}]}"),
                        "spec.configPatches[0].match.listener.filterChain.filter",
                        "filter match has no effect when used with FILTER_CHAIN"),
                new Row(ValidationWarning.TLS_OLD_VERSION_WITHOUT_CIPHERS,
                        gw("{servers: [{" + HTTPS + ", tls: {mode: SIMPLE, credentialName: c, minProtocolVersion: TLSV1_0}}]}"),
                        "spec.servers[0].tls.minProtocolVersion", "TLS version below TLSV1_2 require setting compatible ciphers"),
                new Row(ValidationWarning.TLS_INVALID_CIPHERS,
                        gw("{servers: [{" + HTTPS + ", tls: {mode: SIMPLE, credentialName: c, cipherSuites: [NOT-A-CIPHER]}}]}"),
                        "spec.servers[0].tls.cipherSuites", "ignoring invalid cipher suites: [NOT-A-CIPHER]"),
                new Row(ValidationWarning.TLS_DUPLICATE_CIPHERS,
                        gw("{servers: [{" + HTTPS + ", tls: {mode: SIMPLE, credentialName: c, cipherSuites: "
                                + "[ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256]}}]}"),
                        "spec.servers[0].tls.cipherSuites", "ignoring duplicate cipher suites"),
                new Row(ValidationWarning.TLS_CERTIFICATES_IGNORED,
                        gw("{servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: ['*'], "
                                + "tls: {mode: PASSTHROUGH, credentialName: c}}]}"),
                        "spec.servers[0].tls.mode", "PASSTHROUGH mode does not use certificates, they will be ignored"),
                new Row(ValidationWarning.WORKLOAD_ENTRY_NO_ADDRESS,
                        doc("networking.istio.io/v1", "WorkloadEntry", "{network: n1}"), "spec.address",
                        "address is unset with network \"n1\""),
                new Row(ValidationWarning.SIDECAR_HTTP_POOL_NOT_HTTP,
                        sidecar("{ingress: [{port: {number: 9080, name: tcp, protocol: TCP}, defaultEndpoint: '127.0.0.1:9080', "
                                + "connectionPool: {http: {http1MaxPendingRequests: 10}}}]}"),
                        "spec.ingress[0].connectionPool.http", "HTTP connection pool settings are configured for port 9080"),
                new Row(ValidationWarning.SIDECAR_DUPLICATE_EGRESS_HOST,
                        sidecar("{egress: [{hosts: ['ns1/*', 'ns1/a.com']}]}"), "spec.egress[0].hosts[1]",
                        "duplicated egress host: ns1/a.com"),
                new Row(ValidationWarning.SIDECAR_ALL_HOSTS_NOT_ALONE,
                        sidecar("{egress: [{hosts: ['*/*', 'ns1/a.com']}]}"), "spec.egress[0].hosts",
                        "`*/*` host select all resources, no other hosts can be added"),
                new Row(ValidationWarning.LEGACY_GATEWAY_NAME,
                        vs("{hosts: [a], gateways: [gw.ns], http: [{" + ROUTE + "}]}"), "spec.gateways[0]",
                        "using legacy gatewayName format \"gw.ns\""),
                new Row(ValidationWarning.DEPRECATED_MIRROR_PERCENT,
                        vs("{hosts: [a], http: [{mirror: {host: m}, mirrorPercent: 50, " + ROUTE + "}]}"),
                        "spec.http[0].mirrorPercent", "using deprecated setting \"mirrorPercent\""),
                new Row(ValidationWarning.ABORT_WITHOUT_ERROR_TYPE,
                        vs("{hosts: [a], http: [{fault: {abort: {percentage: {value: 5}}}, " + ROUTE + "}]}"),
                        "spec.http[0].fault.abort", "abort configured, but error type not set"),
                new Row(ValidationWarning.LARGE_DIRECT_RESPONSE,
                        vs("{hosts: [a], http: [{directResponse: {status: 200, body: {string: '" + "x".repeat(110 * 1024)
                                + "'}}}]}"),
                        "spec.http[0].directResponse.body", "large direct_responses may impact control plane performance"),
                new Row(ValidationWarning.SNI_IP_ADDRESS,
                        vs("{hosts: ['1.2.3.4'], gateways: [gw], tls: [{match: [{sniHosts: ['1.2.3.4']}], " + ROUTE + "}]}"),
                        "spec.tls[0].match[0].sniHosts[0]", "goes against SNI spec"),
                new Row(ValidationWarning.HTTPS_REDIRECT_NOT_HTTP,
                        gw("{servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: ['*'], "
                                + "tls: {mode: PASSTHROUGH, httpsRedirect: true}}]}"),
                        "spec.servers[0].tls.httpsRedirect", "tls.httpsRedirect should only be used with http servers"),
                new Row(ValidationWarning.PARTIAL_WILDCARD_HOST,
                        se("{hosts: ['*a.com'], ports: [{number: 80, name: http, protocol: HTTP}]}"), "spec.hosts[0]",
                        "partial wildcard \"*a.com\" not allowed"),
                new Row(ValidationWarning.TARGET_PORT_WITHOUT_EFFECT,
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}]}"),
                        "spec.ports[0].targetPort", "targetPort has no effect when resolution mode is NONE"),
                new Row(ValidationWarning.SERVICE_ENTRY_ADDRESSES_REQUIRED,
                        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: t, namespace: ns, labels: "
                                + "{networking.istio.io/enable-autoallocate-ip: 'false'}}\nspec: {hosts: [a.com], "
                                + "ports: [{number: 5432, name: tcp, protocol: TCP}], resolution: DNS}\n",
                        "spec.ports[0]", "addresses are required for ports serving TCP (or unset) protocol"),
                new Row(ValidationWarning.SERVICE_ENTRY_SELECTOR_IGNORED,
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], "
                                + "workloadSelector: {labels: {app: a}}}"),
                        "spec.workloadSelector", "workloadSelector should not be set when resolution mode is NONE"),
                new Row(ValidationWarning.SERVICE_ENTRY_HOSTS_WITH_TCP_ADDRESS,
                        se("{hosts: [a.com, b.com], addresses: [10.0.0.1], ports: [{number: 443, name: tls, protocol: TLS}], "
                                + "resolution: DNS}"),
                        "spec.hosts", "service entry can not have more than one host specified simultaneously"),
                new Row(ValidationWarning.DEPRECATED_CONSECUTIVE_ERRORS,
                        dr("{host: r, trafficPolicy: {outlierDetection: {consecutiveErrors: 7}}}"),
                        "spec.trafficPolicy.outlierDetection.consecutiveErrors",
                        "outlier detection consecutive errors is deprecated"),
                new Row(ValidationWarning.DEPRECATED_MINIMUM_RING_SIZE,
                        dr("{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x, minimumRingSize: 1024}}}}"),
                        "spec.trafficPolicy.loadBalancer.consistentHash.minimumRingSize",
                        "consistent hash MinimumRingSize is deprecated"),
                new Row(ValidationWarning.FAILOVER_WITHOUT_OUTLIER_DETECTION,
                        dr("{host: r, trafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: us, to: eu}]}}}}"),
                        "spec.trafficPolicy.loadBalancer.localityLbSetting",
                        "outlier detection policy must be provided for failover"),
                new Row(ValidationWarning.APP_PROTOCOL_NOT_ISTIO, service("{appProtocol: fake, port: 80}"),
                        "spec.ports[0].appProtocol", "doesn't follow Istio protocol selection"),
                new Row(ValidationWarning.UNNAMED_SERVICE_PORT, service("{port: 80}"), "spec.ports[0]",
                        "has an unnamed port"),
                new Row(ValidationWarning.PORT_NAME_CONVENTION, service("{name: hello, port: 80}"), "spec.ports[0].name",
                        "port \"hello\" does not follow the Istio naming convention"),
                new Row(ValidationWarning.MISSING_TELEMETRY_LABELS,
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\n"
                                + "spec: {template: {metadata: {labels: {app: a}}}}\n",
                        "spec.template.metadata.labels", "may not provide Istio metrics and telemetry labels: \"version\""));
    }

    private static String service(String port) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [" + port + "]}\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachKindHasItsCode(Row row) {
        List<Diagnostic> found = Harness.run(row.yaml());
        assertThat(found).as("%s", found).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo(row.kind().code());
            assertThat(d.severity()).isEqualTo(Severity.WARNING);
            assertThat(d.path()).isEqualTo(row.path());
            assertThat(d.message()).contains(row.message());
        });
        assertThat(found).noneMatch(d -> d.code().equals(Codes.VALIDATION_WARNING));
    }

    @Test
    void everyKindHasARowAndAUniqueCode() {
        Set<ValidationWarning> covered = EnumSet.noneOf(ValidationWarning.class);
        rows().forEach(r -> covered.add(r.kind()));
        assertThat(covered).containsExactlyInAnyOrder(ValidationWarning.values());
        Set<String> codes = new HashSet<>();
        for (ValidationWarning w : ValidationWarning.values()) {
            assertThat(codes.add(w.code())).as("%s reuses %s", w, w.code()).isTrue();
            assertThat(ValidationWarning.isValidationWarning(w.code())).isTrue();
            assertThat(w.code()).isNotEqualTo(Codes.VALIDATION_WARNING);
        }
    }

    @Test
    void theUmbrellaCodeCoversEveryKindAndNothingElse() {
        for (ValidationWarning w : ValidationWarning.values()) {
            assertThat(Codes.covers(Codes.VALIDATION_WARNING, w.code())).as(w.code()).isTrue();
            assertThat(Codes.covers(w.code(), Codes.VALIDATION_WARNING)).isFalse();
        }
        assertThat(Codes.covers(Codes.VALIDATION_WARNING, "IST0130")).isFalse();
        assertThat(Codes.covers(Codes.VALIDATION_WARNING, "MCD1001")).isFalse();
        assertThat(Codes.covers("MCD2002", "MCD2003")).isFalse();
        assertThat(Codes.covers("*", "MCD2003")).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "IST0133 covers {0}: {1}")
    @org.junit.jupiter.params.provider.CsvSource({"MCD2002, true", "MCD2017, true", "MCD2030, true",
            "MCD2001, false", "MCD2031, false", "MCD2034, false", "IST0130, false", "MCD20300, false"})
    void istiosSchemaWarningCodeCoversTheWebhooksWarnings(String code, boolean covered) {
        assertThat(Codes.covers(Codes.SCHEMA_WARNING, code)).isEqualTo(covered);
    }

    @Test
    void docsListEveryCode() throws IOException {
        String docs = Files.readString(Path.of("docs/analyze.md"));
        for (ValidationWarning w : ValidationWarning.values()) {
            assertThat(docs).as("docs/analyze.md lists %s", w.code()).contains("| " + w.code() + " |");
        }
    }
}
