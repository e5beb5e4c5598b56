package dev.meshcd.compiler.envoy;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates the inbound RBAC filters of a proxy as Envoy does: a DENY filter denies when any of its
 * policies matches; an ALLOW filter allows only when one matches. A policy matches when one of its
 * permissions and one of its principals match. Also reads the inbound mTLS mode per port back from
 * the filter chains.
 */
public final class Rbac {
    /** A request arriving at a workload: the caller's mTLS principal (null for plain text), method, path, port. */
    public record Request(String principal, String method, String path, int port) {
    }

    private Rbac() {
    }

    /** The RBAC configurations of the first HTTP inbound filter chain, in filter order; empty when none. */
    public static List<RBAC> inboundFilters(ProxyConfig pc) {
        Listener in = pc.listener("virtualInbound").orElse(null);
        if (in == null) {
            return List.of();
        }
        for (FilterChain fc : in.getFilterChainsList()) {
            for (Filter f : fc.getFiltersList()) {
                HttpConnectionManager hcm = Walk.hcm(f);
                if (hcm == null) {
                    continue;
                }
                List<RBAC> out = new ArrayList<>();
                for (HttpFilter hf : hcm.getHttpFiltersList()) {
                    if (hf.getName().equals(Authz.FILTER)) {
                        out.add(ConfigDumps.unpack(hf.getTypedConfig(),
                                io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class).getRules());
                    }
                }
                return out;
            }
        }
        return List.of();
    }

    public static boolean allowed(List<RBAC> filters, Request req) {
        for (RBAC rbac : filters) {
            boolean any = false;
            for (Policy p : rbac.getPoliciesMap().values()) {
                any |= matches(p, req);
            }
            if (rbac.getAction() == RBAC.Action.DENY && any) {
                return false;
            }
            if (rbac.getAction() == RBAC.Action.ALLOW && !any) {
                return false;
            }
        }
        return true;
    }

    /** The name of the first policy that matches in the deciding filter, for explanations. */
    public static String decidingPolicy(List<RBAC> filters, Request req) {
        for (RBAC rbac : filters) {
            for (Map.Entry<String, Policy> e : new TreeMap<>(rbac.getPoliciesMap()).entrySet()) {
                if (matches(e.getValue(), req)) {
                    if (rbac.getAction() == RBAC.Action.DENY) {
                        return e.getKey();
                    }
                }
            }
        }
        return null;
    }

    static boolean matches(Policy p, Request req) {
        boolean perm = p.getPermissionsList().stream().anyMatch(x -> permission(x, req));
        boolean princ = p.getPrincipalsList().stream().anyMatch(x -> principal(x, req));
        return perm && princ;
    }

    private static boolean permission(Permission p, Request req) {
        return switch (p.getRuleCase()) {
            case ANY -> p.getAny();
            case AND_RULES -> p.getAndRules().getRulesList().stream().allMatch(x -> permission(x, req));
            case OR_RULES -> p.getOrRules().getRulesList().stream().anyMatch(x -> permission(x, req));
            case NOT_RULE -> !permission(p.getNotRule(), req);
            case HEADER -> header(p.getHeader(), req);
            case URL_PATH -> p.getUrlPath().hasPath() && Simulator.stringMatches(p.getUrlPath().getPath(), req.path());
            case DESTINATION_PORT -> p.getDestinationPort() == req.port();
            default -> false;
        };
    }

    private static boolean header(HeaderMatcher h, Request req) {
        String v = switch (h.getName()) {
            case ":method" -> req.method();
            case ":path" -> req.path();
            default -> null;
        };
        boolean ok = v != null && (h.hasStringMatch() ? Simulator.stringMatches(h.getStringMatch(), v) : true);
        return ok != h.getInvertMatch();
    }

    private static boolean principal(Principal p, Request req) {
        return switch (p.getIdentifierCase()) {
            case ANY -> p.getAny();
            case AND_IDS -> p.getAndIds().getIdsList().stream().allMatch(x -> principal(x, req));
            case OR_IDS -> p.getOrIds().getIdsList().stream().anyMatch(x -> principal(x, req));
            case NOT_ID -> !principal(p.getNotId(), req);
            case AUTHENTICATED -> req.principal() != null && (!p.getAuthenticated().hasPrincipalName()
                    || Simulator.stringMatches(p.getAuthenticated().getPrincipalName(), req.principal()));
            default -> false;
        };
    }

    /** Methods and paths the policies mention, as probes for comparing two policy sets. */
    public static Set<String[]> probes(List<RBAC> filters) {
        Set<String> methods = new LinkedHashSet<>();
        Set<String> paths = new LinkedHashSet<>();
        for (RBAC r : filters) {
            for (Policy p : r.getPoliciesMap().values()) {
                p.getPermissionsList().forEach(x -> collect(x, methods, paths));
            }
        }
        methods.add("GET");
        paths.add("/");
        Set<String[]> out = new LinkedHashSet<>();
        for (String m : methods) {
            for (String p : paths) {
                out.add(new String[]{m, p});
            }
        }
        return out;
    }

    private static void collect(Permission p, Set<String> methods, Set<String> paths) {
        switch (p.getRuleCase()) {
            case AND_RULES -> p.getAndRules().getRulesList().forEach(x -> collect(x, methods, paths));
            case OR_RULES -> p.getOrRules().getRulesList().forEach(x -> collect(x, methods, paths));
            case NOT_RULE -> collect(p.getNotRule(), methods, paths);
            case HEADER -> {
                if (p.getHeader().getName().equals(":method") && p.getHeader().getStringMatch().hasExact()) {
                    methods.add(p.getHeader().getStringMatch().getExact());
                }
            }
            case URL_PATH -> {
                var sm = p.getUrlPath().getPath();
                if (sm.hasExact()) {
                    paths.add(sm.getExact());
                } else if (sm.hasPrefix()) {
                    paths.add(sm.getPrefix());
                }
            }
            default -> {
            }
        }
    }

    /** Inbound mTLS mode per port, read back from the virtualInbound filter chains. */
    public static Map<Integer, String> inboundModes(ProxyConfig pc) {
        Map<Integer, boolean[]> seen = new TreeMap<>();
        pc.listener("virtualInbound").ifPresent(l -> {
            for (FilterChain fc : l.getFilterChainsList()) {
                if (!fc.getFilterChainMatch().hasDestinationPort()) {
                    continue;
                }
                boolean[] tp = seen.computeIfAbsent(fc.getFilterChainMatch().getDestinationPort().getValue(),
                        k -> new boolean[2]);
                if (fc.getFilterChainMatch().getTransportProtocol().equals("tls")) {
                    tp[0] = true;
                } else {
                    tp[1] = true;
                }
            }
        });
        Map<Integer, String> out = new TreeMap<>();
        seen.forEach((port, tp) -> out.put(port, tp[0] && tp[1] ? "PERMISSIVE" : tp[0] ? "STRICT" : "DISABLE"));
        return out;
    }
}
