package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gateways with the same selector must not serve overlapping hosts on the same port and bind
 * address (IST0145; istio's gateway/conflictinggateway.go). Servers are grouped by selector and port, and hosts
 * within a group are matched through exact and wildcard-suffix maps, never pairwise.
 */
public final class ConflictingGatewaysAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "gateway.conflictinggateways";
    }

    private record Server(Resource gateway, int index, String host) {
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        Map<String, List<Server>> groups = new HashMap<>();
        for (Resource gw : index.ofKind(Kind.GATEWAY)) {
            String selector = Messages.selector(MeshIndex.stringMap(gw.spec().path("selector")));
            JsonNode servers = gw.spec().path("servers");
            for (int i = 0; i < servers.size(); i++) {
                int port = servers.path(i).path("port").path("number").asInt(0);
                String bind = servers.path(i).path("bind").asText("");
                for (JsonNode h : servers.path(i).path("hosts")) {
                    String entry = h.asText("").toLowerCase(Locale.ROOT);
                    String host = entry.contains("/") ? entry.substring(entry.indexOf('/') + 1) : entry;
                    groups.computeIfAbsent(selector + "\u0000" + port + "\u0000" + bind, k -> new ArrayList<>())
                            .add(new Server(gw, i, host));
                }
            }
        }
        for (Map.Entry<String, List<Server>> g : groups.entrySet()) {
            List<Server> servers = g.getValue();
            if (servers.size() < 2) {
                continue;
            }
            String[] sp = g.getKey().split("\u0000", -1);
            Map<String, List<Server>> byHost = new HashMap<>();
            for (Server s : servers) {
                byHost.computeIfAbsent(s.host(), k -> new ArrayList<>()).add(s);
            }
            Map<Server, Set<Resource>> conflicts = new HashMap<>();
            for (Server s : servers) {
                for (String candidate : coveringPatterns(s.host())) {
                    for (Server other : byHost.getOrDefault(candidate, List.of())) {
                        if (other.gateway() != s.gateway()) {
                            conflicts.computeIfAbsent(s, k -> new LinkedHashSet<>()).add(other.gateway());
                            conflicts.computeIfAbsent(other, k -> new LinkedHashSet<>()).add(s.gateway());
                        }
                    }
                }
            }
            Set<String> reported = new java.util.HashSet<>();
            for (Map.Entry<Server, Set<Resource>> c : conflicts.entrySet()) {
                Server s = c.getKey();
                if (!reported.add(s.gateway().key() + "|" + s.index())) {
                    continue;
                }
                Set<String> names = new TreeSet<>();
                c.getValue().forEach(r -> names.add(r.key().namespacedName()));
                List<String> hosts = new ArrayList<>();
                s.gateway().spec().path("servers").path(s.index()).path("hosts").forEach(h -> hosts.add(h.asText()));
                Messages.report(sink, s.gateway(), "IST0145", FieldPath.of("spec", "servers", s.index(), "hosts"),
                        String.join(",", names), sp[0], sp[1], String.join(",", hosts));
            }
        }
    }

    /** The host itself, "*", and each wildcard "*.suffix" that covers it (for a wildcard host, the ones it is covered by). */
    static List<String> coveringPatterns(String host) {
        List<String> out = new ArrayList<>();
        out.add(host);
        if (!host.equals("*")) {
            out.add("*");
        }
        String h = host.startsWith("*") ? host.substring(1) : host;
        for (int dot = h.indexOf('.', host.startsWith("*") ? 1 : 0); dot >= 0; dot = h.indexOf('.', dot + 1)) {
            String w = "*" + h.substring(dot);
            if (!w.equals(host)) {
                out.add(w);
            }
        }
        return out;
    }

    @Override
    public java.util.Set<Kind> subjects() {
        return java.util.Set.of(Kind.GATEWAY);
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.GATEWAY);
    }
}
