package dev.meshcd.compiler.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Workload API versions Kubernetes no longer serves (all removed in 1.16): the API server refuses them, yet old
 * charts and tutorials still carry them. meshcd reports each once ({@link dev.meshcd.compiler.diag.Codes#REMOVED_API_VERSION})
 * and reads the object as its {@code apps/v1} kind, so its pods still count in the analysis.
 */
public final class RemovedApis {
    private RemovedApis() {
    }

    /** The served replacement of every removed workload API version. */
    public static final String REPLACEMENT = "apps/v1";

    private static final Map<String, Set<String>> REMOVED = Map.of(
            "extensions/v1beta1", Set.of("Deployment", "DaemonSet", "ReplicaSet"),
            "apps/v1beta1", Set.of("Deployment", "StatefulSet"),
            "apps/v1beta2", Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"));

    /** The {@code apps/v1} kind an object of a removed version stands for, or empty when the version is not one. */
    public static Optional<Kind> replacement(String apiVersion, String kind) {
        Set<String> kinds = REMOVED.get(apiVersion);
        return kinds != null && kinds.contains(kind) ? Optional.of(new Kind("apps", kind)) : Optional.empty();
    }
}
