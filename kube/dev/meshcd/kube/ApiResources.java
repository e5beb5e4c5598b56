package dev.meshcd.kube;

import dev.meshcd.compiler.model.Kind;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kinds a cluster serves, under which resource names (plurals) and scope: what both sync (to apply,
 * list and prune) and admission (to watch) need to address a kind. The cluster says so through API discovery
 * ({@code /api/v1}, {@code /apis/<group>/<version>}), the way kubectl learns it; for a group version discovery
 * does not list yet (its CRDs were installed a moment ago) the cluster's CustomResourceDefinitions answer. Only
 * when the cluster does not answer at all are Kubernetes' built-in kinds taken from a static table; a custom
 * resource's name is never guessed.
 *
 * <p>Answers are cached: a kind found stays found until {@link #reset()}; "not served" is asked again after
 * {@value #MISS_RECHECK_SECONDS} seconds, so CRDs installed later are picked up. Thread-safe.
 */
public final class ApiResources {
    private static final Logger LOG = LoggerFactory.getLogger(ApiResources.class);
    static final long MISS_RECHECK_SECONDS = 30;
    /** How long one list of the cluster's CRDs is used (it is consulted only for what discovery does not list). */
    static final long CRDS_RECHECK_SECONDS = 300;

    /** What a cluster says about the resources it serves. */
    public interface Discovery {
        /**
         * The kinds served in one group version (discovery, subresources left out), or null when the server does
         * not serve the group version.
         *
         * @throws KubernetesClientException when the server does not answer (or refuses)
         */
        List<ApiResource> resources(String group, String version);

        /**
         * The version the server prefers for a group, or null when it does not serve the group.
         *
         * @throws KubernetesClientException when the server does not answer (or refuses)
         */
        String preferredVersion(String group);

        /**
         * What the cluster's CustomResourceDefinitions serve: one entry per served version of each.
         *
         * @throws KubernetesClientException when they cannot be listed
         */
        List<ApiResource> crds();
    }

    private record GroupVersion(Map<String, ApiResource> byKind, long at) {
    }

    private record Preferred(String version, long at) {
    }

    private record Crds(List<ApiResource> resources, long at) {
    }

    private final Discovery discovery;
    private final LongSupplier nanoClock;
    private final Map<String, GroupVersion> groupVersions = new ConcurrentHashMap<>();
    private final Map<String, Preferred> preferred = new ConcurrentHashMap<>();
    private volatile Crds crds;

    ApiResources(Discovery discovery, LongSupplier nanoClock) {
        this.discovery = discovery;
        this.nanoClock = nanoClock;
    }

    /** The resources the cluster behind {@code client} serves. */
    public static ApiResources of(KubernetesClient client) {
        return new ApiResources(fabric8(client), System::nanoTime);
    }

    /**
     * A kind at one group version, or empty when the cluster does not serve it there.
     *
     * @throws KubernetesClientException when the cluster does not answer and the kind is not a Kubernetes built-in
     */
    public Optional<ApiResource> find(String group, String version, String kind) {
        return find(new Kind(group, kind), List.of(version));
    }

    /**
     * A kind at the first of {@code versions} (in their order) the cluster serves it at, or empty when it serves it
     * at none of them.
     *
     * @throws KubernetesClientException when the cluster does not answer and the kind is not a Kubernetes built-in
     */
    public Optional<ApiResource> find(Kind kind, List<String> versions) {
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        try {
            for (String version : versions) {
                ApiResource r = discovered(kind, version);
                if (r != null) {
                    return Optional.of(r);
                }
            }
        } catch (KubernetesClientException e) {
            Optional<ApiResource> known = builtIn(kind.group(), versions.get(0), kind.kind());
            if (known.isPresent()) {
                LOG.debug("no discovery answer for {} ({}); using the built-in table", kind, e.toString());
                return known;
            }
            throw e;
        }
        if (!builtInGroup(kind.group())) {
            for (String version : versions) {
                ApiResource r = fromCrds(kind, version);
                if (r != null) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A kind at one group version.
     *
     * @throws KubernetesClientException code 404 when the cluster does not serve it; as {@link #find} otherwise
     */
    public ApiResource require(String group, String version, String kind) {
        return find(group, version, kind).orElseThrow(() -> {
            String message = new Kind(group, kind) + " is not served at " + (group.isEmpty() ? version
                    : group + "/" + version) + " by the API server";
            return new KubernetesClientException(message, 404,
                    new StatusBuilder().withCode(404).withReason("NotFound").withMessage(message).build());
        });
    }

    /**
     * The version the cluster prefers for an API group, or empty when it does not serve the group.
     *
     * @throws KubernetesClientException when the cluster does not answer
     */
    public Optional<String> preferredVersion(String group) {
        long now = nanoClock.getAsLong();
        Preferred p = preferred.get(group);
        if (p == null || (p.version() == null && stale(p.at(), now, MISS_RECHECK_SECONDS))) {
            p = new Preferred(discovery.preferredVersion(group), now);
            preferred.put(group, p);
        }
        return Optional.ofNullable(p.version());
    }

    /** Forgets every answer (after CRDs were installed or removed). */
    public void reset() {
        groupVersions.clear();
        preferred.clear();
        crds = null;
    }

    private ApiResource discovered(Kind kind, String version) {
        String key = kind.group() + "/" + version;
        long now = nanoClock.getAsLong();
        GroupVersion gv = groupVersions.get(key);
        if (gv == null || (!gv.byKind().containsKey(kind.kind()) && stale(gv.at(), now, MISS_RECHECK_SECONDS))) {
            List<ApiResource> served = discovery.resources(kind.group(), version);
            Map<String, ApiResource> byKind = new HashMap<>();
            if (served != null) {
                served.forEach(r -> byKind.putIfAbsent(r.kind(), r));
            }
            gv = new GroupVersion(Map.copyOf(byKind), now);
            groupVersions.put(key, gv);
        }
        return gv.byKind().get(kind.kind());
    }

    private ApiResource fromCrds(Kind kind, String version) {
        long now = nanoClock.getAsLong();
        Crds c = crds;
        if (c == null || stale(c.at(), now, CRDS_RECHECK_SECONDS)) {
            List<ApiResource> listed;
            try {
                listed = List.copyOf(discovery.crds());
            } catch (KubernetesClientException e) {
                LOG.debug("cannot list CRDs: {}", e.toString());
                listed = List.of();
            }
            c = new Crds(listed, now);
            crds = c;
        }
        for (ApiResource r : c.resources()) {
            if (r.group().equals(kind.group()) && r.version().equals(version) && r.kind().equals(kind.kind())) {
                return r;
            }
        }
        return null;
    }

    private static boolean stale(long at, long now, long seconds) {
        return now - at > TimeUnit.SECONDS.toNanos(seconds);
    }

    // ---- Kubernetes' built-in kinds: the fallback when no cluster answers ----

    private static final Map<Kind, ApiResource> BUILT_IN = new HashMap<>();

    private static void builtIn(String group, String kind, String plural, boolean namespaced) {
        BUILT_IN.put(new Kind(group, kind), new ApiResource(group, "", kind, plural, namespaced));
    }

    static {
        builtIn("", "Namespace", "namespaces", false);
        builtIn("", "Node", "nodes", false);
        builtIn("", "PersistentVolume", "persistentvolumes", false);
        builtIn("", "Service", "services", true);
        builtIn("", "Pod", "pods", true);
        builtIn("", "PodTemplate", "podtemplates", true);
        builtIn("", "ServiceAccount", "serviceaccounts", true);
        builtIn("", "ConfigMap", "configmaps", true);
        builtIn("", "Secret", "secrets", true);
        builtIn("", "Endpoints", "endpoints", true);
        builtIn("", "Event", "events", true);
        builtIn("", "LimitRange", "limitranges", true);
        builtIn("", "ResourceQuota", "resourcequotas", true);
        builtIn("", "PersistentVolumeClaim", "persistentvolumeclaims", true);
        builtIn("", "ReplicationController", "replicationcontrollers", true);
        builtIn("apps", "Deployment", "deployments", true);
        builtIn("apps", "StatefulSet", "statefulsets", true);
        builtIn("apps", "DaemonSet", "daemonsets", true);
        builtIn("apps", "ReplicaSet", "replicasets", true);
        builtIn("apps", "ControllerRevision", "controllerrevisions", true);
        builtIn("batch", "Job", "jobs", true);
        builtIn("batch", "CronJob", "cronjobs", true);
        builtIn("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true);
        builtIn("policy", "PodDisruptionBudget", "poddisruptionbudgets", true);
        builtIn("networking.k8s.io", "Ingress", "ingresses", true);
        builtIn("networking.k8s.io", "IngressClass", "ingressclasses", false);
        builtIn("networking.k8s.io", "NetworkPolicy", "networkpolicies", true);
        builtIn("discovery.k8s.io", "EndpointSlice", "endpointslices", true);
        builtIn("coordination.k8s.io", "Lease", "leases", true);
        builtIn("rbac.authorization.k8s.io", "Role", "roles", true);
        builtIn("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true);
        builtIn("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false);
        builtIn("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false);
        builtIn("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false);
        builtIn("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
                false);
        builtIn("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false);
        builtIn("storage.k8s.io", "StorageClass", "storageclasses", false);
        builtIn("scheduling.k8s.io", "PriorityClass", "priorityclasses", false);
    }

    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy");

    /** Whether a group is Kubernetes' own (no CRD can define kinds in it). */
    static boolean builtInGroup(String group) {
        return BUILT_IN_GROUPS.contains(group) || group.endsWith(".k8s.io");
    }

    /** A Kubernetes built-in kind from the static table (at the version asked for), or empty. */
    public static Optional<ApiResource> builtIn(String group, String version, String kind) {
        ApiResource r = BUILT_IN.get(new Kind(group, kind));
        return r == null ? Optional.empty()
                : Optional.of(new ApiResource(group, version, kind, r.plural(), r.namespaced()));
    }

    /** Every entry of the built-in table (version empty). */
    static Map<Kind, ApiResource> builtIns() {
        return Map.copyOf(BUILT_IN);
    }

    // ---- asking a cluster with fabric8 ----

    /** What one CRD serves: its kind at each served version. */
    public static List<ApiResource> servedBy(CustomResourceDefinition crd) {
        CustomResourceDefinitionSpec spec = crd.getSpec();
        List<ApiResource> out = new ArrayList<>();
        if (spec == null || spec.getNames() == null || spec.getVersions() == null) {
            return out;
        }
        for (CustomResourceDefinitionVersion v : spec.getVersions()) {
            if (Boolean.TRUE.equals(v.getServed())) {
                out.add(new ApiResource(spec.getGroup(), v.getName(), spec.getNames().getKind(),
                        spec.getNames().getPlural(), "Namespaced".equals(spec.getScope())));
            }
        }
        return out;
    }

    static Discovery fabric8(KubernetesClient client) {
        return new Discovery() {
            @Override
            public List<ApiResource> resources(String group, String version) {
                APIResourceList list = client.getApiResources(group.isEmpty() ? version : group + "/" + version);
                if (list == null) {
                    return null; // 404: not served
                }
                List<ApiResource> out = new ArrayList<>();
                for (var r : list.getResources()) {
                    if (r.getName() != null && !r.getName().contains("/") && r.getKind() != null) {
                        out.add(new ApiResource(group, version, r.getKind(), r.getName(),
                                Boolean.TRUE.equals(r.getNamespaced())));
                    }
                }
                return out;
            }

            @Override
            public String preferredVersion(String group) {
                if (group.isEmpty()) {
                    return "v1";
                }
                try {
                    APIGroup api = client.getApiGroup(group);
                    return api == null || api.getPreferredVersion() == null ? null : api.getPreferredVersion().getVersion();
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) {
                        return null;
                    }
                    throw e;
                }
            }

            @Override
            public List<ApiResource> crds() {
                List<ApiResource> out = new ArrayList<>();
                for (CustomResourceDefinition crd : client.apiextensions().v1().customResourceDefinitions().list()
                        .getItems()) {
                    out.addAll(servedBy(crd));
                }
                return out;
            }
        };
    }
}
