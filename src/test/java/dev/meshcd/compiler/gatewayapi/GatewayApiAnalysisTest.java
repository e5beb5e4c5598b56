package dev.meshcd.compiler.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gateway API routes' references (parents, backends, ReferenceGrants, listeners) and the k8sgateway analyzers. */
class GatewayApiAnalysisTest {
    /** A gateway in istio-ingress open to all namespaces on :80 and to its own only on :8080, and httpbin in shop. */
    static final String BASE = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {team: shop}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: istio-ingress}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: other}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: istio-ingress}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
              - {name: internal, port: 8080, protocol: HTTP}
              - {name: teams, port: 9090, protocol: HTTP, hostname: "*.shop.example",
                 allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin, namespace: shop}
            spec:
              selector: {app: httpbin}
              ports: [{name: http, port: 8000, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: other}
            spec:
              selector: {app: db}
              ports: [{name: http, port: 8000}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext, namespace: shop}
            spec:
              hosts: [api.partner.io]
              location: MESH_EXTERNAL
              resolution: DNS
              ports: [{number: 443, name: https, protocol: HTTPS}]
            """;

    static List<Diagnostic> check(String... files) {
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop"));
        List<SourceFile> sources = new java.util.ArrayList<>(List.of(SourceFile.ofString("base.yaml", BASE)));
        for (int i = 0; i < files.length; i++) {
            sources.add(SourceFile.ofString(i == 0 ? "case.yaml" : "case" + i + ".yaml", files[i]));
        }
        return c.compile(new SourceTree(sources), Compiler.Mode.CHECK).diagnostics();
    }

    static String route(String parentRef, String backendRef) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r, namespace: shop}
                spec:
                  parentRefs: [%s]
                  rules:
                  - backendRefs: [%s]
                """.formatted(parentRef, backendRef);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            attached to an open listener             | {name: gw, namespace: istio-ingress}                              | {name: httpbin, port: 8000}                      | ''
            missing parent gateway                   | {name: nope, namespace: istio-ingress}                            | {name: httpbin, port: 8000}                      | 5 error IST0101 spec.parentRefs[0].name Referenced gateway not found: "istio-ingress/nope"
            missing parent in an unseen namespace    | {name: gw, namespace: elsewhere}                                  | {name: httpbin, port: 8000}                      | 5 warning IST0101 spec.parentRefs[0].name Referenced gateway not found: "elsewhere/gw"; meshcd sees nothing of namespace "elsewhere": declare it under external: in meshcd.yaml, add its manifests with context:, or check against the cluster with --kubeconfig
            wrong sectionName                        | {name: gw, namespace: istio-ingress, sectionName: https}          | {name: httpbin, port: 8000}                      | 5 error IST0101 spec.parentRefs[0].sectionName Referenced gateway listener not found: "istio-ingress/gw/https"
            wrong parent port                        | {name: gw, namespace: istio-ingress, port: 443}                   | {name: httpbin, port: 8000}                      | 5 error IST0101 spec.parentRefs[0].port Referenced gateway port not found: "istio-ingress/gw:443"
            listener for its own namespace only      | {name: gw, namespace: istio-ingress, sectionName: internal}       | {name: httpbin, port: 8000}                      | 5 error MCD6002 spec.parentRefs[0] HTTPRoute shop/r is not accepted by Gateway istio-ingress/gw: listener "internal": it allows routes from its own namespace "istio-ingress" only (allowedRoutes.namespaces.from: Same)
            listener selecting the namespace         | {name: gw, namespace: istio-ingress, sectionName: teams}          | {name: httpbin, port: 8000}                      | ''
            mesh route on a Service                  | {group: '', kind: Service, name: httpbin}                         | {name: httpbin, port: 8000}                      | ''
            mesh route on a missing Service          | {group: '', kind: Service, name: nope}                            | {name: httpbin, port: 8000}                      | 5 error IST0101 spec.parentRefs[0].name Referenced parent service not found: "nope"
            missing backend                          | {name: gw, namespace: istio-ingress}                              | {name: nope, port: 8000}                         | 7 error IST0101 spec.rules[0].backendRefs[0].name Referenced backend service not found: "nope"
            wrong backend port                       | {name: gw, namespace: istio-ingress}                              | {name: httpbin, port: 9000}                      | 7 error IST0101 spec.rules[0].backendRefs[0].port Referenced backend service port not found: "httpbin:9000"
            cross-namespace backend without a grant  | {name: gw, namespace: istio-ingress}                              | {name: db, namespace: other, port: 8000}         | 7 error MCD6001 spec.rules[0].backendRefs[0].namespace HTTPRoute shop/r refers to Service other/db in another namespace, and no ReferenceGrant in namespace "other" allows HTTPRoutes from "shop" to refer to it
            ServiceEntry host backend                | {name: gw, namespace: istio-ingress}                              | {group: networking.istio.io, kind: Hostname, name: api.partner.io, port: 443} | ''
            missing ServiceEntry host backend        | {name: gw, namespace: istio-ingress}                              | {group: networking.istio.io, kind: Hostname, name: api.nope.io, port: 443}    | 7 warning IST0101 spec.rules[0].backendRefs[0].name Referenced backend host not found: "api.nope.io"; meshcd cannot resolve a host outside the cluster's services without the whole cluster: declare it under external: hosts in meshcd.yaml, add its ServiceEntry with context:, or check against the cluster with --kubeconfig
            """)
    void routeReferences(String name, String parentRef, String backendRef, String expected) {
        List<String> found = findings(check(route(parentRef, backendRef)));
        assertThat(found).as(name).isEqualTo(expected.isEmpty() ? List.of() : List.of(expected));
    }

    @Test
    void aReferenceGrantInTheTargetNamespaceLetsTheRouteReferToIt() {
        String grant = """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: from-shop, namespace: other}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
                  to: [{group: '', kind: Service, name: db}]
                """;
        String r = route("{name: gw, namespace: istio-ingress}", "{name: db, namespace: other, port: 8000}");
        assertThat(findings(check(r, grant))).isEmpty();
        String forGrpcOnly = grant.replace("kind: HTTPRoute", "kind: GRPCRoute");
        assertThat(findings(check(r, forGrpcOnly))).singleElement().asString().contains("MCD6001");
    }

    @Test
    void aGatewayCertificateInAnotherNamespaceNeedsAReferenceGrant() {
        String gw = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: tls, namespace: istio-ingress}
                spec:
                  gatewayClassName: istio
                  listeners:
                  - name: https
                    port: 443
                    protocol: HTTPS
                    tls: {certificateRefs: [{name: shop-cert, namespace: shop}]}
                """;
        assertThat(findings(check(gw))).containsExactly("10 error MCD6001 spec.listeners[0].tls.certificateRefs[0].namespace"
                + " Gateway istio-ingress/tls refers to Secret shop/shop-cert in another namespace, and no ReferenceGrant"
                + " in namespace \"shop\" allows Gateways from \"istio-ingress\" to refer to it");
        String grant = """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: certs, namespace: shop}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: istio-ingress}]
                  to: [{group: '', kind: Secret}]
                """;
        assertThat(findings(check(gw, grant))).isEmpty();
    }

    @Test
    void aListenerTakesOnlyTheRouteKindsOfItsProtocolAndHostnames() {
        String tcp = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: TCPRoute
                metadata: {name: t, namespace: shop}
                spec:
                  parentRefs: [{name: gw, namespace: istio-ingress, sectionName: http}]
                  rules: [{backendRefs: [{name: httpbin, port: 8000}]}]
                """;
        assertThat(findings(check(tcp))).containsExactly("5 error MCD6002 spec.parentRefs[0] TCPRoute shop/t is not"
                + " accepted by Gateway istio-ingress/gw: listener \"http\": a HTTP listener takes HTTPRoute and"
                + " GRPCRoute, not TCPRoute");
        String otherHost = route("{name: gw, namespace: istio-ingress, sectionName: teams}", "{name: httpbin, port: 8000}")
                .replace("spec:\n", "spec:\n  hostnames: [www.example.com]\n");
        assertThat(findings(check(otherHost))).singleElement().asString().contains("MCD6002")
                .contains("none of its hostnames [www.example.com] matches the listener's hostname \"*.shop.example\"");
    }

    @Test
    void istiosHttpbinGatewayApiSampleAnalyzesWithoutFindings() throws Exception {
        Path sample = SharedData.istio("samples/httpbin/gateway-api/httpbin-gateway.yaml");
        Path httpbin = SharedData.istio("samples/httpbin/httpbin.yaml");
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("default"));
        List<Diagnostic> ds = c.compile(new SourceTree(List.of(
                new SourceFile("httpbin.yaml", Files.readAllBytes(httpbin)),
                new SourceFile("httpbin-gateway.yaml", Files.readAllBytes(sample)))), Compiler.Mode.CHECK).diagnostics();
        assertThat(ds).isEmpty();
    }

    @Test
    void aVirtualServiceBindingAnInternalGatewayIsIst0165() throws Exception {
        Path input = SharedData.istio("analyzers/testdata/virtualservice_internal_gateway_ref.yaml");
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("default"));
        List<Diagnostic> ds = c.compile(new SourceTree(List.of(new SourceFile("vs.yaml", Files.readAllBytes(input)))),
                Compiler.Mode.CHECK).diagnostics();
        // (istiod's webhook also rejects the name: '~' is not allowed in a gateway name, an IST0106 of its own)
        assertThat(ds).filteredOn(d -> d.path().startsWith("spec.gateways") && !d.code().equals("IST0106")).singleElement().satisfies(d -> {
                    assertThat(d.code()).isEqualTo("IST0165");
                    assertThat(d.message()).isEqualTo("Gateway reference in VirtualService default/httpbin is to an"
                            + " implementation-generated internal Gateway: istio-ingress/gateway~istio-autogenerated-k8s-gateway~foo.");
                    assertThat(d.location().line()).isEqualTo(10);
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            selector on a repo Gateway's pods  | selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: gw}}                            | IST0166
            targetRefs instead                 | targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]                       | ''
            selector on other pods             | selector: {matchLabels: {app: httpbin}}                                                         | ''
            """)
    void ineffectiveSelectorOnAGatewayApiGateway(String name, String spec, String expected) {
        String policy = """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: p, namespace: istio-ingress}
                spec:
                  %s
                """.formatted(spec);
        List<String> codes = check(policy).stream().map(Diagnostic::code).filter(c -> c.equals("IST0166")).toList();
        assertThat(codes).as(name).isEqualTo(expected.isEmpty() ? List.of() : List.of(expected));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            tlsroutes.gateway.networking.k8s.io          | v1.4.1       | Gateway API CRD "tlsroutes.gateway.networking.k8s.io" is at version "1.4.1" but Istio requires at least "1.5.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.
            tlsroutes.gateway.networking.k8s.io          | v1.5.0-rc.1  | ''
            tlsroutes.gateway.networking.k8s.io          | v1.6.0       | ''
            backendtlspolicies.gateway.networking.k8s.io | v1.3.0       | Gateway API CRD "backendtlspolicies.gateway.networking.k8s.io" is at version "1.3.0" but Istio requires at least "1.4.0"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.
            httproutes.gateway.networking.k8s.io         | v0.1.0       | ''
            grpcroutes.gateway.networking.k8s.io         | not-a-version | ''
            """)
    void crdBundleVersionBelowIstiosMinimum(String crd, String version, String expected) {
        String yaml = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: %s
                  annotations: {gateway.networking.k8s.io/bundle-version: %s}
                spec: {group: gateway.networking.k8s.io}
                """.formatted(crd, version);
        List<String> found = check(yaml).stream().filter(d -> d.code().equals("IST0176")).map(Diagnostic::message).toList();
        assertThat(found).isEqualTo(expected.isEmpty() ? List.of() : List.of(expected));
    }

    /** Findings on case.yaml as "line severity CODE path message". */
    static List<String> findings(List<Diagnostic> ds) {
        return ds.stream().filter(d -> d.location().file().startsWith("case"))
                .map(d -> d.location().line() + " " + d.severity().name().toLowerCase() + " " + d.code() + " " + d.path()
                        + " " + d.message()).toList();
    }
}
