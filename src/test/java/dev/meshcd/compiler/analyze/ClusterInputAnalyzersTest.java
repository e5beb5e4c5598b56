package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyzers of injection, gateway credentials, Sidecar and Telemetry selectors, JWT claim routes, webhooks and
 * mesh networks, positive and negative, as {@link AnalyzersTest} runs its cases: case.yaml with the small shop mesh
 * ({@link AnalyzeFixture#BASE}); findings must be exactly the expected "file:line CODE path" entries.
 * {@link IncrementalAnalysisTest} runs these cases too (per subject, derived indexes, recompiles).
 */
class ClusterInputAnalyzersTest {
    /** A key pair istiod would serve, base64 as a Secret's data holds it. */
    private static final String CERT;
    private static final String KEY;

    static {
        var ca = dev.meshcd.admission.tls.Certificates.newCa("gateway", java.time.Duration.ofDays(30));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        CERT = b64.encodeToString(dev.meshcd.admission.tls.Certificates.pem(ca.cert())
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        KEY = b64.encodeToString(dev.meshcd.admission.tls.Certificates.pem(ca.key())
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static final String INGRESS_GATEWAY = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: %s, namespace: shop}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ["shop/%s.example.com"]
                tls: {mode: SIMPLE, credentialName: %s}
            """;

    static Stream<Arguments> cases() {
        return Stream.of(
            // ---- injection: IST0102, IST0103, IST0123, IST0148 ----
            c("a namespace without injection label", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                """, "case.yaml:3 IST0102 metadata.name"),
            c("labelled, disabled, ambient and istio-system namespaces are not reported", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: off, labels: {istio-injection: disabled}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: istio-system}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: rev, labels: {istio.io/rev: canary}}
                """),
            c("several kinds of injection labels", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled, istio.io/rev: canary}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: both, labels: {istio.io/rev: canary, istio.io/dataplane-mode: ambient}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: disabled-wins, labels: {istio-injection: disabled, istio.io/rev: canary}}
                """, "case.yaml:3 IST0123 metadata.labels", "case.yaml:7 IST0123 metadata.labels"),
            c("the injector injecting every namespace by default", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: istio-system}
                data:
                  values: '{"sidecarInjectorWebhook": {"enableNamespacesByDefault": true}}'
                """, "case.yaml:3 IST0148 metadata.name"),
            c("a pod of an injected namespace without proxy; opted out, host network and injected pods are fine", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: plain, namespace: shop}
                spec: {containers: [{name: app, image: app:1}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: out, namespace: shop, labels: {sidecar.istio.io/inject: "false"}}
                spec: {containers: [{name: app, image: app:1}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: out-annotated, namespace: shop, annotations: {sidecar.istio.io/inject: "False"}}
                spec: {containers: [{name: app, image: app:1}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: host, namespace: shop}
                spec: {hostNetwork: true, containers: [{name: app, image: app:1}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: injected, namespace: shop}
                spec:
                  containers: [{name: app, image: app:1}]
                  initContainers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}]
                """, "case.yaml:8 IST0103 spec.containers",
                // the annotation analyzer's: the annotation form is deprecated (a label of that name wins)
                "case.yaml:17 IST0135 metadata.annotations[\"sidecar.istio.io/inject\"]"),
            c("pods outside injected namespaces are not reported", """
                apiVersion: v1
                kind: Pod
                metadata: {name: plain, namespace: shop}
                spec: {containers: [{name: app, image: app:1}]}
                """),
            // ---- injection image: IST0158 ----
            c("proxy images not the injector's, per namespace", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: istio-system}
                data:
                  values: '{"global": {"hub": "docker.io/istio", "tag": "1.24.0", "proxy": {"image": "proxyv2"}}}'
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: old, namespace: shop}
                spec: {containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.23.0}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: current, namespace: shop}
                spec: {containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: pinned, namespace: shop, annotations: {sidecar.istio.io/proxyImage: my/proxy:1}}
                spec: {containers: [{name: istio-proxy, image: my/proxy:1}]}
                ---
                apiVersion: networking.istio.io/v1beta1
                kind: ProxyConfig
                metadata: {name: distroless, namespace: shop}
                spec: {selector: {matchLabels: {app: slim}}, image: {imageType: distroless}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: slim, namespace: shop, labels: {app: slim}}
                spec: {containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0-distroless}]}
                """, "case.yaml:3 IST0158 metadata.name",
                // the alpha-annotation analyzer's (info)
                "case.yaml:23 IST0136 metadata.annotations[\"sidecar.istio.io/proxyImage\"]"),
            c("a revision's namespace compares with that revision's injector", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio.io/rev: canary}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector-canary, namespace: istio-system}
                data:
                  values: '{"global": {"proxy": {"image": "gcr.io/istio/proxyv2:1.25.0"}}}'
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: current, namespace: shop}
                spec: {containers: [{name: istio-proxy, image: gcr.io/istio/proxyv2:1.25.0}]}
                """),
            // ---- image: auto: IST0146, IST0147 ----
            c("image auto in a pod, and in a deployment no Istio webhook selects", """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: shop}
                spec: {containers: [{name: istio-proxy, image: auto}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {matchLabels: {istio: gw}}
                  template:
                    metadata: {labels: {istio: gw}}
                    spec: {containers: [{name: istio-proxy, image: auto}]}
                """, "case.yaml:4 IST0147 spec.containers[0].image",
                "case.yaml:13 IST0146 spec.template.spec.containers[0].image"),
            c("image auto in a deployment an Istio webhook selects", """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector}
                webhooks:
                - name: object.sidecar-injector.istio.io
                  clientConfig: {service: {name: istiod, namespace: istio-system}}
                  objectSelector:
                    matchExpressions: [{key: sidecar.istio.io/inject, operator: In, values: ["true"]}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {matchLabels: {istio: gw}}
                  template:
                    metadata: {labels: {istio: gw, sidecar.istio.io/inject: "true"}}
                    spec: {containers: [{name: istio-proxy, image: auto}]}
                """, "case.yaml:6 IST0139 webhooks[0].clientConfig.service"),
            // ---- gateway credentials: IST0101 credentialName, IST0161 ----
            c("credentials looked up in the gateway workload's namespace, judged by their certificate", """
                apiVersion: v1
                kind: Secret
                metadata: {name: good, namespace: istio-system}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: garbage, namespace: istio-system}
                data: {tls.crt: bm90IGEgY2VydA==, tls.key: bm90IGEga2V5}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: name-only, namespace: istio-system}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: good, namespace: shop}
                data: {tls.crt: %s, tls.key: %s}
                ---
                """.formatted(CERT, KEY, CERT, KEY)
                + INGRESS_GATEWAY.formatted("a", "a", "good") + "---\n"
                + INGRESS_GATEWAY.formatted("b", "b", "garbage") + "---\n"
                + INGRESS_GATEWAY.formatted("c", "c", "name-only") + "---\n"
                + INGRESS_GATEWAY.formatted("d", "d", "missing") + "---\n"
                + INGRESS_GATEWAY.formatted("e", "e", "shop/good"),
                "case.yaml:39 IST0161 spec.servers[0].tls.credentialName",
                "case.yaml:59 IST0101 spec.servers[0].tls.credentialName"),
            c("without any Secret known, credential names are not judged", INGRESS_GATEWAY.formatted("a", "a", "missing")),
            // ---- duplicate certificates: IST0138 ----
            c("the same credential on gateways of the same workloads, and on others", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: wide, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 443, name: https, protocol: HTTPS}
                    hosts: ["a.example.com"]
                    tls: {mode: SIMPLE, serverCertificate: /etc/cert.pem, privateKey: /etc/key.pem}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: narrow, namespace: shop}
                spec:
                  selector: {istio: ingressgateway, app: istio-ingressgateway}
                  servers:
                  - port: {number: 443, name: https, protocol: HTTPS}
                    hosts: ["b.example.com"]
                    tls: {mode: SIMPLE, serverCertificate: /etc/cert.pem, privateKey: /etc/key.pem}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: elsewhere, namespace: shop}
                spec:
                  selector: {istio: egressgateway}
                  servers:
                  - port: {number: 443, name: https, protocol: HTTPS}
                    hosts: ["*"]
                    tls: {mode: SIMPLE, serverCertificate: /etc/cert.pem, privateKey: /etc/key.pem}
                """, "case.yaml:3 IST0138 metadata.name", "case.yaml:25 IST0101 spec.selector"),
            // ---- Sidecars in ambient mode: IST0167 ----
            c("sidecars of ambient workloads and namespaces have no effect", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient, istio-injection: disabled}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: amb, labels: {app: a}, annotations: {ambient.istio.io/redirection: enabled}}
                spec: {containers: [{name: app, image: app:1}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: ns-wide, namespace: amb}
                spec: {egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: ns-wide-2, namespace: amb}
                spec: {egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: pod, namespace: amb}
                spec: {workloadSelector: {labels: {app: a}}, egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: pod-2, namespace: amb}
                spec: {workloadSelector: {labels: {app: a}}, egress: [{hosts: ["./*"]}]}
                """, "case.yaml:12 IST0167 metadata.name", "case.yaml:17 IST0167 metadata.name",
                "case.yaml:23 IST0167 spec.workloadSelector.labels", "case.yaml:28 IST0167 spec.workloadSelector.labels"),
            c("an ambient namespace labelled for injection is not ambient", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio-injection: enabled}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: ns-wide, namespace: shop}
                spec: {egress: [{hosts: ["./*"]}]}
                """, "case.yaml:3 IST0123 metadata.labels"),
            // ---- Telemetry: IST0157, IST0101, IST0159, IST0160 ----
            c("access logging without provider and without a mesh default provider", """
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: t, namespace: shop}
                spec:
                  accessLogging:
                  - providers: [{name: envoy}]
                  - filter: {expression: "response.code >= 400"}
                  - disabled: true
                """, "case.yaml:7 IST0157 spec.accessLogging[1]"),
            c("a mesh default access log provider", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |
                    defaultProviders: {accessLogging: [envoy]}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: t, namespace: shop}
                spec:
                  accessLogging: [{filter: {expression: "response.code >= 400"}}]
                """),
            c("telemetry selectors matching nothing, the same workload, and two namespace-wide", """
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: none, namespace: shop}
                spec: {selector: {matchLabels: {app: nothing}}}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: one, namespace: shop}
                spec: {selector: {matchLabels: {app: reviews}}}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: two, namespace: shop}
                spec: {selector: {matchLabels: {version: v1, app: reviews}}}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: wide-1, namespace: shop}
                spec: {}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: wide-2, namespace: shop}
                spec: {}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: empty-selector, namespace: shop}
                spec: {selector: {}}
                """, "case.yaml:4 IST0101 spec.selector.matchLabels", "case.yaml:9 IST0159 spec.selector.matchLabels",
                "case.yaml:14 IST0159 spec.selector.matchLabels", "case.yaml:18 IST0160 metadata.name",
                "case.yaml:23 IST0160 metadata.name"),
            // ---- JWT claim routing: IST0149 ----
            c("claim routing through a gateway whose workload no RequestAuthentication selects", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [gw, mesh]
                  http:
                  - match: [{headers: {x-plain: {exact: a}, "@request.auth.claims[groups]": {exact: admin}}}]
                    route: [{destination: {host: reviews}}]
                """, "case.yaml:15 IST0149 spec.http[0].match[0].headers[\"@request.auth.claims[groups]\"]"),
            c("claim routing with a RequestAuthentication in istio-system selecting the gateway", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: istio-system}
                spec:
                  selector: {matchLabels: {istio: ingressgateway}}
                  jwtRules: [{issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/jwks"}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [shop/gw]
                  http:
                  - match: [{withoutHeaders: {"@request.auth.claims.sub": {exact: x}}}]
                    route: [{destination: {host: reviews}}]
                """),
            // ---- ingress routes bypassing subsets: IST0140 ----
            c("a gateway route without subset to a host another VirtualService splits", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: split, namespace: shop}
                spec:
                  hosts: [reviews]
                  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: ingress, namespace: shop}
                spec:
                  hosts: [shop.example.com]
                  gateways: [gw]
                  http: [{route: [{destination: {host: reviews}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: mesh-only, namespace: shop}
                spec:
                  hosts: [ratings]
                  http: [{route: [{destination: {host: reviews, port: {number: 9080}}}]}]
                """, "case.yaml:26 IST0140 spec.http[0].route[0].destination.host"),
            // ---- injection webhooks: IST0139 ----
            c("two Istio webhooks injecting the same pods, one calling a Service that does not exist", """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector}
                webhooks:
                - name: namespace.sidecar-injector.istio.io
                  clientConfig: {service: {name: reviews, namespace: shop}}
                  namespaceSelector: {matchLabels: {istio-injection: enabled}}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector-canary, labels: {istio.io/rev: canary}}
                webhooks:
                - name: rev.namespace.sidecar-injector.istio.io
                  clientConfig: {service: {name: istiod-canary, namespace: istio-system}}
                  namespaceSelector:
                    matchExpressions: [{key: istio-injection, operator: Exists}]
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: not-istio}
                webhooks:
                - name: other.example.com
                  clientConfig: {service: {name: gone, namespace: x}}
                """, "case.yaml:5 IST0139 webhooks[0]", "case.yaml:13 IST0139 webhooks[0]",
                "case.yaml:14 IST0139 webhooks[0].clientConfig.service"),
            // ---- external control plane: IST0163, IST0164 ----
            c("Istio's webhooks to an external control plane: blank, an IP address, a host name", """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: istio-validator-external-istiod}
                webhooks:
                - name: rev.validation.istio.io
                  clientConfig: {}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector-external-istiod}
                webhooks:
                - name: rev.namespace.sidecar-injector.istio.io
                  clientConfig: {url: "https://10.0.0.7:15017/inject"}
                - name: rev.object.sidecar-injector.istio.io
                  clientConfig: {url: "https://istiod.example.com:15017/inject"}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: other-validator}
                webhooks:
                - name: other.example.com
                  clientConfig: {}
                """, "case.yaml:6 IST0163 webhooks[0].clientConfig", "case.yaml:13 IST0164 webhooks[0].clientConfig.url",
                "case.yaml:12 IST0139 webhooks[0]", "case.yaml:14 IST0139 webhooks[1]"),
            // ---- mesh networks: IST0126 ----
            c("mesh networks naming registries that are neither built in nor remote clusters", """
                apiVersion: v1
                kind: Secret
                metadata: {name: remote, namespace: istio-system, labels: {istio/multiCluster: "true"}}
                stringData: {cluster-2: "kubeconfig"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  meshNetworks: |
                    networks:
                      n1: {endpoints: [{fromRegistry: Kubernetes}, {fromRegistry: cluster-2}, {fromCidr: 10.0.0.0/8}]}
                      n2: {endpoints: [{fromRegistry: cluster-3}]}
                """, "case.yaml:10 IST0126 data.meshNetworks")
        );
    }

    /** Wrong shapes in the inputs these analyzers read: validation's to report, never a crash (MCD9999). */
    @org.junit.jupiter.api.Test
    void malformedInputsNeverCrashAnalyzers() {
        String yaml = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: shop, annotations: {proxy.istio.io/config: "[not: yaml"}}
                spec: {containers: {name: istio-proxy}, initContainers: 3, hostNetwork: "yes"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: istio-system}
                data: {values: "{not json"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data: {mesh: "- a list", meshNetworks: "networks: [1, 2]"}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: istio-sidecar-injector}
                webhooks: {name: x.istio.io, clientConfig: {url: "://bad"}, namespaceSelector: [1]}
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: istio-validator}
                webhooks: [{name: v.istio.io, clientConfig: {url: "http://[::1"}}, 7]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: istio-system}
                data: {tls.crt: "!!!not base64", tls.key: 5}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: t, namespace: shop}
                spec: {selector: [1], accessLogging: {providers: 3}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: g, namespace: shop}
                spec: {selector: {istio: ingressgateway}, servers: [{tls: [1]}, {tls: {credentialName: s}}, 4]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: v, namespace: shop}
                spec: {gateways: [g], http: [{match: {headers: 1}}, {match: [{headers: [1]}]}, {route: {destination: 1}}]}
                """;
        assertThat(AnalyzeFixture.check(yaml)).noneMatch(d -> d.code().equals("MCD9999"));
    }

    static Arguments c(String name, String yaml, String... expected) {
        return Arguments.of(name, yaml, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactly(String name, String yaml, List<String> expected) {
        List<String> found = AnalyzeFixture.findings(AnalyzeFixture.check(yaml));
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
    }
}
