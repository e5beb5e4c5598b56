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
