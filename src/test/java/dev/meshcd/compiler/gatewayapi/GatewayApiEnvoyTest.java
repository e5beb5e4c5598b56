package dev.meshcd.compiler.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.SimRequest;
import dev.meshcd.compiler.envoy.SimResult;
import dev.meshcd.compiler.envoy.Simulator;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gateway API routing reaches the Envoy configuration (and simulate) as istiod translates it. */
class GatewayApiEnvoyTest {
    static EffectiveMesh mesh(String... yaml) {
        List<SourceFile> files = new ArrayList<>();
        for (int i = 0; i < yaml.length; i++) {
            files.add(SourceFile.ofString("f" + i + ".yaml", yaml[i]));
        }
        return EffectiveMesh.of(StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("default"))
                .compile(new SourceTree(files), Compiler.Mode.CHECK));
    }

    static SimResult sim(EffectiveMesh mesh, String proxy, String request) {
        return Simulator.simulate(mesh.proxies().get(proxy), SimRequest.parse(request));
    }

    static final String SHOP = """
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin, namespace: shop}
            spec:
              selector: {app: httpbin}
              ports: [{name: http, port: 8000, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin-v2, namespace: shop}
            spec:
              selector: {app: httpbin, version: v2}
              ports: [{name: http, port: 8000, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: httpbin, namespace: shop}
            spec:
              selector: {matchLabels: {app: httpbin}}
              template:
                metadata: {labels: {app: httpbin, version: v1}}
                spec: {containers: [{name: httpbin, image: httpbin}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: sleep, namespace: shop}
            spec:
              selector: {matchLabels: {app: sleep}}
              template:
                metadata: {labels: {app: sleep, version: v1}}
                spec: {containers: [{name: sleep, image: curl}]}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: shop}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [www.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /v2}}]
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: x-version, value: v2}]}
                backendRefs: [{name: httpbin-v2, port: 8000}]
              - matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-canary, value: "true"}]}]
                backendRefs: [{name: httpbin, port: 8000, weight: 90}, {name: httpbin-v2, port: 8000, weight: 10}]
              - matches: [{path: {type: Exact, value: /old}}]
                filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}, statusCode: 301}}]
              - backendRefs: [{name: httpbin, port: 8000}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: mesh, namespace: shop}
            spec:
              parentRefs: [{group: "", kind: Service, name: httpbin, port: 8000}]
              rules:
              - matches: [{headers: [{name: x-canary, value: "true"}]}]
                backendRefs: [{name: httpbin-v2, port: 8000}]
              - backendRefs: [{name: httpbin, port: 8000}]
            """;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = ';', textBlock = """
            shop/gw-istio ; GET http://www.example.com/v2/status      ; outbound|8000||httpbin-v2.shop.svc.cluster.local:100
            shop/gw-istio ; GET http://www.example.com/ -H x-canary:true ; outbound|8000||httpbin.shop.svc.cluster.local:90 outbound|8000||httpbin-v2.shop.svc.cluster.local:10
            shop/gw-istio ; GET http://www.example.com/headers        ; outbound|8000||httpbin.shop.svc.cluster.local:100
            shop/sleep    ; GET http://httpbin.shop:8000/ -H x-canary:true ; outbound|8000||httpbin-v2.shop.svc.cluster.local:100
            shop/sleep    ; GET http://httpbin.shop:8000/             ; outbound|8000||httpbin.shop.svc.cluster.local:100
            """)
    void requestsFollowTheRoutes(String proxy, String request, String clusters) {
        EffectiveMesh mesh = mesh(SHOP);
        assertThat(mesh.diagnostics()).isEmpty();
        SimResult r = sim(mesh, proxy, request);
        assertThat(r.match()).as(r.toText()).isTrue();
        assertThat(r.clusters().stream().map(t -> t.name() + ":" + t.weight()).toList())
                .containsExactly(clusters.trim().split(" "));
    }

    @Test
    void filtersBecomeEnvoyActions() {
        EffectiveMesh mesh = mesh(SHOP);
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/old").action()).isEqualTo("redirect 301 path /new");
        SimResult other = sim(mesh, "shop/gw-istio", "GET http://api.other.org/");
        assertThat(other.match()).as("a host the listener does not serve").isFalse();
    }

    @Test
    void rulesTakeTheGatewayApisPrecedenceNotTheirOrder() {
        String routes = SHOP.substring(0, SHOP.indexOf("kind: HTTPRoute") - "apiVersion: gateway.networking.k8s.io/v1\n".length())
                + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web, namespace: shop}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [www.example.com]
                  rules:
                  - backendRefs: [{name: httpbin, port: 8000}]
                  - matches: [{path: {value: /api}}]
                    backendRefs: [{name: httpbin, port: 8000}]
                  - matches: [{path: {value: /api/v2/}}, {path: {type: Exact, value: /status}}]
                    backendRefs: [{name: httpbin-v2, port: 8000}]
                """;
        EffectiveMesh mesh = mesh(routes);
        assertThat(mesh.diagnostics()).isEmpty();
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/api/v2/get").route()).isEqualTo("web.2.0");
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/api/v2").route())
                .as("PathPrefix ignores a trailing /").isEqualTo("web.2.0");
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/status").route()).isEqualTo("web.2.1");
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/api/x").route()).isEqualTo("web.1");
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/apix").route())
                .as("a PathPrefix matches whole path segments").isEqualTo("web.0");
        assertThat(sim(mesh, "shop/gw-istio", "GET http://www.example.com/other").route()).isEqualTo("web.0");
    }

    @Test
    void istiosHttpbinSampleRoutesThroughItsGatewayToHttpbin() throws Exception {
        Path sample = SharedData.istio("samples/httpbin/gateway-api/httpbin-gateway.yaml");
        Path httpbin = SharedData.istio("samples/httpbin/httpbin.yaml");
        EffectiveMesh mesh = mesh(Files.readString(httpbin), Files.readString(sample));
        assertThat(mesh.diagnostics()).isEmpty();
        SimResult r = sim(mesh, "default/httpbin-gateway-istio", "GET http://httpbin.example.com/headers");
        assertThat(r.match()).as(r.toText()).isTrue();
        assertThat(r.listener()).isEqualTo("0.0.0.0_80");
        assertThat(r.clusters()).singleElement().satisfies(t ->
                assertThat(t.name()).isEqualTo("outbound|8000||httpbin.default.svc.cluster.local"));
    }
}
