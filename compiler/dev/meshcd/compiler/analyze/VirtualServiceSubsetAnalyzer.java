package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;

/**
 * A destination's subset must be defined by a DestinationRule for its host that the VirtualService's
 * namespace can see (IST0101 "host+subset in destinationrule"; istio's virtualservice/destinationrules.go).
 */
public final class VirtualServiceSubsetAnalyzer extends SubjectAnalyzer {
    public VirtualServiceSubsetAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public String name() {
        return "virtualservice.destinationrules";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        for (VirtualServices.Destination d : VirtualServices.destinations(vs)) {
            String subset = d.subset();
            if (subset.isEmpty() || d.host().isEmpty()) {
                continue;
            }
            String fqdn = index.resolveHost(d.host(), vs.namespace());
            if (!defines(index, fqdn, vs.namespace(), subset)) {
                Messages.report(sink, vs, "IST0101", d.path().key("subset"), "host+subset in destinationrule",
                        d.host() + "+" + subset);
            }
        }
    }

    private static boolean defines(MeshIndex index, String fqdn, String namespace, String subset) {
        for (Resource dr : index.destinationRulesFor(fqdn, namespace)) {
            for (JsonNode s : dr.spec().path("subsets")) {
                if (subset.equals(s.path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.DESTINATION_RULE);
    }

    /** Other VirtualServices' findings read a DestinationRule's host, visibility and subset names only. */
    @Override
    public Object observed(Resource r) {
        if (!r.is(Kind.DESTINATION_RULE)) {
            return null;
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        r.spec().path("subsets").forEach(s -> names.add(s.path("name").asText("")));
        return java.util.List.of(r.spec().path("host"), r.spec().path("exportTo"), names);
    }

    /** A DestinationRule's subsets matter to the VirtualServices routing to its host (any wildcard: unknown). */
    @Override
    public java.util.Collection<dev.meshcd.compiler.model.ResourceKey> dependents(MeshIndex beforeIndex,
            MeshIndex afterIndex, Resource before, Resource after) {
        java.util.List<String> hosts = new java.util.ArrayList<>();
        for (Resource dr : java.util.Arrays.asList(before, after)) {
            if (dr != null) {
                String fqdn = afterIndex.resolveHost(dr.spec().path("host").asText(""), dr.namespace());
                if (!dr.is(Kind.DESTINATION_RULE) || dev.meshcd.compiler.index.Hosts.isWildcard(fqdn)) {
                    return null;
                }
                hosts.add(fqdn);
            }
        }
        return VirtualServices.keysUnderHosts(beforeIndex, afterIndex, hosts, MeshIndex::virtualServicesRoutingTo);
    }
}
