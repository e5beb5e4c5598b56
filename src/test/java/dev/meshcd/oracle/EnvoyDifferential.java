package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.envoy.ConfigDumps;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.envoy.SimRequest;
import dev.meshcd.compiler.envoy.SimResult;
import dev.meshcd.compiler.envoy.Simulator;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Envoy differential on one set of inputs: istiod's xDS for every proxy (xdsdump) against meshcd's translation
 * ({@link EffectiveMesh}), as {@link EnvoyModel}s; and the simulate agreement: {@link Simulator} against
 * {@link RouteLookup} over istiod's route configurations, for requests generated from istiod's virtual hosts and
 * routes. Differences the allow-list explains are counted, the rest returned.
 */
final class EnvoyDifferential {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Figures, summed over runs. */
    static final class Figures {
        int proxies;
        int proxiesAgreeing;
        int fieldsBoth;
        int fieldsEqual;
        int onlyIstio;
        int onlyMeshcd;
        int differing;
        int allowed;
        int requests;
        int requestsAgreeing;
        int requestsAllowed;

        void add(Figures o) {
            proxies += o.proxies;
            proxiesAgreeing += o.proxiesAgreeing;
            fieldsBoth += o.fieldsBoth;
            fieldsEqual += o.fieldsEqual;
            onlyIstio += o.onlyIstio;
            onlyMeshcd += o.onlyMeshcd;
            differing += o.differing;
            allowed += o.allowed;
            requests += o.requests;
            requestsAgreeing += o.requestsAgreeing;
            requestsAllowed += o.requestsAllowed;
        }

        @Override
        public String toString() {
            int union = fieldsBoth + onlyIstio + onlyMeshcd;
            return String.format("proxies %d/%d agreeing (after the allow-list); fields %d/%d equal (%.1f%%): "
                            + "%d differ, %d only istiod, %d only meshcd, %d allow-listed; simulate %d/%d requests agree "
                            + "(%d allow-listed)", proxiesAgreeing, proxies, fieldsEqual, union,
                    union == 0 ? 100.0 : 100.0 * fieldsEqual / union, differing, onlyIstio, onlyMeshcd, allowed,
                    requestsAgreeing, requests, requestsAllowed);
        }
    }

    /** A difference no allow-list entry explains: "corpus | proxy | side | key | istiod=... meshcd=...". */
    record Unexplained(String corpus, String proxy, String side, String key, String istio, String meshcd) {
        @Override
        public String toString() {
            return "diff | " + corpus + " | " + proxy + " | " + side + " | " + key + " | ?   (istiod=" + istio
                    + ", meshcd=" + meshcd + ")";
        }
    }

    record Result(Figures figures, List<Unexplained> unexplained) {
    }

    private EnvoyDifferential() {
    }

    /** meshcd's side: compiles the inputs as {@code meshcd compile} does (no errors expected) and translates. */
    static EffectiveMesh meshcd(List<Path> inputs, String defaultNamespace) {
        try {
            EffectiveMesh m = EffectiveMesh.of(StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace(
                    defaultNamespace)).compile(DirectorySource.read(inputs), Compiler.Mode.CHECK));
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> errors(EffectiveMesh m) {
        return m.diagnostics().stream().filter(Diagnostic::isError).map(Diagnostic::toString).toList();
    }

    /** istiod's side: xdsdump's proxies keyed by workload ("ns/name"), as meshcd names proxies. */
    static Map<String, JsonNode> istiod(IstioOracle oracle, List<Path> inputs, String defaultNamespace)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("-log", "none", "-n", defaultNamespace));
        inputs.forEach(p -> args.add(p.toString()));
        IstioOracle.Result r = oracle.xdsdump(args);
        assertThat(r.exit()).as("xdsdump %s%n%s", args, r.stderr()).isZero();
        assertThat(r.stderr()).as("xdsdump skipped input (invalid for istiod?)").doesNotContain("skipping invalid");
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode p : JSON.readTree(r.stdout()).path("proxies")) {
            out.put(p.path("workload").asText(), p);
        }
        return out;
    }

    static Result compare(String corpus, EnvoyAllowlist rules, Map<String, JsonNode> istio, EffectiveMesh mesh) {
        return compare(corpus, rules, istio, mesh, id -> true);
    }

    /** Compares the proxies {@code include} accepts (by id). */
    static Result compare(String corpus, EnvoyAllowlist rules, Map<String, JsonNode> istio, EffectiveMesh mesh,
            java.util.function.Predicate<String> include) {
        Figures f = new Figures();
        List<Unexplained> unexplained = new ArrayList<>();
        Set<String> ids = new java.util.TreeSet<>(istio.keySet());
        ids.addAll(mesh.proxies().keySet());
        for (String id : ids) {
            if (!include.test(id)) {
                continue;
            }
            JsonNode ip = istio.get(id);
            ProxyConfig mp = mesh.proxies().get(id);
            f.proxies++;
            int before = unexplained.size();
            if (ip == null || mp == null) {
                String side = ip == null ? "only-meshcd" : "only-istio";
                if (rules.allowed(corpus, id, side, "proxy")) {
                    f.allowed++;
                } else {
                    unexplained.add(new Unexplained(corpus, id, side, "proxy", ip == null ? "-" : "present",
                            mp == null ? "-" : "present"));
                }
                continue;
            }
            SortedMap<String, String> a = EnvoyModel.of(ip.path("listeners"), ip.path("routes"), ip.path("clusters"),
                    rules);
            SortedMap<String, String> b = EnvoyModel.of(json(mp.listeners()), json(mp.routes()), json(mp.clusters()),
                    rules);
            Set<String> keys = new java.util.TreeSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String k : keys) {
                String x = a.get(k);
                String y = b.get(k);
                String side;
                if (x != null && y != null) {
                    f.fieldsBoth++;
                    if (x.equals(y)) {
                        f.fieldsEqual++;
                        continue;
                    }
                    f.differing++;
                    side = "differs";
                } else if (x != null) {
                    f.onlyIstio++;
                    side = "only-istio";
                } else {
                    f.onlyMeshcd++;
                    side = "only-meshcd";
                }
                if (rules.allowed(corpus, id, side, k)) {
                    f.allowed++;
                } else {
                    unexplained.add(new Unexplained(corpus, id, side, k, x, y));
                }
            }
            simulate(corpus, rules, id, ip, mp, f, unexplained);
            if (unexplained.size() == before) {
                f.proxiesAgreeing++;
            }
        }
        return new Result(f, unexplained);
    }

    private static List<JsonNode> json(List<? extends Message> ms) {
        List<JsonNode> out = new ArrayList<>();
        for (Message m : ms) {
            try {
                out.add(JSON.readTree(ConfigDumps.print(m)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    // --- simulate agreement ------------------------------------------------------------------------------------

    /**
     * For each sidecar route configuration istiod sends (named by port), requests built from its virtual hosts'
     * domains and routes (one per route that matches on something meshcd can build a request for, plus a
     * catch-all path and an unknown host), looked up over istiod's configuration and simulated by meshcd.
     */
    private static void simulate(String corpus, EnvoyAllowlist rules, String id, JsonNode ip, ProxyConfig mp,
            Figures f, List<Unexplained> unexplained) {
        if (!ip.path("type").asText().equals("sidecar")) {
            return;
        }
        for (JsonNode rc : ip.path("routes")) {
            String rcName = rc.path("name").asText();
            if (!rcName.matches("\\d+")) {
                continue;
            }
            int port = Integer.parseInt(rcName);
            for (String line : requests(rc, port)) {
                SimRequest req = SimRequest.parse(line);
                String want = RouteLookup.lookup(rc, req);
                String got = outcome(Simulator.simulate(mp, req));
                f.requests++;
                if (want.equals(got)) {
                    f.requestsAgreeing++;
                } else if (rules.allowed(corpus, id, "differs", "simulate " + line)) {
                    f.requestsAllowed++;
                } else {
                    unexplained.add(new Unexplained(corpus, id, "differs", "simulate " + line, want, got));
                }
            }
        }
    }

    /** meshcd's simulate result in RouteLookup's terms. */
    static String outcome(SimResult r) {
        if (r.virtualHost() == null) {
            return r.routeConfig() == null ? "no route configuration (" + r.reason() + ")" : "no virtual host";
        }
        String route = r.route() == null || r.route().startsWith("#") ? null : r.route();
        String action = r.action();
        if (action == null) {
            return RouteLookup.outcome(r.virtualHost(), route, "no route");
        }
        if (action.equals("route") && r.clusters() != null) {
            int total = r.clusters().stream().mapToInt(SimResult.WeightedTarget::weight).sum();
            List<String> ws = new ArrayList<>();
            for (SimResult.WeightedTarget t : r.clusters()) {
                ws.add(t.name() + ":" + Math.round(100.0 * t.weight() / Math.max(1, total)));
            }
            ws.sort(null);
            action = "route " + String.join(",", ws);
        } else if (action.startsWith("direct response")) {
            action = action.replaceFirst("^(direct response \\d+).*", "$1");
        } else if (action.startsWith("redirect") && !action.equals("redirect 301 to https")) {
            action = "redirect";
        }
        return RouteLookup.outcome(r.virtualHost(), route, action);
    }

    /** Requests for one route configuration: every virtual host's first domain, with each route's match. */
    static List<String> requests(JsonNode rc, int port) {
        Set<String> out = new LinkedHashSet<>();
        String portPart = port == 80 ? "" : ":" + port;
        for (JsonNode vh : rc.path("virtual_hosts")) {
            List<String> hosts = new ArrayList<>();
            for (JsonNode d : vh.path("domains")) {
                String h = d.asText();
                if (!h.contains("*") && !h.endsWith(".") && !h.contains(":")) {
                    hosts.add(h);
                }
            }
            if (hosts.isEmpty()) {
                continue;
            }
            // the FQDN and the shortest form a client would use
            List<String> chosen = hosts.size() == 1 ? hosts : List.of(hosts.get(0), hosts.stream()
                    .min(java.util.Comparator.comparingInt(String::length)).orElseThrow());
            for (String host : new LinkedHashSet<>(chosen)) {
                out.add("GET http://" + host + portPart + "/zz-unmatched");
                for (JsonNode r : vh.path("routes")) {
                    String req = request(r.path("match"), host + portPart);
                    if (req != null) {
                        out.add(req);
                    }
                }
            }
        }
        out.add("GET http://unknown.example.org" + portPart + "/");
        return List.copyOf(out);
    }

    /** A request that satisfies a route match, or null when it uses a regex (no simple witness). */
    private static String request(JsonNode m, String authority) {
        String path = "/";
        if (m.has("prefix")) {
            path = m.path("prefix").asText();
            path = path.isEmpty() ? "/" : path;
        } else if (m.has("path")) {
            path = m.path("path").asText();
        } else if (m.has("path_separated_prefix")) {
            path = m.path("path_separated_prefix").asText();
        } else if (m.has("safe_regex")) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        String method = "GET";
        List<String> headers = new ArrayList<>();
        for (JsonNode h : m.path("headers")) {
            String name = h.path("name").asText();
            String value;
            JsonNode sm = h.path("string_match");
            if (h.path("invert_match").asBoolean(false)) {
                continue; // absent: the inverted match holds
            } else if (h.has("present_match")) {
                value = "1";
            } else if (sm.has("exact")) {
                value = sm.path("exact").asText();
            } else if (sm.has("prefix")) {
                value = sm.path("prefix").asText() + "x";
            } else if (sm.has("suffix")) {
                value = "x" + sm.path("suffix").asText();
            } else if (sm.has("contains")) {
                value = sm.path("contains").asText();
            } else {
                return null;
            }
            if (name.equals(":method")) {
                method = value;
            } else if (name.equals(":authority")) {
                authority = value;
            } else if (name.startsWith(":")) {
                return null;
            } else {
                headers.add(name + ":" + value);
            }
        }
        List<String> query = new ArrayList<>();
        for (JsonNode q : m.path("query_parameters")) {
            JsonNode sm = q.path("string_match");
            if (q.has("present_match")) {
                query.add(q.path("name").asText() + "=1");
            } else if (sm.has("exact")) {
                query.add(q.path("name").asText() + "=" + sm.path("exact").asText());
            } else if (sm.has("prefix")) {
                query.add(q.path("name").asText() + "=" + sm.path("prefix").asText() + "x");
            } else {
                return null;
            }
        }
        if (path.contains(" ") || path.contains("\"") || authority.contains(" ")) {
            return null;
        }
        line.append(method).append(" http://").append(authority).append(path);
        if (!query.isEmpty()) {
            line.append('?').append(String.join("&", query));
        }
        for (String h : headers) {
            if (h.contains("\"") || h.contains("'")) {
                return null;
            }
            line.append(" -H \"").append(h).append('"');
        }
        return line.toString();
    }
}
