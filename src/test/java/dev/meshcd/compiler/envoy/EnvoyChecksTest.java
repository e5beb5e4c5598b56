package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvoyChecksTest {

    @Test
    void everyEmittedResourcePassesPgvAndEnvoysCrossChecks() {
        Map<String, ProxyConfig> all = EnvoyFixture.translator().translateAll();
        int resources = 0;
        for (ProxyConfig pc : all.values()) {
            for (Cluster c : pc.clusters()) {
                assertThat(PgvValidator.validate(c)).as("cluster %s", c.getName()).isEmpty();
            }
            for (RouteConfiguration rc : pc.routes()) {
                assertThat(PgvValidator.validate(rc)).as("route config %s", rc.getName()).isEmpty();
            }
            for (Listener l : pc.listeners()) {
                assertThat(PgvValidator.validate(l)).as("listener %s", l.getName()).isEmpty();
            }
            resources += pc.clusters().size() + pc.routes().size() + pc.listeners().size();
        }
        assertThat(resources).isGreaterThan(50);
        assertThat(EnvoyChecks.check(all)).isEmpty();
    }

    @Test
    void rulesAreReadFromTheDescriptors() {
        // Cluster.connect_timeout carries (validate.rules).duration.gt = 0s in cluster.proto
        var f = Cluster.getDescriptor().findFieldByName("connect_timeout");
        assertThat(PgvValidator.rules(f).getDuration().hasGt()).isTrue();
        var weights = WeightedCluster.getDescriptor().findFieldByName("clusters");
        assertThat(PgvValidator.rules(weights).getRepeated().getMinItems()).isEqualTo(1);
    }

    record Broken(String name, UnaryOperator<ProxyConfig> breakIt, String code, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Broken> brokenTranslations() {
        return List.of(
                new Broken("empty cluster name", pc -> withCluster(pc, 3, c -> c.toBuilder().setName("").build()),
                        Codes.ENVOY_PGV_VIOLATION, "name: value must not be empty"),
                new Broken("negative connect timeout", pc -> withCluster(pc, 4,
                        c -> c.toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(-1)).build()),
                        Codes.ENVOY_PGV_VIOLATION, "connect_timeout: value -1s must be greater than 0s"),
                new Broken("undefined lb policy enum", pc -> withCluster(pc, 4,
                        c -> c.toBuilder().setLbPolicyValue(42).build()),
                        Codes.ENVOY_PGV_VIOLATION, "lb_policy: enum value 42 is not defined"),
                new Broken("weighted clusters totalling 0", pc -> withFirstRoute(pc, r -> r.toBuilder().setRoute(
                        RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                                .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("outbound|8080|v1|cart.shop.svc.cluster.local").setWeight(UInt32Value.of(0)))
                                .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("outbound|8080|v2|cart.shop.svc.cluster.local").setWeight(UInt32Value.of(0)))))
                        .build()), Codes.ENVOY_INVALID_CONFIG, "sum of weights in the weighted_cluster must be greater than 0"),
                new Broken("weighted clusters with no cluster", pc -> withFirstRoute(pc, r -> r.toBuilder().setRoute(
                        RouteAction.newBuilder().setWeightedClusters(WeightedCluster.getDefaultInstance())).build()),
                        Codes.ENVOY_PGV_VIOLATION, "weighted_clusters.clusters: must contain at least 1 item(s)"),
                new Broken("route action without cluster specifier", pc -> withFirstRoute(pc, r -> r.toBuilder().setRoute(
                        RouteAction.newBuilder().setTimeout(Duration.getDefaultInstance())).build()),
                        Codes.ENVOY_PGV_VIOLATION, "exactly one of cluster, cluster_header"),
                new Broken("route to a missing cluster", pc -> withFirstRoute(pc, r -> r.toBuilder().setRoute(
                        r.getRoute().toBuilder().setCluster("outbound|8080|v9|cart.shop.svc.cluster.local")).build()),
                        Codes.ENVOY_UNKNOWN_CLUSTER, "cluster \"outbound|8080|v9|cart.shop.svc.cluster.local\" does not exist"),
                new Broken("bad header name in matcher", pc -> withFirstRoute(pc, r -> r.toBuilder().setMatch(
                        r.getMatch().toBuilder().setHeaders(0, r.getMatch().getHeaders(0).toBuilder().setName("x-canary\r\nx-evil"))).build()),
                        Codes.ENVOY_PGV_VIOLATION, "is not a valid http header name"),
                new Broken("duplicate cluster names", pc -> withCluster(pc, 4, c -> c.toBuilder()
                        .setName(pc.clusters().get(5).getName()).build()),
                        Codes.ENVOY_DUPLICATE_NAME, "cluster names must be unique"),
                new Broken("empty HCM stat prefix", pc -> withListener(pc, "0.0.0.0_8080", l -> {
                    var hcm = Walk.hcm(l.getFilterChains(0).getFilters(0)).toBuilder().setStatPrefix("").build();
                    return l.toBuilder().setFilterChains(0, l.getFilterChains(0).toBuilder().setFilters(0,
                            l.getFilterChains(0).getFilters(0).toBuilder().setTypedConfig(Xds.pack(hcm)))).build();
                }), Codes.ENVOY_PGV_VIOLATION, "stat_prefix: value must not be empty"),
                new Broken("duplicate domains", pc -> withRouteConfig(pc, "8080", rc -> rc.toBuilder().setVirtualHosts(1,
                        rc.getVirtualHosts(1).toBuilder().addDomains("cart")).build()),
                        Codes.ENVOY_INVALID_CONFIG, "domain \"cart\" of virtual host"));
    }

    @ParameterizedTest
    @MethodSource("brokenTranslations")
    void brokenTranslationsAreCaught(Broken b) {
        ProxyConfig broken = b.breakIt().apply(EnvoyFixture.proxy("shop/frontend"));
        List<Diagnostic> ds = EnvoyChecks.check(broken);
        assertThat(ds).as(b.name()).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo(b.code());
            assertThat(d.isError()).isTrue();
            assertThat(d.message()).contains(b.messagePart()).contains("shop/frontend");
        });
    }

    @Test
    void aBrokenRouteIsReportedAgainstTheVirtualServiceThatProducedIt() {
        ProxyConfig broken = withFirstRoute(EnvoyFixture.proxy("shop/frontend"), r -> r.toBuilder().setRoute(
                RouteAction.newBuilder().setWeightedClusters(WeightedCluster.getDefaultInstance())).build());
        Diagnostic d = EnvoyChecks.check(broken).get(0);
        assertThat(d.resource()).isEqualTo("VirtualService shop/cart");
        assertThat(d.path()).isEqualTo("spec.http[0].match[0]");
        assertThat(d.location().file()).endsWith("cart-routing.yaml");
        assertThat(d.location().line()).isGreaterThan(40);
    }

    @Test
    void aVirtualServiceWhoseWeightsAreAllZeroFailsTheEnvoyChecksOfEveryProxyThatSeesIt() throws Exception {
        String yaml = Files.readString(EnvoyFixture.MESH.resolve("cart-routing.yaml"))
                .replace("weight: 90", "weight: 0").replace("weight: 10", "weight: 0");
        List<SourceFile> files = new ArrayList<>();
        try (var s = Files.list(EnvoyFixture.MESH)) {
            for (var p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                files.add(name.equals("cart-routing.yaml") ? SourceFile.ofString(name, yaml)
                        : new SourceFile(name, Files.readAllBytes(p)));
            }
        }
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT).compile(new SourceTree(files), Compiler.Mode.CHECK);
        List<Diagnostic> ds = EnvoyChecks.check(new EnvoyTranslator(r.index()).translateAll());
        assertThat(ds).anySatisfy(d -> {
            assertThat(d.code()).isEqualTo(Codes.ENVOY_PGV_VIOLATION);
            assertThat(d.resource()).isEqualTo("VirtualService shop/cart");
            assertThat(d.path()).isEqualTo("spec.http[1]");
            assertThat(d.location().file()).isEqualTo("cart-routing.yaml");
            assertThat(d.message()).contains("weighted_clusters.clusters: must contain at least 1 item(s)")
                    .contains("proxies");
        });
    }

    private static ProxyConfig withCluster(ProxyConfig pc, int index, UnaryOperator<Cluster> f) {
        List<Cluster> cs = new ArrayList<>(pc.clusters());
        cs.set(index, f.apply(cs.get(index)));
        return new ProxyConfig(pc.proxy(), pc.listeners(), pc.routes(), cs, pc.provenance());
    }

    private static ProxyConfig withRouteConfig(ProxyConfig pc, String name, UnaryOperator<RouteConfiguration> f) {
        List<RouteConfiguration> rcs = new ArrayList<>();
        for (RouteConfiguration rc : pc.routes()) {
            rcs.add(rc.getName().equals(name) ? f.apply(rc) : rc);
        }
        return new ProxyConfig(pc.proxy(), pc.listeners(), rcs, pc.clusters(), pc.provenance());
    }

    /** Replaces the first route of the cart virtual host on route configuration 8080. */
    private static ProxyConfig withFirstRoute(ProxyConfig pc, UnaryOperator<Route> f) {
        return withRouteConfig(pc, "8080", rc -> {
            VirtualHost vh = rc.getVirtualHosts(0);
            assertThat(vh.getName()).startsWith("cart.");
            return rc.toBuilder().setVirtualHosts(0, vh.toBuilder().setRoutes(0, f.apply(vh.getRoutes(0)))).build();
        });
    }

    private static ProxyConfig withListener(ProxyConfig pc, String name, UnaryOperator<Listener> f) {
        List<Listener> ls = new ArrayList<>();
        for (Listener l : pc.listeners()) {
            ls.add(l.getName().equals(name) ? f.apply(l) : l);
        }
        return new ProxyConfig(pc.proxy(), ls, pc.routes(), pc.clusters(), pc.provenance());
    }

}
