package dev.meshcd.compiler.model;

import java.util.Comparator;

/**
 * The identity of a resource: API group, kind, namespace, name. The version is not part of it
 * (networking.istio.io/v1 and v1beta1 of one VirtualService are the same object to the API server).
 * Cluster-scoped resources have an empty namespace.
 */
public record ResourceKey(String group, String kind, String namespace, String name) implements Comparable<ResourceKey> {
    private static final Comparator<ResourceKey> ORDER = Comparator.comparing(ResourceKey::group)
            .thenComparing(ResourceKey::kind).thenComparing(ResourceKey::namespace).thenComparing(ResourceKey::name);

    public ResourceKey {
        group = group == null ? "" : group;
        namespace = namespace == null ? "" : namespace;
    }

    /** "Kind namespace/name", or "Kind name" when cluster-scoped: the form every renderer uses. */
    public String display() {
        return namespace.isEmpty() ? kind + " " + name : kind + " " + namespace + "/" + name;
    }

    /** "namespace/name" or "name". */
    public String namespacedName() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public int compareTo(ResourceKey o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return display();
    }
}
