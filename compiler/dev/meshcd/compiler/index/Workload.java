package dev.meshcd.compiler.index;

import dev.meshcd.compiler.model.Resource;
import java.util.Map;

/**
 * Something that runs pods: a Pod, or the pod template of a Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job or CronJob. Workloads installed outside the repo come from meshcd's config
 * ({@code resource} is then a synthesized object).
 */
public record Workload(String namespace, String name, String kind, Map<String, String> labels,
                       Map<String, String> annotations, String serviceAccount, Resource resource) {

    public boolean matches(Map<String, String> selector) {
        if (selector == null) {
            return true;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
