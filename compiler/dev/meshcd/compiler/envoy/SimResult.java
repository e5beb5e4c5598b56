package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Where a simulated request ends up in one proxy's Envoy configuration, or why it matched nothing.
 * Fields that do not apply are null.
 */
public record SimResult(boolean match, String proxy, String listener, String filterChain, String routeConfig,
                        String virtualHost, String route, List<WeightedTarget> clusters, String timeout,
                        Retry retry, String action, String rewrite, List<String> mirrors, String fault,
                        String reason, List<String> mismatches, List<String> authz) {

    /** The same result with the destination's authorization verdicts attached. */
    public SimResult withAuthz(List<String> verdicts) {
        return new SimResult(match, proxy, listener, filterChain, routeConfig, virtualHost, route, clusters, timeout, retry,
                action, rewrite, mirrors, fault, reason, mismatches, verdicts);
    }

    public record WeightedTarget(String name, int weight) {
    }

    public record Retry(int attempts, String retryOn, String perTryTimeout) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("match", match);
        o.put("proxy", proxy);
        put(o, "listener", listener);
        put(o, "filterChain", filterChain);
        put(o, "routeConfig", routeConfig);
        put(o, "virtualHost", virtualHost);
        put(o, "route", route);
        if (clusters != null) {
            ArrayNode a = o.putArray("clusters");
            for (WeightedTarget t : clusters) {
                a.addObject().put("name", t.name()).put("weight", t.weight());
            }
        }
        put(o, "timeout", timeout);
        if (retry != null) {
            ObjectNode r = o.putObject("retry").put("attempts", retry.attempts()).put("retryOn", retry.retryOn());
            put(r, "perTryTimeout", retry.perTryTimeout());
        }
        put(o, "action", action);
        put(o, "rewrite", rewrite);
        if (mirrors != null && !mirrors.isEmpty()) {
            ArrayNode a = o.putArray("mirrors");
            mirrors.forEach(a::add);
        }
        put(o, "fault", fault);
        if (authz != null && !authz.isEmpty()) {
            ArrayNode a = o.putArray("authz");
            authz.forEach(a::add);
        }
        put(o, "reason", reason);
        if (mismatches != null && !mismatches.isEmpty()) {
            ArrayNode a = o.putArray("mismatches");
            mismatches.forEach(a::add);
        }
        return o;
    }

    private static void put(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        line(b, "proxy", proxy);
        line(b, "listener", listener);
        line(b, "filter chain", filterChain);
        line(b, "route config", routeConfig);
        line(b, "virtual host", virtualHost);
        line(b, "route", route);
        if (clusters != null && !clusters.isEmpty()) {
            if (clusters.size() == 1) {
                line(b, "cluster", clusters.get(0).name());
            } else {
                b.append("clusters:\n");
                for (WeightedTarget t : clusters) {
                    b.append("  ").append(t.weight()).append("  ").append(t.name()).append('\n');
                }
            }
        }
        line(b, "action", action);
        line(b, "timeout", timeout);
        if (retry != null) {
            line(b, "retries", retry.attempts() + " on " + retry.retryOn()
                    + (retry.perTryTimeout() == null ? "" : ", per try timeout " + retry.perTryTimeout()));
        }
        line(b, "rewrite", rewrite);
        if (mirrors != null && !mirrors.isEmpty()) {
            line(b, "mirror", String.join(", ", mirrors));
        }
        line(b, "fault", fault);
        if (authz != null) {
            authz.forEach(a -> line(b, "authz", a));
        }
        if (!match) {
            b.append("no match: ").append(reason).append('\n');
            if (mismatches != null) {
                for (String m : mismatches) {
                    b.append("  ").append(m).append('\n');
                }
            }
        } else if (reason != null) {
            line(b, "note", reason);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String k, String v) {
        if (v != null) {
            b.append(String.format("%-14s%s%n", k + ":", v));
        }
    }
}
