package dev.meshcd.compiler.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What runs pods (or stands for a proxy outside Kubernetes), kind by kind: where each kind keeps its pod
 * template, and the {@link Workload}s every selector check matches against.
 *
 * <p>Kubernetes workloads give their pod template (a CronJob's is two levels down); an Argo Rollout gives its own
 * template or, with {@code spec.workloadRef}, the referenced Deployment's, plus one workload per label set its
 * strategy adds to canary/stable (active/preview) pods; a WorkloadEntry gives its {@code spec.labels} and a
 * WorkloadGroup its {@code spec.metadata} (the template of the entries it registers). istiod applies Sidecar,
 * DestinationRule subset, authorization and authentication selectors to all of them alike.
 */
public final class Workloads {
    private Workloads() {
    }

    /** Kinds whose resources are workloads, in the order istiod lists them (Pods first). */
    public static final List<Kind> KINDS = List.of(Kind.POD, Kind.DEPLOYMENT, Kind.STATEFUL_SET, Kind.DAEMON_SET,
            Kind.REPLICA_SET, Kind.JOB, Kind.CRON_JOB, Kind.ROLLOUT, Kind.WORKLOAD_ENTRY, Kind.WORKLOAD_GROUP);

    private static final Set<Kind> KIND_SET = Set.copyOf(KINDS);

    public static boolean isWorkload(Resource r) {
        return KIND_SET.contains(r.kind());
    }

    /** The workload kinds plus {@code more}: what an analyzer that reads workloads declares in {@code reads()}. */
    public static Set<Kind> kindsAnd(Kind... more) {
        Set<Kind> out = new java.util.HashSet<>(KINDS);
        out.addAll(List.of(more));
        return Set.copyOf(out);
    }

    /**
     * The pod template ({@code metadata} and {@code spec}) of a Kubernetes workload or Rollout; for a Pod the
     * object itself; missing for WorkloadEntry/WorkloadGroup (no pod spec) and for a Rollout whose
     * {@code workloadRef} names no Deployment that {@code lookup} finds.
     */
    public static JsonNode podTemplate(Resource r, Function<ResourceKey, Optional<Resource>> lookup) {
        if (r.is(Kind.POD)) {
            return r.object();
        }
        if (r.is(Kind.CRON_JOB)) {
            return r.spec().path("jobTemplate").path("spec").path("template");
        }
        if (r.is(Kind.ROLLOUT)) {
            return referencedDeployment(r).flatMap(lookup).map(d -> d.spec().path("template"))
                    .orElse(r.spec().path("template"));
        }
        if (r.is(Kind.WORKLOAD_ENTRY) || r.is(Kind.WORKLOAD_GROUP)) {
            return MissingNode.getInstance();
        }
        return r.spec().path("template");
    }

    /**
     * The Deployment a Rollout's {@code spec.workloadRef} names (same namespace), if it names one. Argo Rollouts
     * accepts only {@code apps/v1} Deployments there.
     */
    public static Optional<ResourceKey> referencedDeployment(Resource rollout) {
        JsonNode ref = rollout.spec().path("workloadRef");
        String name = ref.path("name").asText("");
        if (!ref.isObject() || name.isEmpty() || !"Deployment".equals(ref.path("kind").asText("Deployment"))) {
            return Optional.empty();
        }
        return Optional.of(new ResourceKey(Kind.DEPLOYMENT.group(), Kind.DEPLOYMENT.kind(), rollout.namespace(), name));
    }

    /** The workloads a resource of one of {@link #KINDS} stands for (one, except Rollouts with pod metadata). */
    public static List<Workload> of(Resource r, Function<ResourceKey, Optional<Resource>> lookup) {
        if (r.is(Kind.WORKLOAD_ENTRY)) {
            JsonNode spec = r.spec();
            return List.of(new Workload(r.namespace(), r.name(), r.key().kind(), MeshIndex.stringMap(spec.path("labels")),
                    r.annotations(), spec.path("serviceAccount").asText("default"), r));
        }
        if (r.is(Kind.WORKLOAD_GROUP)) {
            JsonNode spec = r.spec();
            return List.of(new Workload(r.namespace(), r.name(), r.key().kind(),
                    MeshIndex.stringMap(spec.path("metadata").path("labels")),
                    MeshIndex.stringMap(spec.path("metadata").path("annotations")),
                    spec.path("template").path("serviceAccount").asText("default"), r));
        }
        JsonNode template = podTemplate(r, lookup);
        JsonNode podMeta = r.is(Kind.POD) ? r.metadata() : template.path("metadata");
        JsonNode podSpec = r.is(Kind.POD) ? r.spec() : template.path("spec");
        String sa = podSpec.path("serviceAccountName").asText("");
        if (sa.isEmpty()) {
            sa = podSpec.path("serviceAccount").asText("default");
        }
        Map<String, String> labels = MeshIndex.stringMap(podMeta.path("labels"));
        Map<String, String> annotations = MeshIndex.stringMap(podMeta.path("annotations"));
        Workload base = new Workload(r.namespace(), r.name(), r.key().kind(), labels, annotations, sa, r);
        if (!r.is(Kind.ROLLOUT)) {
            return List.of(base);
        }
        List<Workload> out = new ArrayList<>(List.of(base));
        JsonNode strategy = r.spec().path("strategy");
        for (JsonNode extra : List.of(strategy.path("canary").path("canaryMetadata"),
                strategy.path("canary").path("stableMetadata"), strategy.path("blueGreen").path("activeMetadata"),
                strategy.path("blueGreen").path("previewMetadata"))) {
            Map<String, String> more = MeshIndex.stringMap(extra.path("labels"));
            if (!more.isEmpty()) {
                Map<String, String> merged = new LinkedHashMap<>(labels);
                merged.putAll(more);
                out.add(new Workload(r.namespace(), r.name(), r.key().kind(), java.util.Collections.unmodifiableMap(merged),
                        annotations, sa, r));
            }
        }
        return List.copyOf(out);
    }
}
