package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * DestinationRule lookup as istiod does it: a rule in the proxy's namespace wins, then one in the
 * service's namespace, then one in the root namespace; within a namespace the most specific host
 * (exact before wildcard, longer wildcard before shorter) and exportTo must include the proxy.
 */
final class DestinationRules {
    record Rule(Resource resource, String host) {
    }

    private static final List<String> POLICY_FIELDS = List.of("loadBalancer", "connectionPool", "outlierDetection",
            "tls");

    private final List<Rule> rules = new ArrayList<>();
    private final String rootNamespace;

    DestinationRules(MeshIndex index) {
        this.rootNamespace = index.rootNamespace();
        for (Resource r : index.ofKind(Kind.DESTINATION_RULE)) {
            String host = index.resolveHost(Xds.text(r.spec().path("host")), r.namespace());
            if (!host.isEmpty()) {
                rules.add(new Rule(r, host));
            }
        }
        rules.sort(Comparator.comparing(r -> r.resource().key()));
    }

    Rule lookup(String host, String serviceNamespace, String proxyNamespace) {
        for (String ns : new String[]{proxyNamespace, serviceNamespace, rootNamespace}) {
            Rule best = null;
            for (Rule r : rules) {
                if (!r.resource().namespace().equals(ns) || !Scope.exportedTo(r.resource(), proxyNamespace)
                        || !Hosts.covers(r.host(), host)) {
                    continue;
                }
                if (best == null || specificity(r.host()) > specificity(best.host())) {
                    best = r;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    private static int specificity(String host) {
        return Hosts.isWildcard(host) ? host.length() : Integer.MAX_VALUE;
    }

    /** The traffic policy of a port: top level, then its portLevelSettings, then (for a subset) the subset's. */
    static ObjectNode effectivePolicy(JsonNode spec, JsonNode subset, int port) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        apply(out, spec.path("trafficPolicy"), port);
        if (subset != null) {
            apply(out, subset.path("trafficPolicy"), port);
        }
        return out;
    }

    private static void apply(ObjectNode out, JsonNode policy, int port) {
        if (!policy.isObject()) {
            return;
        }
        for (String f : POLICY_FIELDS) {
            if (policy.has(f)) {
                out.set(f, policy.get(f));
            }
        }
        for (JsonNode pl : policy.path("portLevelSettings")) {
            if (pl.path("port").path("number").asInt(-1) == port) {
                for (String f : POLICY_FIELDS) {
                    if (pl.has(f)) {
                        out.set(f, pl.get(f));
                    }
                }
            }
        }
    }
}
