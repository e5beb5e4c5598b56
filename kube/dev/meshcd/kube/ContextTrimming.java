package dev.meshcd.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import java.util.Iterator;
import java.util.Set;

/**
 * Trims an object read from a cluster to what analysis reads of it, so that a cluster's worth of context stays
 * small: managed fields, the last-applied annotation and status go everywhere; pod specs (of Pods and of workload
 * templates) keep their service account, host networking and each container's name, image and ports, not its
 * environment, volumes, probes or resources. Istio resources and Services are kept whole apart from that.
 */
final class ContextTrimming {
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> POD_SPEC_KEPT = Set.of("serviceAccountName", "serviceAccount", "hostNetwork",
            "containers", "initContainers");
    private static final Set<String> CONTAINER_KEPT = Set.of("name", "image", "ports", "restartPolicy");
    private static final Set<String> METADATA_KEPT = Set.of("name", "namespace", "labels", "annotations",
            "ownerReferences", "resourceVersion", "uid", "generateName");

    private ContextTrimming() {
    }

    /** Trims {@code object} (of {@code kind}) in place. */
    static void trim(Kind kind, ObjectNode object) {
        if (object.get("metadata") instanceof ObjectNode meta) {
            meta.retain(METADATA_KEPT);
            if (meta.get("annotations") instanceof ObjectNode annotations) {
                annotations.remove(LAST_APPLIED);
            }
        }
        object.remove("status");
        switch (kind.kind()) {
            case "Pod" -> trimPodSpec(object.path("spec"));
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout" ->
                    trimTemplate(object.path("spec").path("template"));
            case "CronJob" -> trimTemplate(object.path("spec").path("jobTemplate").path("spec").path("template"));
            case "ConfigMap" -> {
                if (object.get("data") instanceof ObjectNode data) {
                    data.retain("mesh", "meshNetworks", "values"); // not the injector's large templates
                }
                object.remove("binaryData");
            }
            default -> {
            }
        }
    }

    private static void trimTemplate(JsonNode template) {
        if (template.get("metadata") instanceof ObjectNode meta) {
            meta.retain("labels", "annotations");
        }
        trimPodSpec(template.path("spec"));
    }

    private static void trimPodSpec(JsonNode spec) {
        if (!(spec instanceof ObjectNode s)) {
            return;
        }
        s.retain(POD_SPEC_KEPT);
        for (String list : new String[]{"containers", "initContainers"}) {
            if (s.get(list) instanceof ArrayNode containers) {
                for (JsonNode c : containers) {
                    if (c instanceof ObjectNode container) {
                        container.retain(CONTAINER_KEPT);
                    }
                }
            }
        }
    }

    /**
     * Whether an object is run by another workload the context holds anyway: a ReplicaSet of a Deployment, a Job
     * of a CronJob. Its owner stands for it, as in {@code istioctl analyze}, which reads neither.
     */
    static boolean ownedByAnotherWorkload(Kind kind, JsonNode object) {
        if (!kind.kind().equals("ReplicaSet") && !kind.kind().equals("Job")) {
            return false;
        }
        for (Iterator<JsonNode> it = object.path("metadata").path("ownerReferences").elements(); it.hasNext(); ) {
            JsonNode owner = it.next();
            if (owner.path("controller").asBoolean(false) && OWNERS.contains(owner.path("kind").asText())) {
                return true;
            }
        }
        return false;
    }

    private static final Set<String> OWNERS = Set.of("Deployment", "CronJob", "Rollout");
}
