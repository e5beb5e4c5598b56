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
 * Kubernetes Service or a ServiceEntry host visible from the VirtualService's namespace; a destination
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
            List<MeshService> services = index.servicesVisible(fqdn, vs.namespace());
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

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.SERVICE, Kind.SERVICE_ENTRY);
    }
}
