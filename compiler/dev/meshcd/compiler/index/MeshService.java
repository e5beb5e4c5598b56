package dev.meshcd.compiler.index;

import dev.meshcd.compiler.model.Resource;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host the mesh can send traffic to: a Kubernetes Service (by its FQDN) or one host of a
 * ServiceEntry. {@code selector} is the pod selector (or workloadSelector) when there is one.
 */
public record MeshService(String host, String namespace, List<ServicePort> ports, Map<String, String> selector,
                          Set<String> exportTo, Resource resource, boolean fromServiceEntry) {

    public boolean visibleFrom(String namespace) {
        return exportTo.isEmpty() || exportTo.contains("*") || (exportTo.contains(".") && namespace.equals(this.namespace))
                || exportTo.contains(namespace);
    }
}
