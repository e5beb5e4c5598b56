package dev.meshcd.admission.cluster;

import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What the cluster holds right now, as the compiler sees it: read from memory, never an API call. */
public interface Snapshot {
    /** Every resource (Istio config, Services, workloads, namespaces), in no particular order. */
    List<Resource> resources();

    /** Labels of a namespace (empty when unknown). */
    Map<String, String> namespaceLabels(String namespace);

    /** Whether the caches have been filled once. */
    boolean synced();

    /**
     * Why the snapshot may be behind the cluster while it keeps being served (a watch reconnecting while the API
     * server is away), or empty when it is current. Readiness reports it without turning unready: every replica
     * loses the API server at once, and unready replicas would turn a stale answer into no answer.
     */
    default java.util.Optional<String> behind() {
        return java.util.Optional.empty();
    }

    /** False when the machinery keeping the snapshot current is broken beyond repair (liveness). */
    default boolean healthy() {
        return true;
    }

    /** Grows with every change to {@link #resources()}; a snapshot that never changes stays at 0. */
    default long version() {
        return 0;
    }

    /**
     * The keys changed after {@code version}, each with its resource now (null: removed), so a reader holding
     * an index of that version can derive the current one instead of rebuilding it; null when this snapshot
     * no longer remembers that far back. May include changes newer than {@link #version()} read before it.
     */
    default Map<ResourceKey, Resource> changesSince(long version) {
        return version == version() ? Map.of() : null;
    }

    /** A snapshot over resources that change ({@code store}), with fixed namespace labels (tests, benchmarks). */
    static Snapshot of(VersionedResources store, Map<String, Map<String, String>> namespaceLabels) {
        return new InMemory(store::resources, store, namespaceLabels);
    }

    /** A fixed snapshot (tests, benchmarks, offline use). */
    static Snapshot of(List<Resource> resources, Map<String, Map<String, String>> namespaceLabels) {
        List<Resource> copy = List.copyOf(resources);
        return new InMemory(() -> copy, null, namespaceLabels);
    }

    /** Held in memory, always synced, namespace labels fixed; versions from {@code store}, or none when null. */
    record InMemory(Supplier<List<Resource>> all, VersionedResources store,
                    Map<String, Map<String, String>> labels) implements Snapshot {
        @Override
        public List<Resource> resources() {
            return all.get();
        }

        @Override
        public Map<String, String> namespaceLabels(String namespace) {
            return labels.getOrDefault(namespace, Map.of());
        }

        @Override
        public boolean synced() {
            return true;
        }

        @Override
        public long version() {
            return store == null ? 0 : store.version();
        }

        @Override
        public Map<ResourceKey, Resource> changesSince(long version) {
            return store == null ? Snapshot.super.changesSince(version) : store.changesSince(version);
        }
    }
}
