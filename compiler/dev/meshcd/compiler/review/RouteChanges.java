package dev.meshcd.compiler.review;

import dev.meshcd.compiler.envoy.ProxyConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the routes whose targets or weights differ between two translations of the same proxies, and groups the
 * callers that see the same change (a VirtualService's split changes the route of every sidecar that sees it).
 */
final class RouteChanges {
    private RouteChanges() {
    }

    private record Change(String host, String route, List<RouteChange.Target> before, List<RouteChange.Target> after) {
    }

    static List<RouteChange> between(Map<String, ProxyConfig> base, Map<String, ProxyConfig> head) {
        Map<Change, List<String>> callers = new LinkedHashMap<>();
        for (Map.Entry<String, ProxyConfig> e : new TreeMap<>(head).entrySet()) {
            ProxyConfig b = base.get(e.getKey());
            if (b == null) {
                continue; // a new proxy: all its routes are new, which the words say; the graph shows changes
            }
            Map<String, Map<String, Route>> rb = routes(b);
            Map<String, Map<String, Route>> rh = routes(e.getValue());
            Set<String> hosts = new java.util.TreeSet<>(rb.keySet());
            hosts.addAll(rh.keySet());
            for (String host : hosts) {
                Map<String, Route> xb = rb.getOrDefault(host, Map.of());
                Map<String, Route> xh = rh.getOrDefault(host, Map.of());
                Set<String> names = new java.util.LinkedHashSet<>(xb.keySet());
                names.addAll(xh.keySet());
                for (String name : names) {
                    List<RouteChange.Target> before = targets(xb.get(name));
                    List<RouteChange.Target> after = targets(xh.get(name));
                    if (!before.equals(after)) {
                        callers.computeIfAbsent(new Change(shortHost(host), name, before, after), k -> new ArrayList<>())
                                .add(e.getKey());
                    }
                }
            }
        }
        List<RouteChange> out = new ArrayList<>();
        callers.forEach((c, ids) -> out.add(new RouteChange(ids, c.host(), c.route(), c.before(), c.after())));
        return out;
    }

    /** Virtual host name to route key to route; keys as MeshDiff makes them (the name, or #index). */
    private static Map<String, Map<String, Route>> routes(ProxyConfig pc) {
        Map<String, Map<String, Route>> out = new TreeMap<>();
        for (RouteConfiguration rc : pc.routes()) {
            for (VirtualHost vh : rc.getVirtualHostsList()) {
                if (vh.getName().equals("allow_any") || vh.getName().equals("block_all")) {
                    continue;
                }
                Map<String, Route> rs = out.computeIfAbsent(vh.getName(), k -> new LinkedHashMap<>());
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < vh.getRoutesCount(); i++) {
                    Route r = vh.getRoutes(i);
                    String key = r.getName().isEmpty() ? "#" + i : r.getName();
                    if (!seen.add(key)) {
                        key = key + "#" + i;
                    }
                    rs.put(key, r);
                }
            }
        }
        return out;
    }

    private static List<RouteChange.Target> targets(Route r) {
        if (r == null) {
            return List.of();
        }
        if (r.hasRedirect()) {
            return List.of(new RouteChange.Target("redirect " + r.getRedirect().getPathRedirect(), 100));
        }
        if (r.hasDirectResponse()) {
            return List.of(new RouteChange.Target("direct response " + r.getDirectResponse().getStatus(), 100));
        }
        if (!r.hasRoute()) {
            return List.of(new RouteChange.Target("no action", 100));
        }
        RouteAction a = r.getRoute();
        if (a.hasCluster()) {
            return List.of(new RouteChange.Target(clusterLabel(a.getCluster()), 100));
        }
        if (!a.hasWeightedClusters()) {
            return List.of(new RouteChange.Target("no cluster", 100));
        }
        long total = 0;
        for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
            total += cw.getWeight().getValue();
        }
        List<RouteChange.Target> out = new ArrayList<>();
        for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
            int pct = total == 0 ? 0 : (int) Math.round(cw.getWeight().getValue() * 100.0 / total);
            out.add(new RouteChange.Target(clusterLabel(cw.getName()), pct));
        }
        return out;
    }

    /** "cart v1" for outbound|8080|v1|cart.shop.svc.cluster.local; other clusters by their name. */
    static String clusterLabel(String cluster) {
        String[] p = cluster.split("\\|", -1);
        if (p.length != 4 || !p[0].equals("outbound")) {
            return cluster;
        }
        return shortHost(p[3]) + (p[2].isEmpty() ? "" : " " + p[2]) + " :" + p[1];
    }

    /** "cart.shop:8080" for cart.shop.svc.cluster.local:8080; other hosts as they are. */
    static String shortHost(String host) {
        int svc = host.indexOf(".svc.");
        if (svc < 0) {
            return host;
        }
        int colon = host.lastIndexOf(':');
        return host.substring(0, svc) + (colon > svc ? host.substring(colon) : "");
    }
}
