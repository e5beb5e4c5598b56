package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks translated proxy configurations the way Envoy would on load: every resource against the
 * protoc-gen-validate rules of its proto ({@link PgvValidator}, code MCD3001), then the
 * cross-resource rules Envoy enforces: routes only to clusters the proxy has (MCD3002), unique
 * listener / cluster / route configuration names (MCD3003), weighted clusters with a positive
 * total, unique virtual host domains within a route configuration, RDS names that exist (MCD3004).
 * Each finding is an error reported against the Istio resource that produced the element.
 */
public final class EnvoyChecks {
    private static final Pattern VH_ROUTE = Pattern.compile("^virtual_hosts\\[(\\d+)](?:\\.routes\\[(\\d+)])?");
    private static final Pattern CHAIN = Pattern.compile("^filter_chains\\[(\\d+)]");
    private static final Pattern POLICY = Pattern.compile("policies\\[(ns\\[[^]]*]-policy\\[[^]]*])");

    private EnvoyChecks() {
    }

    /** Checks every proxy; identical findings of proxies that share configuration are reported once. */
    public static List<Diagnostic> check(Map<String, ProxyConfig> proxies) {
        Map<String, Finding> unique = new LinkedHashMap<>();
        for (ProxyConfig pc : proxies.values()) {
            for (Finding f : findings(pc)) {
                Finding prev = unique.putIfAbsent(f.dedupeKey(), f);
                if (prev != null) {
                    prev.proxies.add(pc.proxy().id());
                }
            }
        }
        List<Diagnostic> out = new ArrayList<>();
        for (Finding f : unique.values()) {
            out.add(f.toDiagnostic());
        }
        return out;
    }

    public static List<Diagnostic> check(ProxyConfig pc) {
        return check(Map.of(pc.proxy().id(), pc));
    }

    private static final class Finding {
        final String code;
        final String what;
        final String message;
        final Provenance.Source source;
        final Resource fallback;
        final Set<String> proxies = new java.util.TreeSet<>();

        Finding(String code, String what, String message, Provenance.Source source, ProxyConfig pc) {
            this.code = code;
            this.what = what;
            this.message = message;
            this.source = source;
            this.fallback = pc.proxy().workload().resource();
            proxies.add(pc.proxy().id());
        }

        String dedupeKey() {
            return code + "|" + what + "|" + message + "|" + (source == null ? "" : source.resource().key() + "|" + source.path());
        }

        Diagnostic toDiagnostic() {
            String who = proxies.size() == 1 ? "proxy " + proxies.iterator().next()
                    : proxies.size() + " proxies (" + proxies.iterator().next() + ", ...)";
            String text = what + " for " + who + ": " + message;
            Resource r = source != null ? source.resource() : fallback;
            FieldPath path = source != null ? source.path() : FieldPath.ROOT;
            if (r == null) {
                return new Diagnostic(Severity.ERROR, code, text, null, null, "");
            }
            return r.diagnostic(Severity.ERROR, code, path, text);
        }
    }

    static List<Finding> findings(ProxyConfig pc) {
        List<Finding> out = new ArrayList<>();
        Provenance prov = pc.provenance();
        Set<String> clusterNames = new HashSet<>();
        for (Cluster c : pc.clusters()) {
            Provenance.Source src = prov.get(Provenance.cluster(c.getName())).orElse(null);
            for (PgvValidator.Violation v : PgvValidator.validate(c)) {
                out.add(new Finding(Codes.ENVOY_PGV_VIOLATION, "Envoy would reject cluster \"" + c.getName() + "\"",
                        v.path() + ": " + v.message(), src, pc));
            }
            if (!clusterNames.add(c.getName())) {
                out.add(new Finding(Codes.ENVOY_DUPLICATE_NAME, "duplicate cluster \"" + c.getName() + "\"",
                        "cluster names must be unique", src, pc));
            }
        }
        Set<String> routeNames = new HashSet<>();
        for (RouteConfiguration rc : pc.routes()) {
            for (PgvValidator.Violation v : PgvValidator.validate(rc)) {
                out.add(new Finding(Codes.ENVOY_PGV_VIOLATION, "Envoy would reject route configuration \"" + rc.getName() + "\"",
                        v.path() + ": " + v.message(), routeSource(prov, rc, v.path()), pc));
            }
            if (!routeNames.add(rc.getName())) {
                out.add(new Finding(Codes.ENVOY_DUPLICATE_NAME, "duplicate route configuration \"" + rc.getName() + "\"",
                        "route configuration names must be unique", prov.get(Provenance.routeConfig(rc.getName())).orElse(null), pc));
            }
            routeConfigChecks(rc, rc.getName(), clusterNames, prov, pc, out);
        }
        Set<String> listenerNames = new HashSet<>();
        for (Listener l : pc.listeners()) {
            for (PgvValidator.Violation v : PgvValidator.validate(l)) {
                out.add(new Finding(Codes.ENVOY_PGV_VIOLATION, "Envoy would reject listener \"" + l.getName() + "\"",
                        v.path() + ": " + v.message(), listenerSource(prov, l, v.path()), pc));
            }
            if (!listenerNames.add(l.getName())) {
                out.add(new Finding(Codes.ENVOY_DUPLICATE_NAME, "duplicate listener \"" + l.getName() + "\"",
                        "listener names must be unique", prov.get(Provenance.listener(l.getName())).orElse(null), pc));
            }
            for (FilterChain fc : l.getFilterChainsList()) {
                for (Filter f : fc.getFiltersList()) {
                    HttpConnectionManager hcm = Walk.hcm(f);
                    if (hcm != null && hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
                        out.add(new Finding(Codes.ENVOY_INVALID_CONFIG, "listener \"" + l.getName() + "\"",
                                "RDS route configuration \"" + hcm.getRds().getRouteConfigName() + "\" does not exist",
                                prov.get(Provenance.listener(l.getName())).orElse(null), pc));
                    }
                    if (hcm != null && hcm.hasRouteConfig()) {
                        routeConfigChecks(hcm.getRouteConfig(), hcm.getRouteConfig().getName(), clusterNames, prov, pc, out);
                    }
                    TcpProxy tcp = Walk.tcpProxy(f);
                    if (tcp != null && tcp.hasCluster() && !clusterNames.contains(tcp.getCluster())) {
                        out.add(new Finding(Codes.ENVOY_UNKNOWN_CLUSTER, "listener \"" + l.getName() + "\"",
                                "TCP proxy to unknown cluster \"" + tcp.getCluster() + "\"",
                                prov.get(Provenance.listener(l.getName())).orElse(null), pc));
                    }
                }
            }
        }
        return out;
    }

    private static void routeConfigChecks(RouteConfiguration rc, String rcName, Set<String> clusters, Provenance prov,
                                          ProxyConfig pc, List<Finding> out) {
        Map<String, String> domains = new TreeMap<>();
        for (VirtualHost vh : rc.getVirtualHostsList()) {
            for (String d : vh.getDomainsList()) {
                String prev = domains.putIfAbsent(d.toLowerCase(java.util.Locale.ROOT), vh.getName());
                if (prev != null) {
                    out.add(new Finding(Codes.ENVOY_INVALID_CONFIG, "route configuration \"" + rcName + "\"",
                            "domain \"" + d + "\" of virtual host \"" + vh.getName() + "\" is also in \"" + prev
                                    + "\" (Envoy permits each domain once)",
                            prov.nearest(Provenance.vhost(rcName, vh.getName()), Provenance.routeConfig(rcName)).orElse(null), pc));
                }
            }
            for (int i = 0; i < vh.getRoutesCount(); i++) {
                Route r = vh.getRoutes(i);
                Provenance.Source src = prov.nearest(Provenance.route(rcName, vh.getName(), i),
                        Provenance.vhost(rcName, vh.getName()), Provenance.routeConfig(rcName)).orElse(null);
                String where = "route " + (r.getName().isEmpty() ? "#" + i : "\"" + r.getName() + "\"") + " of "
                        + vh.getName() + " in route configuration \"" + rcName + "\"";
                if (!r.hasRoute()) {
                    continue;
                }
                RouteAction a = r.getRoute();
                List<String> targets = new ArrayList<>();
                if (a.hasCluster()) {
                    targets.add(a.getCluster());
                }
                if (a.hasWeightedClusters()) {
                    long total = 0;
                    for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
                        targets.add(cw.getName());
                        total += Integer.toUnsignedLong(cw.getWeight().getValue());
                    }
                    if (total == 0) {
                        out.add(new Finding(Codes.ENVOY_INVALID_CONFIG, where,
                                "sum of weights in the weighted_cluster must be greater than 0", src, pc));
                    } else if (total > 4294967295L) {
                        out.add(new Finding(Codes.ENVOY_INVALID_CONFIG, where,
                                "sum of weights in the weighted_cluster must not exceed 4294967295", src, pc));
                    }
                }
                a.getRequestMirrorPoliciesList().forEach(m -> targets.add(m.getCluster()));
                if (prov.get(Provenance.nonServiceVhost(rcName, vh.getName())).isPresent()) {
                    continue; // istiod's port-80 virtual host for a non-service host: not where the user sends traffic
                }
                for (String t : targets) {
                    if (!t.isEmpty() && !clusters.contains(t)) {
                        out.add(new Finding(Codes.ENVOY_UNKNOWN_CLUSTER, where,
                                "cluster \"" + t + "\" does not exist on this proxy (Envoy answers 503 NC)", src, pc));
                    }
                }
            }
        }
    }

    private static Provenance.Source routeSource(Provenance prov, RouteConfiguration rc, String path) {
        Matcher m = VH_ROUTE.matcher(path);
        if (m.find()) {
            VirtualHost vh = rc.getVirtualHosts(Integer.parseInt(m.group(1)));
            List<String> keys = new ArrayList<>();
            if (m.group(2) != null) {
                keys.add(Provenance.route(rc.getName(), vh.getName(), Integer.parseInt(m.group(2))));
            }
            keys.add(Provenance.vhost(rc.getName(), vh.getName()));
            keys.add(Provenance.routeConfig(rc.getName()));
            return prov.nearest(keys.toArray(String[]::new)).orElse(null);
        }
        return prov.get(Provenance.routeConfig(rc.getName())).orElse(null);
    }

    private static Provenance.Source listenerSource(Provenance prov, Listener l, String path) {
        Matcher pm = POLICY.matcher(path);
        if (pm.find()) {
            Provenance.Source s = prov.get("policy/" + pm.group(1)).orElse(null);
            if (s != null) {
                return s;
            }
        }
        Matcher m = CHAIN.matcher(path);
        if (m.find()) {
            FilterChain fc = l.getFilterChains(Integer.parseInt(m.group(1)));
            String name = fc.getName().replace("_plaintext", "");
            Provenance.Source s = prov.get("filterchain/" + l.getName() + "/" + name).orElse(null);
            if (s != null) {
                return s;
            }
        }
        return prov.get(Provenance.listener(l.getName())).orElse(null);
    }

}
