package dev.meshcd.compiler.validate.istio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Wrongly typed or shaped specs give diagnostics (from the schema stage) or nothing here, never an internal error. */
class MalformedInputTest {
    private static final String[][] KINDS = {
            {"networking.istio.io/v1", "VirtualService"}, {"networking.istio.io/v1", "DestinationRule"},
            {"networking.istio.io/v1", "Gateway"}, {"networking.istio.io/v1", "ServiceEntry"},
            {"networking.istio.io/v1", "Sidecar"}, {"networking.istio.io/v1", "WorkloadEntry"},
            {"networking.istio.io/v1", "WorkloadGroup"}, {"networking.istio.io/v1alpha3", "EnvoyFilter"},
            {"networking.istio.io/v1beta1", "ProxyConfig"}, {"security.istio.io/v1", "AuthorizationPolicy"},
            {"security.istio.io/v1", "PeerAuthentication"}, {"security.istio.io/v1", "RequestAuthentication"},
            {"telemetry.istio.io/v1", "Telemetry"}, {"extensions.istio.io/v1alpha1", "WasmPlugin"}};
    private static final String[] SPECS = {
            "null", "'text'", "[1, 2]", "{}", "42",
            "{hosts: {a: b}, http: 'x', tcp: [null, 1], tls: [{match: 'x', route: [null]}], gateways: 7}",
            "{http: [null, 'x', {route: 'x', match: [null, {uri: 5, headers: [1]}], retries: 'x', fault: {abort: 'x'},"
                    + " corsPolicy: {allowOrigins: [null], maxAge: {a: 1}}, headers: {request: {set: [1]}}}]}",
            "{host: [1], subsets: [null, {name: null, labels: [1]}], trafficPolicy: {connectionPool: 'x',"
                    + " loadBalancer: {localityLbSetting: {distribute: [null, {to: 'x'}]}}, portLevelSettings: 'x'}}",
            "{servers: [null, {port: 'x', hosts: [null], tls: 'x'}], selector: 'x'}",
            "{ports: [null, {number: 'x'}], endpoints: [null, {address: 5, ports: 'x'}], resolution: 7, addresses: [null]}",
            "{egress: [null, {port: 'x', hosts: 'x'}], ingress: [{port: {number: 'a'}, defaultEndpoint: ':'}],"
                    + " outboundTrafficPolicy: {egressProxy: 'x'}}",
            "{rules: [null, {from: [null, {source: 'x'}], to: 'x', when: [null, {key: 5}]}], action: 5, provider: 'x'}",
            "{portLevelMtls: {'x': null, '99999999999999999999': {}}, jwtRules: [null, {jwks: 5, fromHeaders: [null]}]}",
            "{tracing: [null, {customTags: {a: null}, providers: [null]}], metrics: [{overrides: [null, {tagOverrides: {a: null}}]}]}",
            "{url: 5, vmConfig: {env: [null, {name: 5}]}, match: [null], configPatches: [null, {applyTo: 5, patch: 'x'}]}",
            "{address: [1], ports: {a: 'x'}, template: 'x', probe: {httpGet: 'x'}, metadata: {labels: 'x'}}",
            "{http: [{timeout: '99999999999999999999h', route: [{destination: {host: a}, weight: 99999999999999999999}]}]}"};

    static List<String> documents() {
        List<String> out = new ArrayList<>();
        for (String[] k : KINDS) {
            for (String spec : SPECS) {
                out.add(Harness.doc(k[0], k[1], spec));
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("documents")
    void neverCrashes(String yaml) {
        assertThat(Harness.run(yaml)).noneMatch(d -> d.code().equals(Codes.INTERNAL));
    }
}
