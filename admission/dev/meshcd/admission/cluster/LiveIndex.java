package dev.meshcd.admission.cluster;

import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh index of a live {@link Snapshot}, kept current at the cost of what changed. A full build is the
 * root; while the snapshot has changed by a few resources since (a sync applying objects, a kubectl edit), the
 * current index is derived from the root with those changes. Past {@link #rebuildAfter} of them a new root is
 * built in the background while readers go on deriving from the old one; only when the snapshot no longer
 * remembers what changed since the root is it rebuilt on the reader's thread.
 */
public final class LiveIndex {
    private static final Logger LOG = LoggerFactory.getLogger(LiveIndex.class);
    /** One daemon thread for background rebuilds, shared by all live indexes (a rebuild is rare and single-flight). */
    private static final Executor REBUILDER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "meshcd-live-index");
        t.setDaemon(true);
        return t;
    });

    private final Snapshot snapshot;
    private final Function<List<Resource>, MeshIndex> build;
    private final AtomicBoolean rebuilding = new AtomicBoolean();
    private final AtomicInteger rootBuilds = new AtomicInteger();
    private volatile Indexed root;
    private volatile Indexed live;

    private record Indexed(long version, MeshIndex index) {
    }

    /** @param build a full index of a resource list (the compiler's {@code index}, under its options) */
    public LiveIndex(Snapshot snapshot, Function<List<Resource>, MeshIndex> build) {
        this.snapshot = snapshot;
        this.build = build;
    }

    /** The index of the snapshot as it is now. */
    public MeshIndex current() {
        long now = snapshot.version();
        Indexed current = live;
        if (current != null && current.version() == now) {
            return current.index();
        }
        Indexed base = root;
        Map<ResourceKey, Resource> changes = base == null ? null : snapshot.changesSince(base.version());
        if (changes == null) {
            base = buildRoot();
            changes = snapshot.changesSince(base.version());
            if (changes == null) {
                changes = Map.of(); // changed faster than it remembers: the list just read is at least as new
            }
        } else if (changes.size() > rebuildAfter(base.index().size()) && rebuilding.compareAndSet(false, true)) {
            REBUILDER.execute(() -> {
                try {
                    buildRoot();
                } catch (RuntimeException e) {
                    LOG.warn("rebuilding the live index failed (requests go on deriving from the last one): {}",
                            e.toString());
                } finally {
                    rebuilding.set(false);
                }
            });
        }
        MeshIndex index = base.index();
        if (!changes.isEmpty()) {
            List<Resource> upserts = new ArrayList<>();
            List<ResourceKey> removals = new ArrayList<>();
            changes.forEach((k, r) -> {
                if (r == null) {
                    removals.add(k);
                } else {
                    upserts.add(r);
                }
            });
            index = index.withChanges(upserts, removals);
        }
        live = new Indexed(now, index);
        return index;
    }

    private Indexed buildRoot() {
        long v = snapshot.version(); // read first: changes after it are applied again on top, harmlessly
        Indexed built = new Indexed(v, build.apply(snapshot.resources()));
        root = built;
        rootBuilds.incrementAndGet();
        return built;
    }

    /**
     * Changes past which a new root pays: deriving costs about the changes, a build the whole snapshot, so
     * rebuilding after about sqrt(2 x size) changes keeps the sum per request smallest.
     */
    public static int rebuildAfter(int size) {
        return Math.max(16, (int) Math.sqrt(2.0 * size));
    }

    /** How often the index was built in full (tests: small changes must not cost a build). */
    public int rootBuilds() {
        return rootBuilds.get();
    }
}
