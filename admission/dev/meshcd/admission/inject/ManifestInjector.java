package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Manual injection of manifests ({@code meshcd kube-inject}, like {@code istioctl kube-inject}): finds the
 * pod template of Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers,
 * DeploymentConfigs, Jobs and CronJobs (also inside a {@code List}) and injects it. Other documents are
 * left alone. For a CronJob the labels and annotations go on {@code spec.jobTemplate.metadata}, as Istio does.
 */
public final class ManifestInjector {
    private static final Set<String> TEMPLATED = Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
            "ReplicationController", "DeploymentConfig", "Job");

    private final IstioSidecarInjector injector;

    public ManifestInjector(IstioSidecarInjector injector) {
        this.injector = injector;
    }

    /**
     * @param document the (possibly injected) document
     * @param changed  whether anything was injected
     * @param notes    skipped workloads and why
     * @param errors   refused workloads (annotation problems); the document is then unchanged
     */
    public record Outcome(JsonNode document, boolean changed, List<String> notes, List<String> errors) {
    }

    /** Injects one document; the input is not modified. */
    public Outcome inject(JsonNode document) {
        List<String> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (!(document instanceof ObjectNode obj)) {
            return new Outcome(document, false, notes, errors);
        }
        ObjectNode out = obj.deepCopy();
        boolean changed = injectInto(out, notes, errors);
        return errors.isEmpty() ? new Outcome(out, changed, notes, errors) : new Outcome(document, false, notes, errors);
    }

    private boolean injectInto(ObjectNode doc, List<String> notes, List<String> errors) {
        String kind = doc.path("kind").asText("");
        if (kind.equals("List") || kind.endsWith("List") && doc.path("items").isArray()) {
            boolean changed = false;
            for (JsonNode item : (ArrayNode) doc.path("items")) {
                if (item instanceof ObjectNode o) {
                    changed |= injectInto(o, notes, errors);
                }
            }
            return changed;
        }
        JsonNode meta = doc.path("metadata");
        String name = meta.path("name").asText("");
        String ns = meta.path("namespace").asText("");
        WorkloadMeta workload = new WorkloadMeta(name, ns, doc.path("apiVersion").asText(""), kind);
        ObjectNode holder; // the object whose "metadata" and "spec" form the pod
        ObjectNode metaHolder;
        if (kind.equals("Pod")) {
            holder = doc;
            metaHolder = doc;
            workload = WorkloadMeta.fromPod(doc, ns);
        } else if (kind.equals("CronJob") && doc.path("spec").path("jobTemplate").path("spec").path("template").isObject()) {
            metaHolder = Json.objectAt((ObjectNode) doc.path("spec"), "jobTemplate");
            holder = (ObjectNode) metaHolder.path("spec").path("template");
        } else if (TEMPLATED.contains(kind) && doc.path("spec").path("template").isObject()) {
            holder = (ObjectNode) doc.path("spec").path("template");
            metaHolder = holder;
        } else {
            return false;
        }
        if (!holder.path("spec").isObject()) {
            return false;
        }
        ObjectNode pod = Json.obj("metadata", metaHolder.path("metadata").isObject()
                ? metaHolder.get("metadata") : Json.obj(), "spec", holder.get("spec"));
        PodInjector.Result r = injector.injectManually(pod, workload);
        String what = kind + " " + (ns.isEmpty() ? "" : ns + "/") + name;
        if (r.refused()) {
            r.errors().forEach(e -> errors.add(what + ": " + e));
            return false;
        }
        if (!r.injected()) {
            notes.add("skipping injection of " + what + ": " + r.reason());
            return false;
        }
        metaHolder.set("metadata", r.pod().get("metadata"));
        holder.set("spec", r.pod().get("spec"));
        return true;
    }
}
