package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    private static final String CART = "cart.shop.svc.cluster.local";
    private static final String CATALOG = "catalog.shop.svc.cluster.local";

    private static SimResult sim(String proxy, String request) {
        return Simulator.simulate(EnvoyFixture.proxy(proxy), SimRequest.parse(request));
    }

    @ParameterizedTest(name = "{0} {1} -> {4}")
    @CsvSource(delimiter = ';', textBlock = """
            shop/frontend ; GET http://cart:8080/items -H x-canary:true        ; 0.0.0.0_8080 ; cart.shop.svc.cluster.local:8080       ; canary  ; outbound|8080|v2|cart.shop.svc.cluster.local:100
            shop/frontend ; GET http://cart:8080/items                         ; 0.0.0.0_8080 ; cart.shop.svc.cluster.local:8080       ; split   ; outbound|8080|v1|cart.shop.svc.cluster.local:90 outbound|8080|v2|cart.shop.svc.cluster.local:10
            shop/frontend ; GET http://cart.shop.svc.cluster.local:8080/ -H x-canary:false ; 0.0.0.0_8080 ; cart.shop.svc.cluster.local:8080 ; split ; outbound|8080|v1|cart.shop.svc.cluster.local:90 outbound|8080|v2|cart.shop.svc.cluster.local:10
            shop/frontend ; GET http://catalog:9080/products/1 -H end-user:jason ; 0.0.0.0_9080 ; catalog.shop.svc.cluster.local:9080 ; jason   ; outbound|9080|v2|catalog.shop.svc.cluster.local:100
            shop/frontend ; GET http://catalog:9080/products/1 -H end-user:bob   ; 0.0.0.0_9080 ; catalog.shop.svc.cluster.local:9080 ; default ; outbound|9080|v1|catalog.shop.svc.cluster.local:100
            shop/frontend ; GET http://catalog:9080/search/shoes?lang=en        ; 0.0.0.0_9080 ; catalog.shop.svc.cluster.local:9080 ; search  ; outbound|9080|v2|catalog.shop.svc.cluster.local:100
            shop/frontend ; POST http://catalog:9080/search/shoes?lang=en       ; 0.0.0.0_9080 ; catalog.shop.svc.cluster.local:9080 ; default ; outbound|9080|v1|catalog.shop.svc.cluster.local:100
            shop/frontend ; GET http://catalog:9080/search/shoes?lang=de        ; 0.0.0.0_9080 ; catalog.shop.svc.cluster.local:9080 ; default ; outbound|9080|v1|catalog.shop.svc.cluster.local:100
            shop/frontend ; GET http://payments:8080/pay                        ; 0.0.0.0_8080 ; payments.shop.svc.cluster.local:8080 ; default ; outbound|8080||payments.shop.svc.cluster.local:100
            shop/frontend ; GET http://example.org:8080/                        ; 0.0.0.0_8080 ; allow_any                            ; allow_any ; PassthroughCluster:100
            tools/debug   ; GET http://cart.shop:8080/                          ; 0.0.0.0_8080 ; cart.shop.svc.cluster.local:8080       ; split   ; outbound|8080|v1|cart.shop.svc.cluster.local:90 outbound|8080|v2|cart.shop.svc.cluster.local:10
            istio-system/istio-ingressgateway ; GET http://shop.example.com/api/cart/items ; 0.0.0.0_80 ; shop.example.com:80 ; cart-api ; outbound|8080|v1|cart.shop.svc.cluster.local:100
            istio-system/istio-ingressgateway ; GET http://shop.example.com:80/            ; 0.0.0.0_80 ; shop.example.com:80 ; web ; outbound|8080||frontend.shop.svc.cluster.local:100
            istio-system/istio-ingressgateway ; GET https://shop.example.com/              ; 0.0.0.0_443 ; shop.example.com:443 ; web ; outbound|8080||frontend.shop.svc.cluster.local:100
            """)
    void routesLikeEnvoy(String proxy, String request, String listener, String vhost, String route, String clusters) {
        SimResult r = sim(proxy, request);
        assertThat(r.match()).as(r.toText()).isTrue();
        assertThat(r.listener()).isEqualTo(listener);
        assertThat(r.virtualHost()).isEqualTo(vhost);
        assertThat(r.route()).isEqualTo(route);
        List<String> got = r.clusters().stream().map(t -> t.name() + ":" + t.weight()).toList();
        assertThat(got).containsExactly(clusters.split(" "));
    }

    @Test
    void weightedSplitCarriesTimeoutAndVirtualServiceRetries() {
        SimResult r = sim("shop/frontend", "GET http://cart:8080/items");
        assertThat(r.routeConfig()).isEqualTo("8080");
        assertThat(r.timeout()).isEqualTo("2s");
        assertThat(r.retry().attempts()).isEqualTo(3);
        assertThat(r.retry().retryOn()).isEqualTo("5xx,reset,retriable-status-codes [503]");
        assertThat(r.retry().perTryTimeout()).isEqualTo("500ms");
    }

    @Test
    void routesWithoutRetriesGetIstiosDefaultRetryPolicy() {
        SimResult r = sim("shop/frontend", "GET http://cart:8080/ -H x-canary:true");
        assertThat(r.timeout()).isEqualTo("0s (disabled)");
        assertThat(r.retry().attempts()).isEqualTo(2);
        assertThat(r.retry().retryOn())
                .isEqualTo("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
    }

    @Test
    void faultsMirrorsRewritesRedirectsAndDirectResponses() {
        assertThat(sim("shop/frontend", "GET http://catalog:9080/products -H end-user:jason").fault())
                .isEqualTo("delay 2s for 50%");
        assertThat(sim("shop/frontend", "GET http://catalog:9080/internal/x").fault()).isEqualTo("abort 503 for 100%");
        SimResult search = sim("shop/frontend", "GET http://catalog:9080/search/abc?lang=en");
        assertThat(search.rewrite()).isEqualTo("prefix /v2/search");
        assertThat(search.mirrors()).containsExactly("outbound|9080|v1|" + CATALOG + " (25%)");
        SimResult legacy = sim("shop/frontend", "GET http://catalog:9080/old-catalog");
        assertThat(legacy.action()).isEqualTo("redirect 302 path /products");
        assertThat(legacy.clusters()).isNull();
        assertThat(sim("shop/frontend", "GET http://catalog:9080/healthz").action()).isEqualTo("direct response 200 \"ok\"");
    }

    @Test
    void sidecarScopeHidesOtherNamespaces() {
        // shop's Sidecar allows ./* and istio-system/*: tools/debug is invisible, the request falls to allow_any
        SimResult r = sim("shop/frontend", "GET http://debug.tools:8080/");
        assertThat(r.virtualHost()).isEqualTo("allow_any");
        assertThat(r.clusters()).extracting(SimResult.WeightedTarget::name).containsExactly("PassthroughCluster");
        // tools has no Sidecar and sees everything
        assertThat(sim("tools/debug", "GET http://debug:8080/").virtualHost()).isEqualTo("debug.tools.svc.cluster.local:8080");
        // short name "cart" is only a domain for proxies of the cart's own namespace
        assertThat(sim("tools/debug", "GET http://cart:8080/").virtualHost()).isEqualTo("allow_any");
    }

    @Test
    void noMatchExplainsTheFirstMismatch() {
        SimResult r = sim("istio-system/istio-ingressgateway", "GET http://other.example.com/");
        assertThat(r.match()).isFalse();
        assertThat(r.reason()).contains("no virtual host of route configuration http.80")
                .contains("\"other.example.com\"");
        SimResult port = sim("istio-system/istio-ingressgateway", "GET http://shop.example.com:8443/");
        assertThat(port.match()).isFalse();
        assertThat(port.reason()).isEqualTo("no listener on port 8443");
        SimResult sni = sim("istio-system/istio-ingressgateway", "GET https://evil.example.com/");
        assertThat(sni.match()).isFalse();
        assertThat(sni.reason()).contains("no filter chain").contains("SNI evil.example.com");
    }

    @Test
    void routeMismatchReasons() {
        var rc = EnvoyFixture.proxy("shop/frontend").routeConfig("9080").orElseThrow();
        var routes = rc.getVirtualHosts(0).getRoutesList();
        assertThat(Simulator.mismatch(routes.get(0).getMatch(), SimRequest.parse("GET http://catalog:9080/products")))
                .isEqualTo("header end-user is missing (want \"jason\")");
        assertThat(Simulator.mismatch(routes.get(0).getMatch(), SimRequest.parse("GET http://catalog:9080/cart -H end-user:jason")))
                .isEqualTo("path /cart does not start with /products");
        assertThat(Simulator.mismatch(routes.get(1).getMatch(), SimRequest.parse("PUT http://catalog:9080/search/x?lang=en")))
                .isEqualTo("method is \"PUT\", want \"GET\"");
        assertThat(Simulator.mismatch(routes.get(1).getMatch(), SimRequest.parse("GET http://catalog:9080/search/x")))
                .isEqualTo("query parameter lang is missing");
        assertThat(Simulator.mismatch(routes.get(1).getMatch(), SimRequest.parse("GET http://catalog:9080/search/X1?lang=en")))
                .isEqualTo("path /search/X1 does not match regex ^/search/[a-z]+$");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = ';', textBlock = """
            shop/frontend ; GET http://payments:8080/admin  ; shop/payments: allowed
            shop/cart-v1  ; GET http://payments:8080/admin  ; shop/payments: denied by ns[shop]-policy[payments-deny-admin]-rule[0]
            shop/cart-v1  ; POST http://payments:8080/pay/1 ; shop/payments: allowed
            shop/cart-v1  ; DELETE http://payments:8080/pay ; shop/payments: denied (no ALLOW policy matches)
            tools/debug   ; GET http://payments.shop:8080/status ; shop/payments: denied (no ALLOW policy matches)
            """)
    void destinationAuthorizationIsEvaluatedForTheCaller(String proxy, String request, String verdict) {
        var mesh = EnvoyFixture.translator().translateAll();
        SimResult r = Simulator.simulate(mesh, mesh.get(proxy), SimRequest.parse(request));
        assertThat(r.authz()).containsExactly(verdict);
        assertThat(r.toJson().get("authz").get(0).asText()).isEqualTo(verdict);
        // no AuthorizationPolicy selects cart: nothing to report
        assertThat(Simulator.simulate(mesh, mesh.get(proxy), SimRequest.parse("GET http://cart.shop:8080/")).authz()).isNull();
    }

    @Test
    void jsonShape() {
        var json = sim("shop/frontend", "GET http://cart:8080/items -H x-canary:true").toJson();
        assertThat(json.get("match").asBoolean()).isTrue();
        assertThat(json.get("listener").asText()).isEqualTo("0.0.0.0_8080");
        assertThat(json.get("routeConfig").asText()).isEqualTo("8080");
        assertThat(json.get("virtualHost").asText()).isEqualTo(CART + ":8080");
        assertThat(json.get("route").asText()).isEqualTo("canary");
        assertThat(json.get("clusters").get(0).get("name").asText()).isEqualTo("outbound|8080|v2|" + CART);
        assertThat(json.get("clusters").get(0).get("weight").asInt()).isEqualTo(100);
        assertThat(json.get("retry").get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void requestParsing() {
        SimRequest r = SimRequest.parse("POST 'https://shop.example.com/a/b?x=1&y=2' -H 'X-User: alice' -H host:override");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.port()).isEqualTo(443);
        assertThat(r.authority()).isEqualTo("override");
        assertThat(r.header("x-user")).isEqualTo("alice");
        assertThat(r.queryParams()).containsEntry("x", "1").containsEntry("y", "2");
        assertThatThrownBy(() -> SimRequest.parse("GET ftp://x/")).hasMessageContaining("scheme");
        assertThatThrownBy(() -> SimRequest.parse("GET")).hasMessageContaining("no URL");
    }
}
