package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/**
 * The workload a pod belongs to, as Istio's template sees it ({@code .DeploymentMeta} and {@code .TypeMeta}):
 * it names {@code ISTIO_META_WORKLOAD_NAME}, {@code ISTIO_META_OWNER} and the default canonical service name.
 *
 * @param name       workload name (Deployment, StatefulSet, ... or the pod itself)
 * @param namespace  its namespace, may be empty (the owner URL then says {@code default})
 * @param apiVersion e.g. {@code apps/v1}
 * @param kind       e.g. {@code Deployment}
 */
public record WorkloadMeta(String name, String namespace, String apiVersion, String kind) {
    private static final Pattern CRONJOB_SUFFIX = Pattern.compile("-\\d{8,11}$");

    /** {@code kubernetes://apis/<apiVersion>/namespaces/<ns>/<kind>s/<name>}, or null when unknown */
    public String ownerUri() {
        if (apiVersion == null || apiVersion.isEmpty() || name == null || name.isEmpty()) {
            return null;
        }
        String ns = namespace == null || namespace.isEmpty() ? "default" : namespace;
        return "kubernetes://apis/" + apiVersion + "/namespaces/" + ns + "/" + kind.toLowerCase(java.util.Locale.ROOT)
                + "s/" + name;
    }

    /**
     * What the webhook knows about a pod's workload: its controller owner reference, with Istio's heuristics
     * (a ReplicaSet named {@code <deployment>-<pod-template-hash>} means a Deployment; a Job named
     * {@code <cronjob>-<8..11 digits>} means a CronJob; an OpenShift {@code deploymentconfig} label means a
     * DeploymentConfig). Falls back to the pod itself.
     */
    public static WorkloadMeta fromPod(JsonNode pod, String namespace) {
        JsonNode meta = pod.path("metadata");
        String podName = meta.path("name").asText("");
        String ns = meta.path("namespace").asText("");
        if (ns.isEmpty() && namespace != null) {
            ns = namespace;
        }
        String name = podName;
        String apiVersion = "v1";
        String kind = "Pod";
        if (!meta.path("generateName").asText("").isEmpty()) {
            for (JsonNode ref : meta.path("ownerReferences")) {
                if (!ref.path("controller").asBoolean(false)) {
                    continue;
                }
                apiVersion = ref.path("apiVersion").asText("");
                kind = ref.path("kind").asText("");
                String refName = ref.path("name").asText("");
                name = refName;
                String hash = meta.path("labels").path("pod-template-hash").asText("");
                String dc = meta.path("labels").path("deploymentconfig").asText("");
                if (kind.equals("ReplicaSet") && !hash.isEmpty() && refName.endsWith(hash)) {
                    name = refName.endsWith("-" + hash) ? refName.substring(0, refName.length() - hash.length() - 1)
                            : refName;
                    kind = "Deployment";
                } else if (kind.equals("ReplicationController") && !dc.isEmpty()) {
                    name = dc;
                    kind = "DeploymentConfig";
                } else if (kind.equals("Job") && CRONJOB_SUFFIX.matcher(refName).find()) {
                    name = refName.substring(0, refName.lastIndexOf('-'));
                    kind = "CronJob";
                    apiVersion = "batch/v1";
                }
                break;
            }
        }
        if (name.isEmpty()) {
            name = podName;
        }
        return new WorkloadMeta(name, ns, apiVersion, kind);
    }
}
