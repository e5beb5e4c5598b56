package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gateways on the same workloads and port must not serve the same host on the same bind address (IST0145), as
 * istio's gateway/conflictinggateway.go decides it:
 * <ul>
 * <li>two Gateways share workloads when their selectors are equal, or when one selector's text contains the other's
 * ({@code istio=ingressgateway} in {@code app=gw,istio=ingressgateway}) and some workload matches both;</li>
 * <li>hosts conflict when they are the same string as written (model.CheckDuplicates): {@code *.example.com} beside
 * {@code shop.example.com} is not a conflict (Envoy picks the most specific), nor is {@code ns/a.com} beside
 * {@code a.com};</li>
 * <li>per Gateway and port the hosts of its last server on that port count, and one finding is reported per
 * server.</li>
 * </ul>
 * Hosts are looked up in per-(selector, port) maps, never compared pairwise; selectors are compared pairwise, but
 * only the distinct ones (a handful in a mesh).
 */
public final class ConflictingGatewaysAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "gateway.conflictinggateways";
    }

    /** A Gateway's hosts on one (selector, port): host → bind, from its last server on that port. */
    private record Claim(Resource gateway, Map<String, String> hosts) {
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        // selector → port → gateway name → its hosts there; and per (selector, port) host → gateway names
        Map<String, Map<String, Map<String, Claim>>> bySelector = new LinkedHashMap<>();
        List<Resource> gateways = index.ofKind(Kind.GATEWAY);
        for (Resource gw : gateways) {
            Map<String, Map<String, Claim>> ports = bySelector.computeIfAbsent(selector(gw), k -> new HashMap<>());
            JsonNode servers = gw.spec().path("servers");
            for (int i = 0; i < servers.size(); i++) {
                JsonNode server = servers.path(i);
                Map<String, String> hosts = new HashMap<>();
                for (JsonNode h : server.path("hosts")) {
                    hosts.put(h.asText(""), server.path("bind").asText(""));
                }
                ports.computeIfAbsent(port(server), k -> new HashMap<>())
                        .put(gw.key().namespacedName(), new Claim(gw, hosts));
            }
        }
        Map<String, Map<String, Map<String, List<String>>>> byHost = new HashMap<>();
        bySelector.forEach((sel, ports) -> ports.forEach((port, claims) -> {
            Map<String, List<String>> hosts = byHost.computeIfAbsent(sel, k -> new HashMap<>())
                    .computeIfAbsent(port, k -> new HashMap<>());
            claims.forEach((gw, claim) -> claim.hosts().keySet()
                    .forEach(h -> hosts.computeIfAbsent(h, k -> new ArrayList<>()).add(gw)));
        }));
        Map<String, List<String>> sharing = new HashMap<>();
        for (Resource gw : gateways) {
            String sel = selector(gw);
            List<String> same = sharing.computeIfAbsent(sel, s -> sameWorkloads(index, s, bySelector.keySet()));
            String name = gw.key().namespacedName();
            JsonNode servers = gw.spec().path("servers");
            for (int i = 0; i < servers.size(); i++) {
                JsonNode server = servers.path(i);
                String port = port(server);
                String bind = server.path("bind").asText("");
                Set<String> conflicts = new TreeSet<>();
                for (String other : same) {
                    Map<String, Claim> claims = bySelector.get(other).get(port);
                    Map<String, List<String>> hosts = byHost.get(other).get(port);
                    if (claims == null) {
                        continue;
                    }
                    for (JsonNode h : server.path("hosts")) {
                        for (String candidate : hosts.getOrDefault(h.asText(""), List.of())) {
                            if (!candidate.equals(name) && bind.equals(claims.get(candidate).hosts().get(h.asText("")))) {
                                conflicts.add(candidate);
                            }
                        }
                    }
                }
                if (!conflicts.isEmpty()) {
                    List<String> hosts = new ArrayList<>();
                    server.path("hosts").forEach(h -> hosts.add(h.asText()));
                    Messages.report(sink, gw, "IST0145", FieldPath.of("spec", "servers", i, "hosts"),
                            String.join(",", conflicts), sel, port, String.join(",", hosts));
                }
            }
        }
    }

    /** The selectors whose Gateways share workloads with Gateways selecting {@code sel} (itself included). */
    private static List<String> sameWorkloads(MeshIndex index, String sel, Set<String> selectors) {
        List<String> out = new ArrayList<>();
        for (String other : selectors) {
            if (other.equals(sel)) {
                out.add(other);
            } else if ((other.contains(sel) || sel.contains(other)) && anyWorkloadMatchesBoth(index, sel, other)) {
                out.add(other);
            }
        }
        return out;
    }

    private static boolean anyWorkloadMatchesBoth(MeshIndex index, String a, String b) {
        Map<String, String> both = new HashMap<>(parse(a));
        for (Map.Entry<String, String> e : parse(b).entrySet()) {
            String previous = both.putIfAbsent(e.getKey(), e.getValue());
            if (previous != null && !previous.equals(e.getValue())) {
                return false;
            }
        }
        return !index.workloadsMatchingAnywhere(both).isEmpty();
    }

    /** "app=a,istio=ingressgateway" (as Kubernetes prints a selector) back to labels. */
    private static Map<String, String> parse(String selector) {
        Map<String, String> out = new HashMap<>();
        for (String pair : selector.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return out;
    }

    private static String selector(Resource gw) {
        return Messages.selector(MeshIndex.stringMap(gw.spec().path("selector")));
    }

    private static String port(JsonNode server) {
        return String.valueOf(server.path("port").path("number").asInt(0));
    }

    @Override
    public java.util.Set<Kind> subjects() {
        return java.util.Set.of(Kind.GATEWAY);
    }

    /** Of a workload only its pod labels matter (which selectors it joins). */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.GATEWAY)) {
            return r.object();
        }
        return reads().contains(r.kind()) ? MeshIndex.workload(r).labels() : null;
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.GATEWAY, Kind.POD, Kind.DEPLOYMENT, Kind.STATEFUL_SET, Kind.DAEMON_SET,
                Kind.REPLICA_SET, Kind.JOB, Kind.CRON_JOB);
    }
}
