package dev.meshcd.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import java.util.Iterator;
import java.util.Set;

/**
 * Trims an object read from a cluster to what analysis reads of it, so that a cluster's worth of context stays
 * small: managed fields, the last-applied annotation and status apart from its conditions and addresses go everywhere;
 * pod specs (of Pods and of workload templates) keep their service account, host networking, security context and
 * each container's name, image, ports and security context, not its environment (but BLOCKED_CIDRS_IN_JWKS_URIS),
 * volumes, probes or resources. Istio resources and Services are kept whole apart from that.
 */
final class ContextTrimming {
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> POD_SPEC_KEPT = Set.of("serviceAccountName", "serviceAccount", "hostNetwork",
            "containers", "initContainers", "securityContext");
    private static final Set<String> CONTAINER_KEPT = Set.of("name", "image", "ports", "restartPolicy", "env",
            "securityContext");
    private static final Set<String> STATUS_KEPT = Set.of("conditions", "addresses", "parents");
    /** The one environment variable an analyzer reads (istiod's, IST0175); other values may be secrets. */
    private static final String ENV_KEPT = "BLOCKED_CIDRS_IN_JWKS_URIS";
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
        if (object.get("status") instanceof ObjectNode status) {
            // what the analyzers read of a status: conditions (IST0171, per parent on routes), allocated addresses
            status.retain(STATUS_KEPT);
            if (status.isEmpty()) {
                object.remove("status");
            }
        } else {
            object.remove("status");
        }
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
                        trimEnv(container);
                    }
                }
            }
        }
    }

    private static void trimEnv(ObjectNode container) {
        if (!(container.get("env") instanceof ArrayNode env)) {
            container.remove("env");
            return;
        }
        for (int i = env.size() - 1; i >= 0; i--) {
            if (!ENV_KEPT.equals(env.path(i).path("name").asText(""))) {
                env.remove(i);
            }
        }
        if (env.isEmpty()) {
            container.remove("env");
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
