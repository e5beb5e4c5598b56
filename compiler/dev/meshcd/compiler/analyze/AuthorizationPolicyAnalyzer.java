package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.index.Workloads;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AuthorizationPolicies that apply to nothing or name what is not there, as istio's authz.AuthorizationPoliciesAnalyzer
 * checks them. IST0127 NoMatchingWorkloadsFound: a policy whose selector (in the root namespace: anywhere) matches no
 * workload in the mesh, or a selector-less policy outside the root namespace whose namespace has none. Workloads are
 * the index's (Pods, the pod templates of Deployments and the other kinds, VMs, meshcd.yaml's {@code workloads}) that
 * run a sidecar ({@link InMesh}) or are in ambient mode; where the snapshot lacks the Namespace object, whose labels
 * decide injection, every workload of it counts (Istio, reading a cluster, always has it). IST0101 ReferencedResourceNotFound: a
 * {@code from.source.namespaces}/{@code notNamespaces} entry ({@code *}, {@code prefix*} and {@code *suffix} globs)
 * matching no namespace meshcd sees (see {@link UnresolvedReferences}).
 */
public final class AuthorizationPolicyAnalyzer extends SubjectAnalyzer {
    public AuthorizationPolicyAnalyzer() {
        super(Kind.AUTHORIZATION_POLICY);
    }

    @Override
    public String name() {
        return "authorizationpolicy.references";
    }

    @Override
    protected void check(MeshIndex index, Resource ap, DiagnosticSink sink) {
        noMatchingWorkloads(index, ap, sink);
        namespacesNotFound(index, ap, sink);
    }

    private static void noMatchingWorkloads(MeshIndex index, Resource ap, DiagnosticSink sink) {
        JsonNode selector = ap.spec().path("selector");
        boolean hasSelector = selector.isObject();
        Map<String, String> labels = MeshIndex.stringMap(selector.path("matchLabels"));
        List<Workload> candidates;
        if (ap.namespace().equals(index.rootNamespace())) {
            if (!hasSelector) {
                return; // mesh-wide
            }
            candidates = index.workloadsMatchingAnywhere(labels);
        } else {
            candidates = hasSelector ? index.workloadsMatchingIn(ap.namespace(), labels) : index.workloadsIn(ap.namespace());
        }
        for (Workload w : candidates) {
            if (InMesh.workload(index, w) || InMesh.ambient(index, w) || !hasNamespaceObject(index, w.namespace())) {
                return;
            }
        }
        Messages.report(sink, ap, "IST0127", hasSelector ? FieldPath.of("spec", "selector") : FieldPath.of("metadata",
                "name"), hasSelector ? Messages.selector(labels) : "");
    }

    /** Without its Namespace object meshcd cannot tell a namespace's injection setting: its workloads count. */
    private static boolean hasNamespaceObject(MeshIndex index, String namespace) {
        return index.get(new ResourceKey("", "Namespace", "", namespace)).isPresent();
    }

    private static void namespacesNotFound(MeshIndex index, Resource ap, DiagnosticSink sink) {
        JsonNode rules = ap.spec().path("rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode from = rules.path(i).path("from");
            for (int j = 0; j < from.size(); j++) {
                JsonNode source = from.path(j).path("source");
                for (String field : new String[] {"namespaces", "notNamespaces"}) {
                    JsonNode list = source.path(field);
                    for (int k = 0; k < list.size(); k++) {
                        String exp = list.path(k).asText("");
                        if (!anyNamespace(index, exp)) {
                            Messages.report(sink, ap, "IST0101", FieldPath.of("spec", "rules", i, "from", j, "source",
                                    field, k), "namespace", exp);
                        }
                    }
                }
            }
        }
    }

    private static boolean anyNamespace(MeshIndex index, String exp) {
        if (exp.equals("*")) {
            return true;
        }
        for (String ns : index.namespaces()) {
            if (matches(ns, exp)) {
                return true;
            }
        }
        return false;
    }

    /** Istio's namespace match: {@code *}, a {@code *suffix} or {@code prefix*} glob, else equal ignoring case. */
    static boolean matches(String ns, String exp) {
        if (exp.equals("*")) {
            return true;
        }
        if (exp.startsWith("*")) {
            return ns.endsWith(exp.substring(1));
        }
        if (exp.endsWith("*")) {
            return ns.startsWith(exp.substring(0, exp.length() - 1));
        }
        return ns.equalsIgnoreCase(exp);
    }

    @Override
    public Set<Kind> reads() {
        return Workloads.kindsAnd(Kind.NAMESPACE);
    }

    /**
     * Other policies' findings read a workload's namespace, labels and what puts it in the mesh, a Namespace's
     * injection and dataplane labels, and which namespaces exist (any resource's namespace).
     */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.NAMESPACE)) {
            Map<String, String> l = r.labels();
            return List.of(r.name(), String.valueOf(l.get("istio-injection")), String.valueOf(l.get("istio.io/rev")),
                    String.valueOf(l.get("istio.io/dataplane-mode")));
        }
        if (Workloads.isWorkload(r)) {
            return List.of(r.namespace(), r.metadata().path("labels"), r.metadata().path("annotations"),
                    r.spec().path("template").path("metadata"), r.spec().path("containers"),
                    r.spec().path("initContainers"), r.spec().path("template").path("spec").path("containers"),
                    r.spec().path("labels"), r.spec().path("metadata"), r.spec().path("workloadRef"),
                    r.spec().path("jobTemplate"));
        }
        return r.namespace();
    }

    /**
     * The policies of a changed workload's or Namespace's namespace and the root namespace; on a namespace appearing
     * or disappearing, every policy naming source namespaces.
     */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Set<String> namespaces = new LinkedHashSet<>();
        boolean visibility = false;
        for (Resource r : new Resource[] {before, after}) {
            if (r == null) {
                continue;
            }
            String ns = r.is(Kind.NAMESPACE) ? r.name() : r.namespace();
            if (r.is(Kind.NAMESPACE) || Workloads.isWorkload(r)) {
                namespaces.add(ns);
            }
            visibility |= beforeIndex.namespaces().contains(ns) != afterIndex.namespaces().contains(ns);
        }
        Set<ResourceKey> out = new LinkedHashSet<>();
        if (namespaces.isEmpty() && !visibility) {
            return out; // another kind's resource in a namespace that stays visible
        }
        for (Resource ap : afterIndex.ofKind(Kind.AUTHORIZATION_POLICY)) {
            if (namespaces.contains(ap.namespace()) || (!namespaces.isEmpty()
                    && ap.namespace().equals(afterIndex.rootNamespace()))
                    || (visibility && namesNamespaces(ap))) {
                out.add(ap.key());
            }
        }
        return out;
    }

    private static boolean namesNamespaces(Resource ap) {
        for (JsonNode rule : ap.spec().path("rules")) {
            for (JsonNode from : rule.path("from")) {
                if (!from.path("source").path("namespaces").isEmpty()
                        || !from.path("source").path("notNamespaces").isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }
}
