package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Harness.ap;
import static dev.meshcd.compiler.validate.istio.Harness.doc;
import static dev.meshcd.compiler.validate.istio.Harness.ef;
import static dev.meshcd.compiler.validate.istio.Harness.error;
import static dev.meshcd.compiler.validate.istio.Harness.pa;
import static dev.meshcd.compiler.validate.istio.Harness.ra;
import static dev.meshcd.compiler.validate.istio.Harness.tel;
import static dev.meshcd.compiler.validate.istio.Harness.wasm;
import static dev.meshcd.compiler.validate.istio.Harness.warning;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry, WasmPlugin, ProxyConfig, EnvoyFilter. */
class PolicyValidatorsTest {
    static List<Harness.Rule> authorizationPolicies() {
        return List.of(
                error("DENY needs rules",
                        ap("{action: DENY, rules: [{}]}"),
                        ap("{action: DENY}"), "spec.rules"),
                error("CUSTOM needs rules",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{}]}"),
                        ap("{action: CUSTOM, provider: {name: ext}}"), "spec.rules"),
                error("CUSTOM needs a provider name",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{}]}"),
                        ap("{action: CUSTOM, provider: {}, rules: [{}]}"), "spec.provider.name"),
                error("provider only with CUSTOM",
                        ap("{action: ALLOW, rules: [{}]}"),
                        ap("{action: ALLOW, provider: {name: ext}, rules: [{}]}"), "spec.provider"),
                error("CUSTOM cannot use principals",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]}"),
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{from: [{source: {principals: [a]}}]}]}"),
                        "spec.rules[0].from[0].source.principals"),
                error("CUSTOM cannot use request.auth conditions",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{when: [{key: 'request.headers[x]', values: [a]}]}]}"),
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{when: [{key: 'request.auth.claims[iss]', values: [a]}]}]}"),
                        "spec.rules[0].when[0].key"),
                error("from.source not empty",
                        ap("{rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/sleep]}}]}]}"),
                        ap("{rules: [{from: [{source: {}}]}]}"), "spec.rules[0].from[0].source"),
                error("from.source required",
                        ap("{rules: [{from: [{source: {namespaces: [a]}}]}]}"),
                        ap("{rules: [{from: [{}]}]}"), "spec.rules[0].from[0].source"),
                error("to.operation not empty",
                        ap("{rules: [{to: [{operation: {methods: [GET]}}]}]}"),
                        ap("{rules: [{to: [{operation: {}}]}]}"), "spec.rules[0].to[0].operation"),
                error("no empty values",
                        ap("{rules: [{to: [{operation: {paths: [/a]}}]}]}"),
                        ap("{rules: [{to: [{operation: {paths: ['']}}]}]}"), "spec.rules[0].to[0].operation.paths[0]"),
                error("ip blocks",
                        ap("{rules: [{from: [{source: {ipBlocks: [10.0.0.1, '2001:db8::/32']}}]}]}"),
                        ap("{rules: [{from: [{source: {ipBlocks: [10.0.0.300]}}]}]}"),
                        "spec.rules[0].from[0].source.ipBlocks[0]"),
                error("operation ports",
                        ap("{rules: [{to: [{operation: {ports: ['8080']}}]}]}"),
                        ap("{rules: [{to: [{operation: {ports: ['80a']}}]}]}"), "spec.rules[0].to[0].operation.ports[0]"),
                error("unsupported path template",
                        ap("{rules: [{to: [{operation: {paths: ['/foo/{*}/bar']}}]}]}"),
                        ap("{rules: [{to: [{operation: {paths: ['/{*}/foo/{bar}']}}]}]}"),
                        "spec.rules[0].to[0].operation.paths[0]"),
                error("when key required",
                        ap("{rules: [{when: [{key: source.ip, values: [10.0.0.1]}]}]}"),
                        ap("{rules: [{when: [{values: [key is missing]}]}]}"), "spec.rules[0].when[0].key"),
                error("when needs values",
                        ap("{rules: [{when: [{key: source.namespace, notValues: [a]}]}]}"),
                        ap("{rules: [{when: [{key: source.namespace}]}]}"), "spec.rules[0].when[0]"),
                error("when key known",
                        ap("{rules: [{when: [{key: 'request.headers[x-a]', values: [a]}]}]}"),
                        ap("{rules: [{when: [{key: request.foo, values: [a]}]}]}"), "spec.rules[0].when[0].values"),
                error("when key map form",
                        ap("{rules: [{when: [{key: 'request.auth.claims[groups]', values: [a]}]}]}"),
                        ap("{rules: [{when: [{key: 'request.auth.claims[]', values: [a]}]}]}"), "spec.rules[0].when[0].values"),
                error("destination.port values",
                        ap("{rules: [{when: [{key: destination.port, values: ['443']}]}]}"),
                        ap("{rules: [{when: [{key: destination.port, values: ['70000']}]}]}"), "spec.rules[0].when[0].values"),
                warning("DENY with HTTP-only attributes",
                        ap("{action: DENY, rules: [{to: [{operation: {ports: ['80'], methods: [GET]}}]}]}"),
                        ap("{action: DENY, rules: [{to: [{operation: {methods: [GET]}}]}]}"), "spec.rules[0]"),
                error("selector and targetRefs exclusive",
                        ap("{targetRefs: [{kind: Service, group: '', name: a}], rules: [{}]}"),
                        ap("{selector: {matchLabels: {app: a}}, targetRefs: [{kind: Service, group: '', name: a}], rules: [{}]}"),
                        "spec.targetRefs"),
                error("targetRef kinds",
                        ap("{targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: a}], rules: [{}]}"),
                        ap("{targetRefs: [{kind: Deployment, group: apps, name: a}], rules: [{}]}"),
                        "spec.targetRefs[0].kind"),
                error("selector wildcard",
                        ap("{selector: {matchLabels: {app: a}}, rules: [{}]}"),
                        ap("{selector: {matchLabels: {app: 'a*'}}, rules: [{}]}"), "spec.selector.matchLabels.app"),
                warning("selector without labels",
                        ap("{selector: {matchLabels: {app: a}}, rules: [{}]}"),
                        ap("{selector: {}, rules: [{}]}"), "spec.selector"),
                error("when source.trustDomain: wildcards only at the start or end",
                        ap("{rules: [{when: [{key: source.trustDomain, values: [cluster.local, '*.example.com', 'td-*']}]}]}"),
                        ap("{rules: [{when: [{key: source.trustDomain, values: ['a*b']}]}]}"), "spec.rules[0].when[0].values"),
                error("when source.trustDomain: one wildcard",
                        ap("{rules: [{when: [{key: source.trustDomain, notValues: ['*']}]}]}"),
                        ap("{rules: [{when: [{key: source.trustDomain, notValues: ['*a*']}]}]}"),
                        "spec.rules[0].when[0].notValues"),
                error("when source.serviceAccount: sa or ns/sa, no wildcard",
                        ap("{rules: [{when: [{key: source.serviceAccount, values: [bookinfo/productpage, reviews]}]}]}"),
                        ap("{rules: [{when: [{key: source.serviceAccount, values: ['bookinfo/*']}]}]}"),
                        "spec.rules[0].when[0].values"),
                error("source trustDomains alone is a source",
                        ap("{rules: [{from: [{source: {trustDomains: [cluster.local], notTrustDomains: ['*.evil']}}]}]}"),
                        ap("{rules: [{from: [{source: {}}]}]}"), "spec.rules[0].from[0].source"),
                error("source trustDomains without /",
                        ap("{rules: [{from: [{source: {trustDomains: [cluster.local]}}]}]}"),
                        ap("{rules: [{from: [{source: {trustDomains: [cluster.local/ns]}}]}]}"),
                        "spec.rules[0].from[0].source.trustDomains"),
                error("source serviceAccounts format",
                        ap("{rules: [{from: [{source: {serviceAccounts: [ns/sa]}}]}]}"),
                        ap("{rules: [{from: [{source: {serviceAccounts: [a/b/c]}}]}]}"),
                        "spec.rules[0].from[0].source.serviceAccounts"),
                error("serviceAccounts exclude namespaces and principals",
                        ap("{rules: [{from: [{source: {serviceAccounts: [ns/sa]}}, {source: {namespaces: [ns]}}]}]}"),
                        ap("{rules: [{from: [{source: {serviceAccounts: [ns/sa], namespaces: [ns]}}]}]}"),
                        "spec.rules[0].from[0].source"),
                error("CUSTOM: no trustDomains",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{from: [{source: {ipBlocks: [1.2.3.4]}}]}]}"),
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{from: [{source: {trustDomains: [td]}}]}]}"),
                        "spec.rules[0].from[0].source.trustDomains"),
                error("CUSTOM: no source.trustDomain condition",
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{when: [{key: source.ip, values: [1.2.3.4]}]}]}"),
                        ap("{action: CUSTOM, provider: {name: ext}, rules: [{when: [{key: source.trustDomain, values: [td]}]}]}"),
                        "spec.rules[0].when[0].key"));
    }

    static List<Harness.Rule> authentication() {
        return List.of(
                error("port level mTLS needs a selector",
                        pa("{selector: {matchLabels: {app: a}}, portLevelMtls: {'8080': {mode: DISABLE}}}"),
                        pa("{portLevelMtls: {'8080': {mode: DISABLE}}}"), "spec.portLevelMtls"),
                error("port level mTLS not empty",
                        pa("{mtls: {mode: STRICT}}"),
                        pa("{selector: {matchLabels: {app: a}}, portLevelMtls: {}}"), "spec.portLevelMtls"),
                error("port level mTLS port range",
                        pa("{selector: {matchLabels: {app: a}}, portLevelMtls: {'1': {mode: DISABLE}}}"),
                        pa("{selector: {matchLabels: {app: a}}, portLevelMtls: {'0': {mode: DISABLE}}}"),
                        "spec.portLevelMtls.0"),
                error("issuer required",
                        ra("{jwtRules: [{issuer: 'https://accounts.google.com'}]}"),
                        ra("{jwtRules: [{issuer: ''}]}"), "spec.jwtRules[0].issuer"),
                error("jwksUri scheme",
                        ra("{jwtRules: [{issuer: a, jwksUri: 'https://a/keys'}]}"),
                        ra("{jwtRules: [{issuer: a, jwksUri: 'ftp://a/keys'}]}"), "spec.jwtRules[0].jwksUri"),
                error("jwks parses",
                        ra("{jwtRules: [{issuer: a, jwks: '{\"keys\": []}'}]}"),
                        ra("{jwtRules: [{issuer: a, jwks: 'not json'}]}"), "spec.jwtRules[0].jwks"),
                error("audiences not empty",
                        ra("{jwtRules: [{issuer: a, audiences: [b]}]}"),
                        ra("{jwtRules: [{issuer: a, audiences: ['']}]}"), "spec.jwtRules[0].audiences[0]"),
                error("output claim header name",
                        ra("{jwtRules: [{issuer: a, outputClaimToHeaders: [{header: x-sub, claim: sub}]}]}"),
                        ra("{jwtRules: [{issuer: a, outputClaimToHeaders: [{header: 'x sub', claim: sub}]}]}"),
                        "spec.jwtRules[0].outputClaimToHeaders[0].header"),
                error("jwt timeout",
                        ra("{jwtRules: [{issuer: a, timeout: 5s}]}"),
                        ra("{jwtRules: [{issuer: a, timeout: 0.5ms}]}"), "spec.jwtRules[0].timeout"));
    }

    static List<Harness.Rule> extensions() {
        return List.of(
                error("tracing sampling percentage",
                        tel("{tracing: [{randomSamplingPercentage: 100}]}"),
                        tel("{tracing: [{randomSamplingPercentage: 101}]}"), "spec.tracing[0].randomSamplingPercentage"),
                error("telemetry provider names",
                        tel("{accessLogging: [{providers: [{name: envoy}]}]}"),
                        tel("{accessLogging: [{providers: [{name: ''}]}]}"), "spec.accessLogging[0].providers[0].name"),
                warning("several tracing providers",
                        tel("{tracing: [{providers: [{name: zipkin}]}]}"),
                        tel("{tracing: [{providers: [{name: zipkin}, {name: otel}]}]}"), "spec.tracing[0].providers"),
                error("tag override value with UPSERT",
                        tel("{metrics: [{overrides: [{tagOverrides: {a: {value: b}}}]}]}"),
                        tel("{metrics: [{overrides: [{tagOverrides: {a: {operation: UPSERT}}}]}]}"),
                        "spec.metrics[0].overrides[0].tagOverrides.a.value"),
                error("custom tag literal",
                        tel("{tracing: [{customTags: {a: {literal: {value: b}}}}]}"),
                        tel("{tracing: [{customTags: {a: {literal: {value: ''}}}}]}"),
                        "spec.tracing[0].customTags.a.literal.value"),
                error("access log filter is CEL",
                        tel("{accessLogging: [{filter: {expression: 'response.code >= 400'}}]}"),
                        tel("{accessLogging: [{filter: {expression: 'response.code >='}}]}"),
                        "spec.accessLogging[0].filter.expression"),
                error("wasm url scheme",
                        wasm("{url: 'oci://ghcr.io/a/b:1'}"),
                        wasm("{url: 'ftp://domain.com/module.wasm'}"), "spec.url"),
                error("wasm sha256",
                        wasm("{url: 'https://a/b.wasm', sha256: '" + "a".repeat(64) + "'}"),
                        wasm("{url: 'https://a/b.wasm', sha256: test}"), "spec.sha256"),
                error("wasm env duplicate",
                        wasm("{url: 'file:///a.wasm', vmConfig: {env: [{name: a}, {name: b}]}}"),
                        wasm("{url: 'file:///a.wasm', vmConfig: {env: [{name: a}, {name: a}]}}"), "spec.vmConfig.env[1].name"),
                error("proxy config concurrency",
                        doc("networking.istio.io/v1beta1", "ProxyConfig", "{concurrency: 2}"),
                        doc("networking.istio.io/v1beta1", "ProxyConfig", "{concurrency: -1}"), "spec.concurrency"),
                warning("envoy filter always warns",
                        doc("networking.istio.io/v1", "DestinationRule", "{host: a}"),
                        ef("{configPatches: [{applyTo: CLUSTER, patch: {operation: REMOVE}}]}"), "spec"),
                error("envoy filter patch operation",
                        ef("{configPatches: [{applyTo: LISTENER, patch: {operation: MERGE, value: {}}}]}"),
                        ef("{configPatches: [{applyTo: LISTENER, patch: {}}]}"), "spec.configPatches[0].patch.operation"),
                error("envoy filter patch value",
                        ef("{configPatches: [{applyTo: CLUSTER, patch: {operation: REMOVE}}]}"),
                        ef("{configPatches: [{applyTo: CLUSTER, patch: {operation: MERGE}}]}"), "spec.configPatches[0].patch.value"),
                error("envoy filter match class",
                        ef("{configPatches: [{applyTo: CLUSTER, match: {cluster: {service: a}}, patch: {operation: REMOVE}}]}"),
                        ef("{configPatches: [{applyTo: CLUSTER, match: {listener: {portNumber: 80}}, patch: {operation: REMOVE}}]}"),
                        "spec.configPatches[0].match"),
                error("envoy filter proxy version regex",
                        ef("{configPatches: [{applyTo: CLUSTER, match: {proxy: {proxyVersion: '^1\\\\.2.*'}}, patch: {operation: REMOVE}}]}"),
                        ef("{configPatches: [{applyTo: CLUSTER, match: {proxy: {proxyVersion: '(?<=a)b'}}, patch: {operation: REMOVE}}]}"),
                        "spec.configPatches[0].match.proxy.proxyVersion"));
    }

    static List<Harness.Rule> metadata() {
        String clean = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: t, namespace: ns}\nspec: {host: a}\n";
        String rejected = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: t, namespace: ns, "
                + "annotations: {internal.istio.io/webhook-always-reject: 'true'}}\nspec: {host: a}\n";
        String dryRunOk = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: t, namespace: ns, "
                + "annotations: {istio.io/dry-run: 'true'}}\nspec: {action: DENY, rules: [{to: [{operation: {ports: ['1']}}]}]}\n";
        String dryRunBad = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: t, namespace: ns, "
                + "annotations: {istio.io/dry-run: 'maybe'}}\nspec: {action: DENY, rules: [{to: [{operation: {ports: ['1']}}]}]}\n";
        String dryRunOtherKind = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: t, namespace: ns, "
                + "annotations: {istio.io/dry-run: 'true'}}\nspec: {host: a}\n";
        return List.of(
                error("always-reject annotation", clean, rejected,
                        "metadata.annotations[\"internal.istio.io/webhook-always-reject\"]"),
                error("dry-run value is a bool", dryRunOk, dryRunBad, "metadata.annotations[\"istio.io/dry-run\"]"),
                error("dry-run only on AuthorizationPolicy", clean, dryRunOtherKind,
                        "metadata.annotations[\"istio.io/dry-run\"]"));
    }

    static List<Harness.Rule> istioctlExtras() {
        String svcOk = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [{name: http-web, port: 80}, {appProtocol: grpc, port: 81}, {protocol: UDP, port: 53}]}\n";
        String depOk = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec: {template: {metadata: {labels: {app: a, version: v1}}}}\n";
        return List.of(
                warning("unnamed service port", svcOk,
                        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [{port: 80}]}\n",
                        "spec.ports[0]"),
                warning("service port name prefix", svcOk,
                        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [{name: hello, port: 80}]}\n",
                        "spec.ports[0].name"),
                warning("service appProtocol", svcOk,
                        "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [{appProtocol: fake, port: 80}]}\n",
                        "spec.ports[0].appProtocol"),
                warning("deployment app and version labels", depOk,
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec: {template: {metadata: {labels: {app: a}}}}\n",
                        "spec.template.metadata.labels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authorizationPolicies")
    void authorizationPolicy(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authentication")
    void authenticationRule(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extensions")
    void extension(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("metadata")
    void metadataRule(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("istioctlExtras")
    void istioctlExtra(Harness.Rule rule) {
        Harness.check(rule);
    }
}
