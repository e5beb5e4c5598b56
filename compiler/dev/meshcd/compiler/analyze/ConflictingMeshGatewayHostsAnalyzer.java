package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Two VirtualServices bound to the mesh gateway must not define the same host where both are
 * visible (IST0109; istio's virtualservice/conflictingmeshgatewayhosts.go). Groups by resolved host
 * through the index, so the cost is linear in the hosts.
 */
public final class ConflictingMeshGatewayHostsAnalyzer extends SubjectAnalyzer {
    public ConflictingMeshGatewayHostsAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public String name() {
        return "virtualservice.conflictingmeshgatewayhosts";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        if (!VirtualServices.boundToMesh(vs)) {
            return;
        }
        Set<String> done = new HashSet<>();
        JsonNode hosts = vs.spec().path("hosts");
        for (int i = 0; i < hosts.size(); i++) {
            String fqdn = index.resolveHost(hosts.path(i).asText(""), vs.namespace());
            List<Resource> sharing = index.virtualServicesForHost(fqdn);
            if (sharing.size() < 2) {
                continue;
            }
            List<Resource> conflicting = new ArrayList<>();
            for (Resource other : sharing) {
                if (other == vs || (VirtualServices.boundToMesh(other) && visibleTogether(vs, other))) {
                    conflicting.add(other);
                }
            }
            if (conflicting.size() < 2) {
                continue;
            }
            List<String> names = new ArrayList<>();
            conflicting.forEach(r -> names.add(r.key().namespacedName()));
            names.sort(null); // stable text whatever order the snapshot lists them in
            if (done.add(vs.key() + "|" + fqdn)) {
                Messages.report(sink, vs, "IST0109", FieldPath.of("spec", "hosts", i), String.join(",", names),
                        fqdn);
            }
        }
    }

    /** Whether some namespace sees both: their exportTo sets (unset = everywhere) intersect. */
    static boolean visibleTogether(Resource a, Resource b) {
        Set<String> sa = scope(a);
        Set<String> sb = scope(b);
        if (sa == null || sb == null) {
            return true;
        }
        for (String ns : sa) {
            if (sb.contains(ns)) {
                return true;
            }
        }
        return false;
    }

    /** Namespaces a resource is exported to, or null for every namespace. */
    private static Set<String> scope(Resource r) {
        JsonNode exportTo = r.spec().path("exportTo");
        if (!exportTo.isArray() || exportTo.isEmpty()) {
            return null;
        }
        Set<String> out = new HashSet<>();
        for (JsonNode e : exportTo) {
            String v = e.asText();
            if (v.equals("*")) {
                return null;
            }
            out.add(v.equals(".") ? r.namespace() : v);
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.VIRTUAL_SERVICE);
    }

    /** Other VirtualServices' findings read a VirtualService's hosts, gateways and visibility only. */
    @Override
    public Object observed(Resource r) {
        if (!r.is(Kind.VIRTUAL_SERVICE)) {
            return null;
        }
        return List.of(r.spec().path("hosts"), r.spec().path("gateways"), r.spec().path("exportTo"));
    }

    /** A VirtualService's hosts matter to the VirtualServices sharing one of them, before or after the change. */
    @Override
    public java.util.Collection<dev.meshcd.compiler.model.ResourceKey> dependents(MeshIndex beforeIndex,
            MeshIndex afterIndex, Resource before, Resource after) {
        List<String> hosts = new ArrayList<>();
        for (Resource vs : java.util.Arrays.asList(before, after)) {
            if (vs != null) {
                vs.spec().path("hosts").forEach(h -> hosts.add(afterIndex.resolveHost(h.asText(""), vs.namespace())));
            }
        }
        return VirtualServices.keysUnderHosts(beforeIndex, afterIndex, hosts, MeshIndex::virtualServicesForHost);
    }
}
