package dev.meshcd.cli;

import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.kube.Ownership;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The sync gate's view of the cluster in {@code meshcd run --repo}: the webhook's informer caches (no second set
 * of watches), as {@link MeshContext}. Objects this sync applied from Git are left out: the repository is their
 * truth, and one the repository just dropped must not make a reference to it resolve while it waits to be
 * pruned. Until the caches are filled the view is not complete, so unresolved references stay warnings.
 */
final class InformerContext implements Supplier<MeshContext> {
    private final Supplier<Snapshot> snapshot;
    private final String syncName;
    private final String source;
    private volatile MeshContext last = MeshContext.NONE;
    private volatile long lastVersion = -1;
    private volatile boolean lastSynced;

    /**
     * @param snapshot the webhook's live snapshot (null until the webhook has started)
     * @param syncName the {@link Ownership#REPO} annotation value of this sync's objects
     * @param source   the cluster, as messages name it
     */
    InformerContext(Supplier<Snapshot> snapshot, String syncName, String source) {
        this.snapshot = snapshot;
        this.syncName = syncName;
        this.source = source;
    }

    @Override
    public MeshContext get() {
        Snapshot s = snapshot.get();
        if (s == null) {
            return MeshContext.NONE;
        }
        long version = s.version();
        boolean synced = s.synced();
        if (version == lastVersion && synced == lastSynced) {
            return last; // same objects: the workspace need not re-analyze
        }
        List<Resource> resources = new ArrayList<>();
        for (Resource r : s.resources()) {
            if (!(Ownership.managed(r.object()) && syncName.equals(Ownership.annotation(r.object(), Ownership.REPO)))) {
                resources.add(r);
            }
        }
        MeshContext context = new MeshContext(resources, synced, source, version + (synced ? "" : "-partial"));
        last = context;
        lastVersion = version;
        lastSynced = synced;
        return context;
    }
}
