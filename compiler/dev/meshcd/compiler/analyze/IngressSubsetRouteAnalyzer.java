package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Subsets a gateway route bypasses (Istio's virtualservice/destinationhosts.go analyzeSubset, IST0140): when a
 * VirtualService splits a host it serves into subsets, a VirtualService bound to gateways that routes to that host
 * without a subset sends ingress traffic past the split. Hosts compare as written, as Istio compares them.
 */
public final class IngressSubsetRouteAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "virtualservice.ingresssubset";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        analyze(index, index.ofKind(Kind.VIRTUAL_SERVICE), sink);
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        Map<String, List<String>> splitBy = null;
        for (Resource vs : subjects) {
            if (!vs.is(Kind.VIRTUAL_SERVICE) || vs.spec().path("gateways").isEmpty() || unresolvedGateway(index, vs)) {
                continue;
            }
            JsonNode http = vs.spec().path("http");
            for (int i = 0; i < http.size(); i++) {
                JsonNode route = http.path(i).path("route");
                for (int j = 0; j < route.size(); j++) {
                    JsonNode d = route.path(j).path("destination");
                    if (!d.path("subset").asText("").isEmpty()) {
                        continue;
                    }
                    if (splitBy == null) {
                        splitBy = splitHosts(index);
                    }
                    for (String other : splitBy.getOrDefault(d.path("host").asText(""), List.of())) {
                        Messages.report(sink, vs, "IST0140", FieldPath.of("spec", "http", i, "route", j, "destination",
                                "host"), other, vs.namespace() + "/" + vs.name());
                    }
                }
            }
        }
    }

    /** A gateway that does not exist is the mistake (IST0101): the routes through it are not judged as well. */
    private static boolean unresolvedGateway(MeshIndex index, Resource vs) {
        for (JsonNode g : vs.spec().path("gateways")) {
            String name = g.asText("");
            if (!name.equals("mesh")) {
                ResourceKey key = VirtualServices.gatewayKey(name, vs.namespace());
                if (key == null || index.get(key).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Hosts (as written) that a VirtualService serving them routes to by subset, to those VirtualServices' names. */
    private static Map<String, List<String>> splitHosts(MeshIndex index) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Resource vs : index.ofKind(Kind.VIRTUAL_SERVICE)) {
            for (String host : subsetHosts(vs)) {
                out.computeIfAbsent(host, h -> new ArrayList<>()).add(vs.namespace() + "/" + vs.name());
            }
        }
        return out;
    }

    /** The hosts of a VirtualService that it routes to by subset (one entry per such route, as Istio counts them). */
    private static List<String> subsetHosts(Resource vs) {
        Set<String> hosts = new LinkedHashSet<>();
        vs.spec().path("hosts").forEach(h -> hosts.add(h.asText()));
        List<String> out = new ArrayList<>();
        for (JsonNode rule : vs.spec().path("http")) {
            for (JsonNode route : rule.path("route")) {
                JsonNode d = route.path("destination");
                if (!d.path("subset").asText("").isEmpty() && hosts.contains(d.path("host").asText(""))) {
                    out.add(d.path("host").asText(""));
                }
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.VIRTUAL_SERVICE, Kind.GATEWAY);
    }

    /** Of another VirtualService, the hosts it splits into subsets; of a Gateway, that it exists. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.GATEWAY)) {
            return r.key();
        }
        return r.is(Kind.VIRTUAL_SERVICE) ? subsetHosts(r) : null;
    }
}
