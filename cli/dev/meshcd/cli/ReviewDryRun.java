package dev.meshcd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.review.DryRun;
import dev.meshcd.compiler.review.LiveFieldChanges;
import dev.meshcd.compiler.review.ReviewReport;
import dev.meshcd.kube.Faults;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.plan.DesiredObject;
import dev.meshcd.sync.plan.Plan;
import dev.meshcd.sync.plan.Planner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What applying HEAD would do to the live cluster, asked of the cluster itself: each Istio object HEAD adds or
 * changes is server-side applied with {@code dryRun=All} as the sync applies it (field manager {@code meshcd}, the
 * sync's ownership labels and annotations, conflicts forced), so the API server's validation and admission
 * webhooks (meshcd's own, istiod's) judge it without anything being stored; the answer is compared with the live
 * object. What the sync would prune is planned as the sync plans it (objects carrying this sync's name that HEAD no
 * longer has). Nothing is written to the cluster.
 */
final class ReviewDryRun {
    private ReviewDryRun() {
    }

    /**
     * @param syncName the sync's {@code --name} (its objects carry it; only they are pruned)
     * @param commit   what to write as the commit annotation (the dry run stores nothing; HEAD as given)
     */
    static DryRun run(ClusterContextSource cluster, CompileResult head, ReviewReport report, String syncName,
                      String domainSuffix, String commit) throws MeshLoading.UsageException {
        String name = cluster.describe();
        try (KubernetesClient client = cluster.client()) {
            KubeObjects kube = new KubeObjects(client);
            Planner planner = new Planner(syncName, domainSuffix);
            List<DesiredObject> desired = planner.desired(head.resources(), commit);
            Set<ResourceKey> changed = new HashSet<>(report.applied());
            List<DryRun.ObjectResult> objects = new ArrayList<>();
            for (DesiredObject d : desired) {
                if (changed.contains(d.key())) {
                    objects.add(apply(kube, d));
                }
            }
            Set<Kind> kinds = new HashSet<>();
            desired.forEach(d -> kinds.add(Kind.of(d.key())));
            report.removed().forEach(k -> kinds.add(Kind.of(k)));
            Plan plan = planner.plan(desired, kube.listManaged(kinds));
            List<String> pruned = new ArrayList<>();
            plan.pruneWaves().forEach(w -> w.forEach(l -> pruned.add(l.key().display())));
            return new DryRun(name, objects, pruned, null);
        } catch (KubernetesClientException e) {
            return DryRun.failed(name, Faults.oneLine(e));
        }
    }

    private static DryRun.ObjectResult apply(KubeObjects kube, DesiredObject d) {
        String resource = d.key().display();
        try {
            ObjectNode live = kube.get(d.key(), d.apiVersion());
            ObjectNode after = kube.serverSideApply(d.key(), d.apiVersion(), d.body(), Ownership.FIELD_MANAGER, true,
                    true);
            if (live == null) {
                return new DryRun.ObjectResult(resource, DryRun.Outcome.CREATED, List.of(), null);
            }
            List<String> fields = LiveFieldChanges.between(live, after);
            return new DryRun.ObjectResult(resource, fields.isEmpty() ? DryRun.Outcome.UNCHANGED : DryRun.Outcome.CHANGED,
                    fields, null);
        } catch (KubernetesClientException e) {
            if (e.getCode() <= 0) {
                throw e; // the cluster did not answer: the whole dry run failed
            }
            return new DryRun.ObjectResult(resource, DryRun.Outcome.REJECTED, List.of(), Faults.oneLine(e));
        }
    }
}
