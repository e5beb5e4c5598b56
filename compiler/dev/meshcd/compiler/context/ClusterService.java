package dev.meshcd.compiler.context;

import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service of another cluster of the mesh (meshcd.yaml {@code clusters:}), held as context beside the repository's
 * objects under a key of its own: {@link #KIND}, the Service's namespace, and "cluster.name" (a cluster name is a DNS
 * label, so the first dot ends it). The repository's Service of the same name never collides with it, and nothing
 * but the multi-cluster analyzer reads it.
 */
public final class ClusterService {
    public static final Kind KIND = new Kind("clusters.meshcd.dev", "Service");

    private ClusterService() {
    }

    /** The Services among {@code resources} (one cluster's objects), keyed as {@code cluster}'s. */
    public static List<Resource> servicesOf(String cluster, List<Resource> resources) {
        List<Resource> out = new ArrayList<>();
        for (Resource r : resources) {
            if (r.is(Kind.SERVICE)) {
                out.add(new Resource(r.apiVersion(), new ResourceKey(KIND.group(), KIND.kind(), r.namespace(),
                        cluster + "." + r.name()), r.object(), r.origin()));
            }
        }
        return out;
    }

    /** The cluster a {@link #KIND} resource belongs to. */
    public static String cluster(Resource r) {
        return r.name().substring(0, r.name().indexOf('.'));
    }

    /** The key of the Service a {@link #KIND} resource stands for. */
    public static ResourceKey service(Resource r) {
        return new ResourceKey("", "Service", r.namespace(), r.name().substring(r.name().indexOf('.') + 1));
    }
}
