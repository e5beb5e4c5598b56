package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.List;
import java.util.TreeSet;

/**
 * Route destinations must name a host the mesh knows (IST0101 "host"): a Kubernetes Service or a
 * ServiceEntry host visible from the VirtualService's namespace; and a destination on a service
 * with several ports must say which one (IST0112). Compare istio's virtualservice/destinationhosts.go.
 */
public final class VirtualServiceDestinationHostAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "virtualservice.destinationhosts";
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Resource vs : index.ofKind(Kind.VIRTUAL_SERVICE)) {
            for (VirtualServices.Destination d : VirtualServices.destinations(vs)) {
                String host = d.host();
                if (host.isEmpty()) {
                    continue; // a schema error, reported by validation
                }
                String fqdn = index.resolveHost(host, vs.namespace());
                List<MeshService> services = index.servicesVisible(fqdn, vs.namespace());
                if (services.isEmpty()) {
                    Messages.report(sink, vs, "IST0101", d.path().key("host"), "host", host);
                    continue;
                }
                if (d.mirror() || d.hasPort()) {
                    continue;
                }
                TreeSet<Integer> ports = new TreeSet<>();
                for (MeshService s : services) {
                    for (ServicePort p : s.ports()) {
                        ports.add(p.number());
                    }
                }
                if (ports.size() > 1) {
                    Messages.report(sink, vs, "IST0112", d.path(), host, List.copyOf(ports));
                }
            }
        }
    }
}
