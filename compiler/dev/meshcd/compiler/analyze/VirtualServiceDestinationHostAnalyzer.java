package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Route and mirror destinations must name a host the mesh knows (IST0101 "host" / "mirror host"): a
 * Kubernetes Service or a ServiceEntry host visible from a namespace the VirtualService is exported to
 * (its own when exportTo is unset), as istiod applies its routes there; a destination
 * on a service with several ports must say which one (IST0112), and a port it names must exist
 * (IST0101 "host:port"). Compare istio's virtualservice/destinationhosts.go.
 */
public final class VirtualServiceDestinationHostAnalyzer extends SubjectAnalyzer {
    public VirtualServiceDestinationHostAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public String name() {
        return "virtualservice.destinationhosts";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        for (VirtualServices.Destination d : VirtualServices.destinations(vs)) {
            String host = d.host();
            if (host.isEmpty()) {
                continue; // a schema error, reported by validation
            }
            String fqdn = index.resolveHost(host, vs.namespace());
            List<MeshService> services = visible(index, fqdn, vs);
            if (services.isEmpty()) {
                Messages.report(sink, vs, "IST0101", d.path().key("host"), d.mirror() ? "mirror host" : "host", host);
                continue;
            }
            Set<Integer> ports = new LinkedHashSet<>(); // declaration order, as istioctl prints them
            for (MeshService s : services) {
                for (ServicePort p : s.ports()) {
                    ports.add(p.number());
                }
            }
            int port = d.node().path("port").path("number").asInt(0);
            if (port == 0 && ports.size() > 1) {
                Messages.report(sink, vs, "IST0112", d.path(), host, List.copyOf(ports));
            } else if (port != 0 && !ports.isEmpty() && !ports.contains(port)) {
                Messages.report(sink, vs, "IST0101", d.path().key("port").key("number"), "host:port", host + ":" + port);
            }
        }
    }

    /**
     * The services under {@code fqdn} as istio's util.GetDestinationHost finds them for a VirtualService: visible
     * from a namespace it is exported to ("." its own, unset: its own; "*" needs a service exported everywhere).
     */
    static List<MeshService> visible(MeshIndex index, String fqdn, Resource vs) {
        com.fasterxml.jackson.databind.JsonNode exportTo = vs.spec().path("exportTo");
        if (!exportTo.isArray() || exportTo.isEmpty()) {
            return index.servicesVisible(fqdn, vs.namespace());
        }
        for (com.fasterxml.jackson.databind.JsonNode e : exportTo) {
            String ns = e.asText("").equals(".") ? vs.namespace() : e.asText("");
            // from "*" (no namespace is named so) only the services exported everywhere are visible
            List<MeshService> found = index.servicesVisible(fqdn, ns);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.SERVICE, Kind.SERVICE_ENTRY);
    }
}
