package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.source.FieldPath;
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
     * @param document   the (possibly injected) document
     * @param changed    whether anything was injected
     * @param notes      skipped workloads and why
     * @param errors     refused workloads (annotation problems, a pod spec of the wrong shape); the document is then
     *                   unchanged
     * @param errorPaths where each error is in the document, index for index ({@link FieldPath#ROOT} for a
     *                   workload as a whole)
     */
    public record Outcome(JsonNode document, boolean changed, List<String> notes, List<String> errors,
                          List<FieldPath> errorPaths) {
    }

    /** Pod spec fields injection reads and rewrites as lists of mappings: any other shape would be silently replaced. */
    private static final List<String> LIST_FIELDS = List.of("containers", "initContainers", "volumes",
            "imagePullSecrets");

    /** Injects one document; the input is not modified. */
    public Outcome inject(JsonNode document) {
        List<String> notes = new ArrayList<>();
        Errors errors = new Errors();
        if (!(document instanceof ObjectNode obj)) {
            return new Outcome(document, false, notes, List.of(), List.of());
        }
        ObjectNode out = obj.deepCopy();
        boolean changed = injectInto(out, FieldPath.ROOT, notes, errors);
        return errors.messages.isEmpty() ? new Outcome(out, changed, notes, List.of(), List.of())
                : new Outcome(document, false, notes, List.copyOf(errors.messages), List.copyOf(errors.paths));
    }

    private static final class Errors {
        final List<String> messages = new ArrayList<>();
        final List<FieldPath> paths = new ArrayList<>();

        void add(FieldPath path, String message) {
            messages.add(message);
            paths.add(path);
        }
    }

    private boolean injectInto(ObjectNode doc, FieldPath at, List<String> notes, Errors errors) {
        String kind = doc.path("kind").asText("");
        if (kind.equals("List") || kind.endsWith("List") && doc.path("items").isArray()) {
            if (!doc.path("items").isArray()) {
                if (doc.has("items") && !doc.get("items").isNull()) {
                    errors.add(at.key("items"), kind + ": items must be a list, not " + shape(doc.get("items")));
                }
                return false;
            }
            boolean changed = false;
            ArrayNode items = (ArrayNode) doc.path("items");
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof ObjectNode o) {
                    changed |= injectInto(o, at.key("items").index(i), notes, errors);
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
        FieldPath holderPath;
        if (kind.equals("Pod")) {
            holder = doc;
            metaHolder = doc;
            holderPath = at;
            workload = WorkloadMeta.fromPod(doc, ns);
        } else if (kind.equals("CronJob") && doc.path("spec").path("jobTemplate").path("spec").path("template").isObject()) {
            metaHolder = Json.objectAt((ObjectNode) doc.path("spec"), "jobTemplate");
            holder = (ObjectNode) metaHolder.path("spec").path("template");
            holderPath = at.key("spec").key("jobTemplate").key("spec").key("template");
        } else if (TEMPLATED.contains(kind) && doc.path("spec").path("template").isObject()) {
            holder = (ObjectNode) doc.path("spec").path("template");
            metaHolder = holder;
            holderPath = at.key("spec").key("template");
        } else {
            return false;
        }
        String what = kind + " " + (ns.isEmpty() ? "" : ns + "/") + name;
        JsonNode podSpec = holder.get("spec");
        if (podSpec == null || podSpec.isNull()) {
            return false;
        }
        if (!wellShaped(podSpec, holderPath.key("spec"), what, errors)) {
            return false;
        }
        ObjectNode pod = Json.obj("metadata", metaHolder.path("metadata").isObject()
                ? metaHolder.get("metadata") : Json.obj(), "spec", holder.get("spec"));
        PodInjector.Result r = injector.injectManually(pod, workload);
        if (r.refused()) {
            r.errors().forEach(e -> errors.add(at, what + ": " + e));
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

    /** A pod spec is a mapping whose list fields are lists of mappings; each field that is not is one error. */
    private static boolean wellShaped(JsonNode spec, FieldPath path, String what, Errors errors) {
        if (!spec.isObject()) {
            errors.add(path, what + ": " + path + " must be a mapping, not " + shape(spec));
            return false;
        }
        boolean ok = true;
        for (String field : LIST_FIELDS) {
            JsonNode v = spec.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isArray()) {
                errors.add(path.key(field), what + ": " + path.key(field) + " must be a list, not " + shape(v));
                ok = false;
                continue;
            }
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isObject()) {
                    FieldPath p = path.key(field).index(i);
                    errors.add(p, what + ": " + p + " must be a mapping, not " + shape(v.get(i)));
                    ok = false;
                }
            }
        }
        return ok;
    }

    /** {@code a string ("oops")}, {@code a mapping}, {@code a number (3)}. */
    private static String shape(JsonNode v) {
        if (v.isTextual()) {
            String t = v.asText();
            return "a string (\"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\")";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isNumber()) {
            return "a number (" + v.asText() + ")";
        }
        if (v.isBoolean()) {
            return "a boolean (" + v.asText() + ")";
        }
        return "null";
    }
}
