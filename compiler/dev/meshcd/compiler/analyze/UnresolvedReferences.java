package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges the analyzers' "not found" findings by what meshcd can see. A reference into a namespace that the
 * repository or its context holds objects of (a visible namespace) and that does not resolve is probably a typo
 * and keeps its severity. A reference into a namespace meshcd cannot see, or one only a whole cluster could
 * resolve (a host outside {@code *.svc.<domainSuffix>}, a Gateway selector, which matches workloads anywhere),
 * becomes a warning that says how to declare what it names; with a complete context (a live cluster) every
 * namespace is visible. {@code unresolved: error} in meshcd.yaml makes every one of them an error.
 *
 * <p>The findings judged, as the analyzers report them: IST0101 on a VirtualService's destination host, subset
 * and gateways, on a Gateway's selector, on a Sidecar's workload selector, on an AuthorizationPolicy's source
 * namespaces, on a Gateway API route's parentRefs and backendRefs; IST0174 on a DestinationRule's host. Codes
 * and Istio's texts stay; the hint is appended.
 */
public final class UnresolvedReferences {
    static final String DECLARE = "declare it under external: in meshcd.yaml, add its manifests with context:,"
            + " or check against the cluster with --kubeconfig";

    private UnresolvedReferences() {
    }

    /** What a finding refers to: a namespace, or nothing meshcd could name short of the whole cluster (null). */
    private record Target(String namespace, String hint) {
    }

    /**
     * @param complete  the context is a whole cluster's view: every namespace is visible
     * @param allErrors {@code unresolved: error}
     */
    public static List<Diagnostic> judge(List<Diagnostic> diagnostics, MeshIndex index, boolean complete,
                                         boolean allErrors) {
        if (complete && !allErrors) {
            return diagnostics; // every namespace visible: each finding stands as reported
        }
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            Target t = target(d, index);
            if (t == null) {
                out.add(d);
            } else if (complete || (t.namespace() != null && index.namespaces().contains(t.namespace()))) {
                out.add(allErrors ? d.withSeverity(Severity.ERROR) : d);
            } else {
                out.add(new Diagnostic(allErrors ? Severity.ERROR : Severity.WARNING, d.code(),
                        d.message() + "; " + t.hint(), d.subject(), d.location(), d.path()));
            }
        }
        return out;
    }

    /** The target of an unresolved reference, or null when {@code d} is not one. */
    private static Target target(Diagnostic d, MeshIndex index) {
        ResourceKey subject = d.subject();
        if (subject == null || !(d.code().equals("IST0101") || d.code().equals("IST0174"))) {
            return null;
        }
        Resource r = index.get(subject).orElse(null);
        if (r == null) {
            return null;
        }
        FieldPath path = FieldPath.parse(d.path());
        String last = path.isRoot() ? "" : String.valueOf(path.segment(path.size() - 1));
        if (r.is(Kind.VIRTUAL_SERVICE) && d.code().equals("IST0101")) {
            if (last.equals("host")) {
                return host(index, at(r.object(), path).asText(""), r.namespace());
            }
            if (last.equals("subset")) {
                return host(index, at(r.object(), path.parent().key("host")).asText(""), r.namespace());
            }
            if (d.path().startsWith("spec.gateways[") || d.path().contains(".gateways[")) {
                ResourceKey gw = VirtualServices.gatewayKey(at(r.object(), path).asText(""), r.namespace());
                return gw == null ? null : inNamespace(gw.namespace());
            }
            return null; // host:port: the host resolved, its port did not
        }
        if (r.is(Kind.DESTINATION_RULE) && d.code().equals("IST0174") && d.path().equals("spec.host")) {
            return host(index, r.spec().path("host").asText(""), r.namespace());
        }
        if (r.is(Kind.GATEWAY) && d.path().equals("spec.selector")) {
            return new Target(null, "the workloads it selects may run in any namespace: declare them under"
                    + " workloads: in meshcd.yaml, add their manifests with context:, or check against the cluster"
                    + " with --kubeconfig");
        }
        if (r.is(Kind.SIDECAR) && d.path().startsWith("spec.workloadSelector")) {
            return inNamespace(r.namespace());
        }
        if (dev.meshcd.compiler.gatewayapi.GatewayApiRefs.isRoute(r) && d.code().equals("IST0101") && !path.isRoot()) {
            // a parentRef or backendRef: its namespace (the route's by default), or a ServiceEntry host
            JsonNode ref = at(r.object(), path.parent());
            if (ref.path("kind").asText("").equals(dev.meshcd.compiler.gatewayapi.GatewayApiRefs.HOSTNAME_KIND)) {
                return host(index, ref.path("name").asText(""), r.namespace());
            }
            return inNamespace(ref.path("namespace").asText(r.namespace()));
        }
        if (r.is(Kind.AUTHORIZATION_POLICY) && d.path().matches(".*\\.source\\.(not)?[nN]amespaces\\[\\d+]")) {
            return new Target(null, "meshcd sees only the namespaces the repository and its context hold objects of: "
                    + DECLARE);
        }
        return null;
    }

    private static Target inNamespace(String namespace) {
        return new Target(namespace, "meshcd sees nothing of namespace \"" + namespace + "\": " + DECLARE);
    }

    /**
     * A host's namespace: {@code name.ns.svc.<suffix>} names one; a host some Service or ServiceEntry registers
     * lives where they do; any other host (an outside name, a wildcard) only a whole cluster's view can resolve.
     */
    private static Target host(MeshIndex index, String host, String fromNamespace) {
        String fqdn = index.resolveHost(host, fromNamespace);
        String ns = serviceNamespace(fqdn, index.domainSuffix());
        if (ns != null) {
            return inNamespace(ns);
        }
        for (MeshService s : index.servicesForHost(fqdn)) {
            return inNamespace(s.namespace());
        }
        return new Target(null, "meshcd cannot resolve a host outside the cluster's services without the whole"
                + " cluster: declare it under external: hosts in meshcd.yaml, add its ServiceEntry with context:,"
                + " or check against the cluster with --kubeconfig");
    }

    /** "ns" of "name.ns.svc.&lt;suffix&gt;" (and of "*.ns.svc.&lt;suffix&gt;"), else null. */
    static String serviceNamespace(String fqdn, String domainSuffix) {
        String tail = ".svc." + domainSuffix;
        if (!fqdn.endsWith(tail)) {
            return null;
        }
        String head = fqdn.substring(0, fqdn.length() - tail.length());
        int dot = head.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String ns = head.substring(dot + 1);
        return ns.isEmpty() || ns.contains("*") ? null : ns;
    }

    static JsonNode at(JsonNode node, FieldPath path) {
        JsonNode n = node;
        for (int i = 0; i < path.size(); i++) {
            Object s = path.segment(i);
            n = s instanceof Integer idx ? n.path(idx) : n.path((String) s);
        }
        return n;
    }
}
