package dev.meshcd.admission.cluster;

import dev.meshcd.compiler.model.Resource;
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
