package dev.meshcd.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * A kind as an API server serves it at one group version: its resource name (the lower-case plural in
 * URLs, {@code serviceentries}) and whether its objects live in namespaces. Found by {@link ApiResources}.
 *
 * @param group      API group, {@code ""} for the core group
 * @param version    API version within the group
 * @param kind       the kind ({@code ServiceEntry})
 * @param plural     the resource name ({@code serviceentries})
 * @param namespaced whether objects of the kind are namespaced
 */
public record ApiResource(String group, String version, String kind, String plural, boolean namespaced) {

    /** {@code group/version}, or just {@code version} in the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /**
     * The path of an object ({@code name} given) or of a collection ({@code name} null or empty), below the API
     * server's URL: {@code /apis/networking.istio.io/v1/namespaces/shop/virtualservices/cart},
     * {@code /api/v1/namespaces}. An empty {@code namespace} means cluster-scoped, or all namespaces.
     */
    public String path(String namespace, String name) {
        StringBuilder p = new StringBuilder(group.isEmpty() ? "/api/" : "/apis/").append(apiVersion());
        if (namespace != null && !namespace.isEmpty()) {
            p.append("/namespaces/").append(namespace);
        }
        p.append('/').append(plural);
        if (name != null && !name.isEmpty()) {
            p.append('/').append(name);
        }
        return p.toString();
    }

    /** fabric8's description of this resource, for {@code client.genericKubernetesResources(...)}. */
    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }
}
