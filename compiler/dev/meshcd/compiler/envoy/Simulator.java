package dev.meshcd.compiler.envoy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Walks a request through a proxy's translated Envoy configuration (the protos, not the Istio
 * YAML), choosing as Envoy does: the listener for the destination port (outbound traffic of a
 * sidecar is captured by {@code virtualOutbound} and handed to the listener of its original
 * destination port), the filter chain by destination port / SNI / transport protocol, the route
 * configuration named by RDS, the virtual host by domain (exact, then longest suffix wildcard
 * {@code *.x}, then longest prefix wildcard {@code x.*}, then {@code *}), then the first route whose
 * path, headers and query parameters match.
 */
public final class Simulator {
    private static final Map<String, Pattern> REGEX = new ConcurrentHashMap<>();

    private Simulator() {
    }

    /**
     * Simulates in {@code pc}, then, when the request reaches service clusters, evaluates the inbound
     * RBAC filters of every sidecar serving those hosts against the caller's SPIFFE identity (subsets
     * are not narrowed down: every workload of the host is listed).
     */
    public static SimResult simulate(java.util.Map<String, ProxyConfig> mesh, ProxyConfig pc, SimRequest req) {
        SimResult r = simulate(pc, req);
        if (!r.match() || r.clusters() == null) {
            return r;
        }
        List<String> verdicts = new ArrayList<>();
        String principal = pc.proxy().principal(EnvoyTranslator.TRUST_DOMAIN);
        java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
        for (SimResult.WeightedTarget t : r.clusters()) {
            String[] parts = Clusters.parseOutbound(t.name());
            if (parts != null) {
                hosts.add(parts[3]);
            }
        }
        for (ProxyConfig dest : mesh.values()) {
            if (dest.proxy().type() != Proxy.Type.SIDECAR) {
                continue;
            }
            int port = inboundPort(dest, hosts);
            if (port < 0) {
                continue;
            }
            List<io.envoyproxy.envoy.config.rbac.v3.RBAC> filters = Rbac.inboundFilters(dest);
            if (filters.isEmpty()) {
                continue;
            }
            Rbac.Request rr = new Rbac.Request(principal, req.method(), req.path(), port);
            if (Rbac.allowed(filters, rr)) {
                verdicts.add(dest.proxy().id() + ": allowed");
            } else {
                String by = Rbac.decidingPolicy(filters, rr);
                verdicts.add(dest.proxy().id() + ": denied " + (by == null ? "(no ALLOW policy matches)" : "by " + by));
            }
        }
        return verdicts.isEmpty() ? r : r.withAuthz(verdicts);
    }

    private static int inboundPort(ProxyConfig dest, java.util.Set<String> hosts) {
        for (io.envoyproxy.envoy.config.cluster.v3.Cluster c : dest.clusters()) {
            if (!c.getName().startsWith("inbound|")) {
                continue;
            }
            var services = c.getMetadata().getFilterMetadataMap().get("istio");
            if (services == null || !services.containsFields("services")) {
                continue;
            }
            for (var v : services.getFieldsOrThrow("services").getListValue().getValuesList()) {
                if (hosts.contains(v.getStringValue())) {
                    return Integer.parseInt(c.getName().split("\\|")[1]);
                }
            }
        }
        return -1;
    }

    public static SimResult simulate(ProxyConfig pc, SimRequest req) {
        String proxy = pc.proxy().id();
        boolean sidecar = pc.proxy().type() == Proxy.Type.SIDECAR;
        Listener listener = null;
        int port = sidecar ? req.port() : gatewayListenerPort(pc, req.port());
        for (Listener l : pc.listeners()) {
            if (l.getName().equals("virtualInbound") || l.getName().equals("virtualOutbound")) {
                continue;
            }
            if (l.getAddress().getSocketAddress().getPortValue() == port
                    && (listener == null || l.getName().startsWith("0.0.0.0_"))) {
                listener = l;
            }
        }
        if (listener == null) {
            if (sidecar) {
                Listener vo = pc.listener("virtualOutbound").orElse(null);
                if (vo != null && vo.getFilterChainsCount() > 0) {
                    TcpProxy tcp = Walk.tcpProxy(vo.getFilterChains(0).getFilters(0));
                    String cluster = tcp == null ? null : tcp.getCluster();
                    boolean blocked = Xds.BLACKHOLE.equals(cluster);
                    return new SimResult(!blocked, proxy, vo.getName(), vo.getFilterChains(0).getName(), null, null, null,
                            cluster == null ? null : List.of(new SimResult.WeightedTarget(cluster, 100)), null, null,
                            blocked ? "blocked" : "passthrough", null, null, null,
                            "no listener for port " + req.port() + (blocked
                                    ? "; outboundTrafficPolicy REGISTRY_ONLY sends it to the BlackHoleCluster"
                                    : "; virtualOutbound passes it through to the original destination"), null, null);
                }
            }
            return noMatch(proxy, null, null, null, null, "no listener on port " + req.port(), null);
        }
        FilterChain chain = chooseChain(listener, req);
        if (chain == null) {
            return noMatch(proxy, listener.getName(), null, null, null, "no filter chain of listener "
                    + listener.getName() + " matches " + (req.scheme().equals("https") ? "SNI " + req.host() : "plain text"),
                    null);
        }
        String chainName = chain.getName().isEmpty() ? null : chain.getName();
        for (Filter f : chain.getFiltersList()) {
            TcpProxy tcp = Walk.tcpProxy(f);
            if (tcp != null) {
                return new SimResult(true, proxy, listener.getName(), chainName, null, null, null,
                        List.of(new SimResult.WeightedTarget(tcp.getCluster(), 100)), null, null, "tcp_proxy", null, null,
                        null, "TCP listener: no HTTP routing", null, null);
            }
            HttpConnectionManager hcm = Walk.hcm(f);
            if (hcm == null) {
                continue;
            }
            RouteConfiguration rc;
            if (hcm.hasRds()) {
                String name = hcm.getRds().getRouteConfigName();
                rc = pc.routeConfig(name).orElse(null);
                if (rc == null) {
                    return noMatch(proxy, listener.getName(), chainName, name, null,
                            "route configuration " + name + " does not exist", null);
                }
            } else {
                rc = hcm.getRouteConfig();
            }
            return routeRequest(proxy, listener.getName(), chainName, rc, req);
        }
        return noMatch(proxy, listener.getName(), chainName, null, null, "filter chain has no HTTP or TCP proxy", null);
    }

    /** The pod port a gateway's Service maps a called port to (its listeners bind target ports), else the port. */
    private static int gatewayListenerPort(ProxyConfig pc, int port) {
        String prefix = "serviceport/" + port + "/";
        for (String k : pc.provenance().all().keySet()) {
            if (k.startsWith(prefix)) {
                return Integer.parseInt(k.substring(prefix.length()));
            }
        }
        return port;
    }

    private static SimResult noMatch(String proxy, String listener, String chain, String rc, String vh, String reason,
                                     List<String> mismatches) {
        return new SimResult(false, proxy, listener, chain, rc, vh, null, null, null, null, null, null, null, null, reason,
                mismatches, null);
    }

    static FilterChain chooseChain(Listener l, SimRequest req) {
        boolean tls = req.scheme().equals("https");
        FilterChain best = null;
        int bestScore = -1;
        for (FilterChain fc : l.getFilterChainsList()) {
            FilterChainMatch m = fc.getFilterChainMatch();
            int score = 0;
            if (m.hasDestinationPort()) {
                if (m.getDestinationPort().getValue() != req.port()) {
                    continue;
                }
                score += 100;
            }
            if (m.getServerNamesCount() > 0) {
                if (!tls) {
                    continue;
                }
                int s = -1;
                for (String sn : m.getServerNamesList()) {
                    if (sn.equalsIgnoreCase(req.host())) {
                        s = Math.max(s, 20);
                    } else if (sn.startsWith("*.") && req.host().endsWith(sn.substring(1))) {
                        s = Math.max(s, 10);
                    }
                }
                if (s < 0) {
                    continue;
                }
                score += s;
            }
            if (!m.getTransportProtocol().isEmpty()) {
                if (m.getTransportProtocol().equals("tls") != tls) {
                    continue;
                }
                score += 1;
            }
            if (score > bestScore) {
                best = fc;
                bestScore = score;
            }
        }
        return best;
    }

    static String withoutPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(']') < colon ? authority.substring(0, colon) : authority;
    }

    /** Envoy's virtual host selection. */
    static VirtualHost chooseVirtualHost(RouteConfiguration rc, String authority) {
        String host = authority.toLowerCase(Locale.ROOT);
        VirtualHost suffixBest = null;
        int suffixLen = -1;
        VirtualHost prefixBest = null;
        int prefixLen = -1;
        VirtualHost any = null;
        for (VirtualHost vh : rc.getVirtualHostsList()) {
            for (String d : vh.getDomainsList()) {
                String dl = d.toLowerCase(Locale.ROOT);
                if (dl.equals(host)) {
                    return vh;
                }
                if (dl.equals("*")) {
                    if (any == null) {
                        any = vh;
                    }
                } else if (dl.startsWith("*")) {
                    String suffix = dl.substring(1);
                    if (host.length() > suffix.length() && host.endsWith(suffix) && suffix.length() > suffixLen) {
                        suffixBest = vh;
                        suffixLen = suffix.length();
                    }
                } else if (dl.endsWith("*")) {
                    String prefix = dl.substring(0, dl.length() - 1);
                    if (host.length() > prefix.length() && host.startsWith(prefix) && prefix.length() > prefixLen) {
                        prefixBest = vh;
                        prefixLen = prefix.length();
                    }
                }
            }
        }
        return suffixBest != null ? suffixBest : prefixBest != null ? prefixBest : any;
    }

    private static SimResult routeRequest(String proxy, String listener, String chain, RouteConfiguration rc,
                                          SimRequest req) {
        // istiod's route configurations ignore the port in :authority (ignore_port_in_host_matching)
        VirtualHost vh = chooseVirtualHost(rc, rc.getIgnorePortInHostMatching() ? withoutPort(req.authority())
                : req.authority());
        if (vh == null) {
            return noMatch(proxy, listener, chain, rc.getName(), null,
                    "no virtual host of route configuration " + rc.getName() + " has a domain matching \""
                            + req.authority() + "\"", null);
        }
        if (vh.getRequireTls() != VirtualHost.TlsRequirementType.NONE && !req.scheme().equals("https")) {
            return new SimResult(true, proxy, listener, chain, rc.getName(), vh.getName(), null, null, null, null,
                    "redirect 301 to https", null, null, null, "virtual host requires TLS", null, null);
        }
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < vh.getRoutesCount(); i++) {
            Route r = vh.getRoutes(i);
            String why = mismatch(r.getMatch(), req);
            String label = r.getName().isEmpty() ? "#" + i : r.getName();
            if (why != null) {
                mismatches.add("route " + label + ": " + why);
                continue;
            }
            return matched(proxy, listener, chain, rc, vh, r, label);
        }
        return noMatch(proxy, listener, chain, rc.getName(), vh.getName(),
                mismatches.isEmpty() ? "virtual host " + vh.getName() + " has no routes"
                        : "no route of virtual host " + vh.getName() + " matches; first mismatch: " + mismatches.get(0),
                mismatches);
    }

    private static SimResult matched(String proxy, String listener, String chain, RouteConfiguration rc, VirtualHost vh,
                                     Route r, String label) {
        List<SimResult.WeightedTarget> targets = null;
        String timeout = null;
        SimResult.Retry retry = null;
        String action;
        String rewrite = null;
        List<String> mirrors = new ArrayList<>();
        if (r.hasRoute()) {
            RouteAction a = r.getRoute();
            action = "route";
            targets = new ArrayList<>();
            if (a.hasCluster()) {
                targets.add(new SimResult.WeightedTarget(a.getCluster(), 100));
            } else if (a.hasWeightedClusters()) {
                for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
                    targets.add(new SimResult.WeightedTarget(cw.getName(), cw.getWeight().getValue()));
                }
            }
            timeout = a.hasTimeout() ? (a.getTimeout().getSeconds() == 0 && a.getTimeout().getNanos() == 0
                    ? "0s (disabled)" : Xds.format(a.getTimeout())) : "15s (Envoy default)";
            if (a.hasRetryPolicy()) {
                var rp = a.getRetryPolicy();
                String on = rp.getRetryOn();
                if (rp.getRetriableStatusCodesCount() > 0) {
                    on += " " + rp.getRetriableStatusCodesList();
                }
                retry = new SimResult.Retry(rp.hasNumRetries() ? rp.getNumRetries().getValue() : 1, on,
                        rp.hasPerTryTimeout() ? Xds.format(rp.getPerTryTimeout()) : null);
            }
            if (!a.getPrefixRewrite().isEmpty()) {
                rewrite = "prefix " + a.getPrefixRewrite();
            } else if (a.hasRegexRewrite()) {
                rewrite = "regex " + a.getRegexRewrite().getPattern().getRegex() + " -> " + a.getRegexRewrite().getSubstitution();
            }
            if (!a.getHostRewriteLiteral().isEmpty()) {
                rewrite = (rewrite == null ? "" : rewrite + ", ") + "authority " + a.getHostRewriteLiteral();
            }
            for (RouteAction.RequestMirrorPolicy m : a.getRequestMirrorPoliciesList()) {
                double pct = m.getRuntimeFraction().getDefaultValue().getNumerator() / 10000.0;
                mirrors.add(m.getCluster() + " (" + trim(pct) + "%)");
            }
        } else if (r.hasRedirect()) {
            var rd = r.getRedirect();
            int code = switch (rd.getResponseCode()) {
                case FOUND -> 302;
                case SEE_OTHER -> 303;
                case TEMPORARY_REDIRECT -> 307;
                case PERMANENT_REDIRECT -> 308;
                default -> 301;
            };
            action = "redirect " + code + (rd.getHostRedirect().isEmpty() ? "" : " host " + rd.getHostRedirect())
                    + (rd.getPathRedirect().isEmpty() ? "" : " path " + rd.getPathRedirect());
        } else if (r.hasDirectResponse()) {
            action = "direct response " + r.getDirectResponse().getStatus()
                    + (r.getDirectResponse().hasBody() ? " \"" + r.getDirectResponse().getBody().getInlineString() + "\"" : "");
        } else {
            action = "none";
        }
        String fault = null;
        Any fa = r.getTypedPerFilterConfigMap().get(Routes.FAULT_FILTER);
        if (fa != null) {
            HTTPFault hf = ConfigDumps.unpack(fa, HTTPFault.class);
            List<String> parts = new ArrayList<>();
            if (hf.hasDelay()) {
                parts.add("delay " + Xds.format(hf.getDelay().getFixedDelay()) + " for "
                        + trim(hf.getDelay().getPercentage().getNumerator() / 10000.0) + "%");
            }
            if (hf.hasAbort()) {
                parts.add("abort " + (hf.getAbort().hasGrpcStatus() ? "grpc " + hf.getAbort().getGrpcStatus()
                        : String.valueOf(hf.getAbort().getHttpStatus())) + " for "
                        + trim(hf.getAbort().getPercentage().getNumerator() / 10000.0) + "%");
            }
            fault = String.join(", ", parts);
        }
        boolean blocked = targets != null && targets.size() == 1 && targets.get(0).name().equals(Xds.BLACKHOLE);
        return new SimResult(!blocked, proxy, listener, chain, rc.getName(), vh.getName(), label, targets, timeout, retry,
                action, rewrite, mirrors, fault, blocked ? "routed to the BlackHoleCluster" : null, null, null);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** Why a route's match does not accept the request, or null when it does. */
    static String mismatch(RouteMatch m, SimRequest req) {
        String path = req.path();
        boolean caseSensitive = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> {
                boolean ok = caseSensitive ? path.startsWith(m.getPrefix())
                        : path.toLowerCase(Locale.ROOT).startsWith(m.getPrefix().toLowerCase(Locale.ROOT));
                if (!ok) {
                    return "path " + path + " does not start with " + m.getPrefix();
                }
            }
            case PATH -> {
                boolean ok = caseSensitive ? path.equals(m.getPath()) : path.equalsIgnoreCase(m.getPath());
                if (!ok) {
                    return "path " + path + " is not " + m.getPath();
                }
            }
            case SAFE_REGEX -> {
                if (!regex(m.getSafeRegex().getRegex()).matcher(path).matches()) {
                    return "path " + path + " does not match regex " + m.getSafeRegex().getRegex();
                }
            }
            case PATH_SEPARATED_PREFIX -> {
                String p = m.getPathSeparatedPrefix();
                if (!(path.equals(p) || path.startsWith(p + "/"))) {
                    return "path " + path + " is not under " + p;
                }
            }
            default -> {
            }
        }
        for (HeaderMatcher h : m.getHeadersList()) {
            String v = req.header(h.getName());
            boolean ok;
            String desc;
            if (h.hasStringMatch()) {
                ok = v != null && stringMatches(h.getStringMatch(), v);
                desc = describe(h.getStringMatch());
            } else if (h.getPresentMatch()) {
                ok = v != null;
                desc = "present";
            } else {
                ok = v != null;
                desc = "present";
            }
            if (ok == h.getInvertMatch()) {
                String name = h.getName().startsWith(":") ? h.getName().substring(1) : "header " + h.getName();
                if (h.getInvertMatch()) {
                    return name + " must not be " + desc;
                }
                return v == null ? name + " is missing (want " + desc + ")" : name + " is \"" + v + "\", want " + desc;
            }
        }
        Map<String, String> query = req.queryParams();
        for (QueryParameterMatcher q : m.getQueryParametersList()) {
            String v = query.get(q.getName());
            if (v == null) {
                return "query parameter " + q.getName() + " is missing";
            }
            if (q.hasStringMatch() && !stringMatches(q.getStringMatch(), v)) {
                return "query parameter " + q.getName() + " is \"" + v + "\", want " + describe(q.getStringMatch());
            }
        }
        return null;
    }

    static boolean stringMatches(StringMatcher sm, String v) {
        String value = sm.getIgnoreCase() ? v.toLowerCase(Locale.ROOT) : v;
        return switch (sm.getMatchPatternCase()) {
            case EXACT -> value.equals(sm.getIgnoreCase() ? sm.getExact().toLowerCase(Locale.ROOT) : sm.getExact());
            case PREFIX -> value.startsWith(sm.getIgnoreCase() ? sm.getPrefix().toLowerCase(Locale.ROOT) : sm.getPrefix());
            case SUFFIX -> value.endsWith(sm.getIgnoreCase() ? sm.getSuffix().toLowerCase(Locale.ROOT) : sm.getSuffix());
            case CONTAINS -> value.contains(sm.getIgnoreCase() ? sm.getContains().toLowerCase(Locale.ROOT) : sm.getContains());
            case SAFE_REGEX -> regex(sm.getSafeRegex().getRegex()).matcher(v).matches();
            default -> false;
        };
    }

    static String describe(StringMatcher sm) {
        return switch (sm.getMatchPatternCase()) {
            case EXACT -> "\"" + sm.getExact() + "\"";
            case PREFIX -> "prefix \"" + sm.getPrefix() + "\"";
            case SUFFIX -> "suffix \"" + sm.getSuffix() + "\"";
            case CONTAINS -> "containing \"" + sm.getContains() + "\"";
            case SAFE_REGEX -> "regex " + sm.getSafeRegex().getRegex();
            default -> "?";
        };
    }

    static Pattern regex(String re) {
        return REGEX.computeIfAbsent(re, r -> {
            try {
                return Pattern.compile(r);
            } catch (java.util.regex.PatternSyntaxException e) {
                return Pattern.compile("(?!)");
            }
        });
    }
}
