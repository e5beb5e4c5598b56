package dev.meshcd.compiler.model;

/**
 * The identity of a resource: API group, kind, namespace, name. The version is not part of it
 * (networking.istio.io/v1 and v1beta1 of one VirtualService are the same object to the API server).
 * Cluster-scoped resources have an empty namespace.
 *
 * <p>A value class rather than a record so it can keep its hash: keys are looked up and sorted by the
 * hundred thousand on every compile of a large repo.
 */
public final class ResourceKey implements Comparable<ResourceKey> {
    private final String group;
    private final String kind;
    private final String namespace;
    private final String name;
    private final int hash;

    public ResourceKey(String group, String kind, String namespace, String name) {
        this.group = group == null ? "" : group;
        this.kind = kind == null ? "" : kind;
        this.namespace = namespace == null ? "" : namespace;
        this.name = name == null ? "" : name;
        this.hash = ((this.group.hashCode() * 31 + this.kind.hashCode()) * 31 + this.namespace.hashCode()) * 31
                + this.name.hashCode();
    }

    public String group() {
        return group;
    }

    public String kind() {
        return kind;
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    /** "Kind namespace/name", or "Kind name" when cluster-scoped: the form every renderer uses. */
    public String display() {
        return namespace.isEmpty() ? kind + " " + name : kind + " " + namespace + "/" + name;
    }

    /** "namespace/name" or "name". */
    public String namespacedName() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** By group, kind, namespace, name. */
    @Override
    public int compareTo(ResourceKey o) {
        if (this == o) {
            return 0;
        }
        int c = group.compareTo(o.group);
        if (c == 0) {
            c = kind.compareTo(o.kind);
        }
        if (c == 0) {
            c = namespace.compareTo(o.namespace);
        }
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof ResourceKey k && hash == k.hash && name.equals(k.name) && namespace.equals(k.namespace)
                && kind.equals(k.kind) && group.equals(k.group);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return display();
    }
}
