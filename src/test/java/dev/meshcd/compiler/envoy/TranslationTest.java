package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TranslationTest {
    private static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
    private static final String CART = "spiffe://cluster.local/ns/shop/sa/cart";
    private static final String GATEWAY = "spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";

    @Test
    void peerAuthenticationDecidesTheInboundFilterChains() {
        assertThat(Rbac.inboundModes(EnvoyFixture.proxy("shop/payments"))).isEqualTo(Map.of(8080, "STRICT"));
        // frontend: namespace STRICT, but its workload policy makes port 8080 PERMISSIVE
        assertThat(Rbac.inboundModes(EnvoyFixture.proxy("shop/frontend"))).isEqualTo(Map.of(8080, "PERMISSIVE"));
        assertThat(Rbac.inboundModes(EnvoyFixture.proxy("tools/debug"))).isEqualTo(Map.of(8080, "PERMISSIVE"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(textBlock = """
            frontend, GET,    /pay/1,  true
            frontend, GET,    /admin,  true
            frontend, DELETE, /pay/1,  false
            cart,     POST,   /pay,    true
            cart,     GET,    /admin,  false
            gateway,  GET,    /status, true
            gateway,  POST,   /pay,    false
            plain,    GET,    /status, false
            """)
    void authorizationPolicyBecomesRbacFilters(String who, String method, String path, boolean allowed) {
        List<RBAC> filters = Rbac.inboundFilters(EnvoyFixture.proxy("shop/payments"));
        assertThat(filters).extracting(RBAC::getAction).containsExactly(RBAC.Action.DENY, RBAC.Action.ALLOW);
        assertThat(filters.get(1).getPoliciesMap()).containsOnlyKeys("ns[shop]-policy[payments-allow]-rule[0]",
                "ns[shop]-policy[payments-allow]-rule[1]");
        String principal = switch (who) {
            case "frontend" -> FRONTEND;
            case "cart" -> CART;
            case "gateway" -> GATEWAY;
            default -> null;
        };
        assertThat(Rbac.allowed(filters, new Rbac.Request(principal, method, path, 8080))).isEqualTo(allowed);
    }

    @Test
    void destinationRuleTrafficPolicyBecomesClusterSettings() {
        ProxyConfig pc = EnvoyFixture.proxy("shop/frontend");
        Cluster v1 = pc.cluster("outbound|8080|v1|cart.shop.svc.cluster.local").orElseThrow();
        Cluster v2 = pc.cluster("outbound|8080|v2|cart.shop.svc.cluster.local").orElseThrow();
        assertThat(v1.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
        assertThat(v2.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
        var th = v1.getCircuitBreakers().getThresholds(0);
        assertThat(th.getMaxConnections().getValue()).isEqualTo(100);
        assertThat(th.getMaxPendingRequests().getValue()).isEqualTo(10);
        assertThat(th.getMaxRequests().getValue()).isEqualTo(200);
        assertThat(th.getMaxRetries().getValue()).isEqualTo(5);
        assertThat(v1.getConnectTimeout().getSeconds()).isEqualTo(3);
        assertThat(v1.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(5);
        assertThat(v1.getOutlierDetection().getBaseEjectionTime().getSeconds()).isEqualTo(30);
        assertThat(v1.getOutlierDetection().getMaxEjectionPercent().getValue()).isEqualTo(50);
        UpstreamTlsContext tls = ConfigDumps.unpack(v1.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class);
        assertThat(tls.getSni()).isEqualTo("outbound_.8080_.v1_.cart.shop.svc.cluster.local");
        assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("default");
        // no DR: Istio defaults, auto mTLS by transport socket match
        Cluster payments = pc.cluster("outbound|8080||payments.shop.svc.cluster.local").orElseThrow();
        assertThat(payments.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()).isEqualTo(-1);
        assertThat(payments.getTransportSocketMatchesList()).extracting(Cluster.TransportSocketMatch::getName)
                .containsExactly("tlsMode-istio", "tlsMode-disabled");
        Cluster stripe = pc.cluster("outbound|443||api.stripe.com").orElseThrow();
        assertThat(stripe.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
        assertThat(pc.clusters()).extracting(Cluster::getName).contains("inbound|8080||", "PassthroughCluster",
                "BlackHoleCluster", "InboundPassthroughCluster");
    }

    @Test
    void sidecarEgressHostsScopeWhatAProxySees() {
        assertThat(EnvoyFixture.proxy("shop/frontend").cluster("outbound|8080||debug.tools.svc.cluster.local")).isEmpty();
        assertThat(EnvoyFixture.proxy("tools/debug").cluster("outbound|8080||debug.tools.svc.cluster.local")).isPresent();
        assertThat(EnvoyFixture.proxy("tools/debug").cluster("outbound|8080||cart.shop.svc.cluster.local")).isPresent();
    }

    static CompileResult compile(String... yamls) {
        SourceFile[] files = new SourceFile[yamls.length];
        for (int i = 0; i < yamls.length; i++) {
            files[i] = SourceFile.ofString("f" + i + ".yaml", yamls[i]);
        }
        return StandardStages.compiler(CompileOptions.DEFAULT).compile(SourceTree.of(files), Compiler.Mode.CHECK);
    }

    private static String deployment(String ns, String name) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  selector: {matchLabels: {app: %2$s}}
                  template:
                    metadata: {labels: {app: %2$s}}
                    spec: {containers: [{name: app, image: x}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %2$s, namespace: %1$s%3$s}
                spec: {selector: {app: %2$s}, ports: [{name: http, port: 80}]}
                """.formatted(ns, name, name.equals("private") ? ", annotations: {networking.istio.io/exportTo: \".\"}" : "");
    }

    @Test
    void exportToLimitsServicesAndVirtualServices() {
        CompileResult r = compile(deployment("a", "private"), deployment("a", "web"), deployment("b", "client"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: a}
                spec:
                  hosts: [web]
                  exportTo: ["."]
                  http: [{route: [{destination: {host: web}}], timeout: 7s}]
                """);
        EnvoyTranslator t = new EnvoyTranslator(r.index());
        ProxyConfig client = t.translate(t.proxy("b/client").orElseThrow());
        ProxyConfig web = t.translate(t.proxy("a/web").orElseThrow());
        assertThat(client.cluster("outbound|80||private.a.svc.cluster.local")).isEmpty();
        assertThat(web.cluster("outbound|80||private.a.svc.cluster.local")).isPresent();
        // the VS is exported to its own namespace only: b/client gets the default route, a/web the VS's timeout
        assertThat(Simulator.simulate(client, SimRequest.parse("GET http://web.a/")).timeout()).isEqualTo("0s (disabled)");
        assertThat(Simulator.simulate(web, SimRequest.parse("GET http://web/")).timeout()).isEqualTo("7s");
        assertThat(EnvoyChecks.check(t.translateAll())).isEmpty();
    }

    @Test
    void gatewaysOutsideTheRepoComeAsExternalWorkloads() {
        Workload ingress = new Workload("istio-system", "istio-ingressgateway", "Deployment",
                Map.of("istio", "ingressgateway"), Map.of(), "istio-ingressgateway", null);
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT.withExternalWorkloads(List.of(ingress)))
                .compile(SourceTree.of(SourceFile.ofString("d.yaml", deployment("a", "web")), SourceFile.ofString("g.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: gw, namespace: a}
                        spec:
                          selector: {istio: ingressgateway}
                          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: web, namespace: a}
                        spec:
                          hosts: ["*"]
                          gateways: [gw]
                          http: [{route: [{destination: {host: web}}]}]
                        """)), Compiler.Mode.CHECK);
        EnvoyTranslator t = new EnvoyTranslator(r.index());
        Proxy gw = t.proxy("istio-system/istio-ingressgateway").orElseThrow();
        assertThat(gw.type()).isEqualTo(Proxy.Type.GATEWAY);
        SimResult s = Simulator.simulate(t.translate(gw), SimRequest.parse("GET http://anything.example/x"));
        assertThat(s.routeConfig()).isEqualTo("http.80");
        assertThat(s.clusters()).extracting(SimResult.WeightedTarget::name).containsExactly("outbound|80||web.a.svc.cluster.local");
        assertThat(EnvoyChecks.check(t.translateAll())).isEmpty();
    }

    @Test
    void istioBookinfoSampleTranslatesCleanly() throws Exception {
        Path samples = dev.meshcd.testing.SharedData.istio("samples/bookinfo");
        SourceTree tree = DirectorySource.read(List.of(samples.resolve("platform/kube/bookinfo.yaml"),
                samples.resolve("networking/bookinfo-gateway.yaml"),
                samples.resolve("networking/destination-rule-all-mtls.yaml"),
                samples.resolve("networking/virtual-service-reviews-90-10.yaml")));
        Workload ingress = new Workload("istio-system", "istio-ingressgateway", "Deployment",
                Map.of("istio", "ingressgateway"), Map.of(), "istio-ingressgateway", null);
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT.withExternalWorkloads(List.of(ingress)))
                .compile(tree, Compiler.Mode.CHECK);
        EffectiveMesh mesh = EffectiveMesh.of(r);
        assertThat(mesh.diagnostics()).filteredOn(d -> d.code().startsWith("MCD3")).isEmpty();
        ProxyConfig productpage = mesh.proxies().get("default/productpage-v1");
        SimResult reviews = Simulator.simulate(productpage, SimRequest.parse("GET http://reviews:9080/reviews/0"));
        assertThat(reviews.clusters()).extracting(c -> c.name() + " " + c.weight()).containsExactly(
                "outbound|9080|v1|reviews.default.svc.cluster.local 90", "outbound|9080|v2|reviews.default.svc.cluster.local 10");
        SimResult page = Simulator.simulate(mesh.proxies().get("istio-system/istio-ingressgateway"),
                SimRequest.parse("GET http://bookinfo.example:8080/productpage"));
        assertThat(page.match()).as(page.toText()).isTrue();
        assertThat(page.clusters()).extracting(SimResult.WeightedTarget::name)
                .containsExactly("outbound|9080||productpage.default.svc.cluster.local");
        SimResult other = Simulator.simulate(mesh.proxies().get("istio-system/istio-ingressgateway"),
                SimRequest.parse("GET http://bookinfo.example:8080/admin"));
        assertThat(other.match()).isFalse();
        assertThat(other.reason()).contains("first mismatch: route #0: path /admin is not /productpage");
    }
}
