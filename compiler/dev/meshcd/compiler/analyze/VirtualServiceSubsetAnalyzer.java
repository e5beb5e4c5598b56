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
public final class VirtualServiceSubsetAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "virtualservice.destinationrules";
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Resource vs : index.ofKind(Kind.VIRTUAL_SERVICE)) {
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
}
