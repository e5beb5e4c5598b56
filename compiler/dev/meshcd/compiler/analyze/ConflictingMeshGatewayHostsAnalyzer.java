package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two VirtualServices bound to the mesh gateway must not define the same host where both are visible (IST0109),
 * as istio's virtualservice/conflictingmeshgatewayhosts.go decides it. Hosts are keyed by scope, the namespaces a
 * VirtualService is exported to ("*" for all): two VirtualServices conflict on the same key (same scope, same
 * resolved host), and one exported to some namespaces conflicts with one exported to all whose host matches its
 * own, wildcards included ({@code *.d} and {@code *.productpage.d}). Each VirtualService is reported once, at the
 * first host in conflict, naming the others and the scoped host as Istio's message does.
 * Candidates come from the index by host (exact, and the wildcards covering it); only a wildcard host scans the
 * VirtualServices for the hosts it covers.
 */
public final class ConflictingMeshGatewayHostsAnalyzer extends SubjectAnalyzer {
    private static final String ALL = "*";

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
        Set<String> scopes = scopes(vs);
        JsonNode hosts = vs.spec().path("hosts");
        for (int i = 0; i < hosts.size(); i++) {
            String fqdn = index.resolveHost(hosts.path(i).asText(""), vs.namespace());
            for (String scope : scopes) {
                Set<String> names = new TreeSet<>();
                for (Resource other : overlapping(index, fqdn)) {
                    if (other != vs && VirtualServices.boundToMesh(other) && conflict(index, scope, fqdn, other)) {
                        names.add(other.key().namespacedName());
                    }
                }
                if (!names.isEmpty()) {
                    names.add(vs.key().namespacedName());
                    Messages.report(sink, vs, "IST0109", FieldPath.of("spec", "hosts", i), String.join(",", names),
                            scope + "/" + fqdn);
                    return; // once per VirtualService, as Istio
                }
            }
        }
    }

    /** Does {@code other} share a key with host {@code fqdn} of scope {@code scope}? */
    private static boolean conflict(MeshIndex index, String scope, String fqdn, Resource other) {
        Set<String> otherScopes = scopes(other);
        for (JsonNode h : other.spec().path("hosts")) {
            String otherFqdn = index.resolveHost(h.asText(""), other.namespace());
            if (otherFqdn.equals(fqdn) && otherScopes.contains(scope)) {
                return true; // the same key
            }
            // a namespace-scoped host's key also lists the exported-to-all hosts matching it, wildcards included
            boolean oneScopedOneAll = scope.equals(ALL) ? !otherScopes.contains(ALL) : otherScopes.contains(ALL);
            if (oneScopedOneAll && Hosts.overlap(fqdn, otherFqdn)) {
                return true;
            }
        }
        return false;
    }

    /** VirtualServices with a host that can match {@code fqdn}: the same, a wildcard covering it, or one it covers. */
    static Set<Resource> overlapping(MeshIndex index, String fqdn) {
        Set<Resource> out = new LinkedHashSet<>(index.virtualServicesForHost(fqdn));
        String h = Hosts.isWildcard(fqdn) ? fqdn.substring(1) : fqdn;
        for (int dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
            out.addAll(index.virtualServicesForHost("*" + h.substring(dot)));
        }
        out.addAll(index.virtualServicesForHost(ALL));
        if (Hosts.isWildcard(fqdn)) {
            for (Resource vs : index.ofKind(Kind.VIRTUAL_SERVICE)) {
                for (JsonNode other : vs.spec().path("hosts")) {
                    if (Hosts.covers(fqdn, index.resolveHost(other.asText(""), vs.namespace()))) {
                        out.add(vs);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The namespaces a VirtualService's hosts are scoped to, as Istio keys them: {"*"} when exported to all. */
    private static Set<String> scopes(Resource r) {
        JsonNode exportTo = r.spec().path("exportTo");
        if (!exportTo.isArray() || exportTo.isEmpty()) {
            return Set.of(ALL);
        }
        Set<String> out = new TreeSet<>();
        for (JsonNode e : exportTo) {
            String v = e.asText();
            if (v.equals(ALL)) {
                return Set.of(ALL);
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
        Set<dev.meshcd.compiler.model.ResourceKey> out = new HashSet<>();
        for (String fqdn : hosts) {
            for (MeshIndex index : new MeshIndex[] {beforeIndex, afterIndex}) {
                overlapping(index, fqdn).forEach(r -> out.add(r.key()));
            }
        }
        return out;
    }
}
