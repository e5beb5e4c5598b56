package dev.meshcd.admission.cluster;

import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import java.util.Map;

/** What the cluster holds right now, as the compiler sees it: read from memory, never an API call. */
public interface Snapshot {
    /** Every resource (Istio config, Services, workloads, namespaces), in no particular order. */
    List<Resource> resources();

    /** Labels of a namespace (empty when unknown). */
    Map<String, String> namespaceLabels(String namespace);

    /** Whether the caches have been filled once. */
    boolean synced();

    /** The resources with {@code replacement} in place of the resource with its key (or without {@code removed}). */
    static List<Resource> replacing(List<Resource> resources, ResourceKey key, Resource replacement) {
        List<Resource> out = new java.util.ArrayList<>(resources.size() + 1);
        for (Resource r : resources) {
            if (!r.key().equals(key)) {
                out.add(r);
            }
        }
        if (replacement != null) {
            out.add(replacement);
        }
        return out;
    }

    /** A fixed snapshot (tests, benchmarks, offline use). */
    static Snapshot of(List<Resource> resources, Map<String, Map<String, String>> namespaceLabels) {
        List<Resource> copy = List.copyOf(resources);
        return new Snapshot() {
            @Override
            public List<Resource> resources() {
                return copy;
            }

            @Override
            public Map<String, String> namespaceLabels(String namespace) {
                return namespaceLabels.getOrDefault(namespace, Map.of());
            }

            @Override
            public boolean synced() {
                return true;
            }
        };
    }
}
