package dev.meshcd.compiler.lower;

import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.Resource;
import java.util.List;
import java.util.Set;

/** meshcd's own policy kinds (group meshcd.dev, version v1alpha1), lowered to Istio resources. */
public final class PolicyKinds {
    private PolicyKinds() {
    }

    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = Kind.MESHCD + "/" + VERSION;

    public static final Kind SERVICE_POLICY = new Kind(Kind.MESHCD, "ServicePolicy");
    public static final Kind MESH_DEFAULTS = new Kind(Kind.MESHCD, "MeshDefaults");
    public static final Kind INGRESS = new Kind(Kind.MESHCD, "Ingress");
    public static final Kind EXTERNAL_SERVICE = new Kind(Kind.MESHCD, "ExternalService");

    public static final List<Kind> ALL = List.of(SERVICE_POLICY, MESH_DEFAULTS, INGRESS, EXTERNAL_SERVICE);

    /** Label every generated resource carries (and by which output writers tell them apart). */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "meshcd";
    /** Annotation naming the policy a resource was generated from: {@code path/to/file.yaml#L12}. */
    public static final String SOURCE_ANNOTATION = "meshcd.dev/source";
    /** Annotation with the Git commit compiled, when CompileOptions names one. */
    public static final String COMMIT_ANNOTATION = "meshcd.dev/commit";

    /** The KindInfos to add to a KindRegistry ({@code KindRegistry.standard().with(PolicyKinds.infos())}). */
    public static KindInfo[] infos() {
        return ALL.stream().map(k -> new KindInfo(k, Set.of(VERSION), true, KindInfo.Role.MESHCD))
                .toArray(KindInfo[]::new);
    }

    public static boolean isPolicy(Resource r) {
        return Kind.MESHCD.equals(r.key().group());
    }

    /** True for resources meshcd generated from a policy. */
    public static boolean isGenerated(Resource r) {
        return MANAGED_BY_VALUE.equals(r.labels().get(MANAGED_BY_LABEL))
                && r.annotation(SOURCE_ANNOTATION) != null;
    }
}
