package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.Map;

/**
 * Whether a workload runs with a sidecar, as istio's analyzers/util/in_mesh.go decides it from the configuration
 * alone: an {@code istio-proxy} container with an image; else the {@code sidecar.istio.io/inject} label, then
 * annotation, of the pod ({@code "true"} or not); else the {@code istio-injection: enabled} label of its Namespace,
 * when the snapshot has the Namespace; else not.
 */
final class InMesh {
    static final String PROXY = "istio-proxy";
    private static final String INJECT = "sidecar.istio.io/inject";

    private InMesh() {
    }

    /** A Deployment's pods (its template). */
    static boolean deployment(MeshIndex index, Resource d) {
        JsonNode template = d.spec().path("template");
        return decide(index, d.namespace(), MeshIndex.stringMap(template.path("metadata").path("labels")),
                MeshIndex.stringMap(template.path("metadata").path("annotations")), template.path("spec"), false);
    }

    /** A Pod (its init containers count too). */
    static boolean pod(MeshIndex index, Resource p) {
        return decide(index, p.namespace(), p.labels(), p.annotations(), p.spec(), true);
    }

    /**
     * A workload of the index: a Pod as {@link #pod}, another Kubernetes workload by its pod template, a VM
     * (WorkloadEntry, WorkloadGroup) or a workload declared in meshcd.yaml always (they run a proxy or are declared
     * as mesh workloads).
     */
    static boolean workload(MeshIndex index, dev.meshcd.compiler.index.Workload w) {
        Resource r = w.resource();
        if (r == null || r.is(dev.meshcd.compiler.model.Kind.WORKLOAD_ENTRY)
                || r.is(dev.meshcd.compiler.model.Kind.WORKLOAD_GROUP)) {
            return true;
        }
        if (r.is(dev.meshcd.compiler.model.Kind.POD)) {
            return pod(index, r);
        }
        JsonNode template = dev.meshcd.compiler.index.Workloads.podTemplate(r, index::get);
        return decide(index, w.namespace(), w.labels(), w.annotations(), template.path("spec"), false);
    }

    /**
     * In ambient mode: istio-cni marks such pods {@code ambient.istio.io/redirection: enabled}; from the
     * configuration alone, that annotation or a Namespace labeled {@code istio.io/dataplane-mode: ambient} (and not
     * for sidecar injection, by label or revision), which is where istio-cni sets it.
     */
    static boolean ambient(MeshIndex index, dev.meshcd.compiler.index.Workload w) {
        if ("enabled".equals(w.annotations().get("ambient.istio.io/redirection"))) {
            return true;
        }
        return index.get(new ResourceKey("", "Namespace", "", w.namespace())).map(ns -> {
            Map<String, String> l = ns.labels();
            return !"enabled".equals(l.get("istio-injection")) && l.getOrDefault("istio.io/rev", "").isEmpty()
                    && "ambient".equals(l.get("istio.io/dataplane-mode"));
        }).orElse(false);
    }

    private static boolean decide(MeshIndex index, String namespace, Map<String, String> labels,
                                  Map<String, String> annotations, JsonNode podSpec, boolean initContainers) {
        if (hasProxy(podSpec.path("containers")) || (initContainers && hasProxy(podSpec.path("initContainers")))) {
            return true;
        }
        if (labels.containsKey(INJECT)) {
            return "true".equals(labels.get(INJECT));
        }
        if (annotations.containsKey(INJECT)) {
            return "true".equals(annotations.get(INJECT));
        }
        return index.get(new ResourceKey("", "Namespace", "", namespace))
                .map(ns -> "enabled".equals(ns.labels().get("istio-injection"))).orElse(false);
    }

    private static boolean hasProxy(JsonNode containers) {
        for (JsonNode c : containers) {
            if (c.path("name").asText("").equals(PROXY)) {
                return !c.path("image").asText("").isEmpty();
            }
        }
        return false;
    }
}
