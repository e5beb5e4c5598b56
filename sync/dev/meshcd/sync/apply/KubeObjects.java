package dev.meshcd.sync.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.sync.plan.Labels;
import dev.meshcd.sync.plan.Plan;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access to Istio custom resources (and other kinds) as generic objects: the resource context of a
 * kind (plural from the kind's name, served version from discovery), listing what meshcd manages, and
 * conversions between Jackson trees and fabric8's {@link GenericKubernetesResource}.
 */
public final class KubeObjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final Map<String, Optional<String>> preferredVersion = new ConcurrentHashMap<>();

    public KubeObjects(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The lower-case plural of a kind as Kubernetes forms it for Istio's CRDs (ServiceEntry → serviceentries). */
    public static String plural(String kind) {
        String k = kind.toLowerCase(Locale.ROOT);
        if (k.endsWith("y") && k.length() > 1 && "aeiou".indexOf(k.charAt(k.length() - 2)) < 0) {
            return k.substring(0, k.length() - 1) + "ies";
        }
        if (k.endsWith("s") || k.endsWith("x") || k.endsWith("ch") || k.endsWith("sh")) {
            return k + "es";
        }
        return k + "s";
    }

    public static ResourceDefinitionContext context(String group, String version, String kind, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural(kind)).withNamespaced(namespaced).build();
    }

    /** The version the API server prefers for a group, or empty when the group is not served (CRDs missing). */
    public Optional<String> servedVersion(String group) {
        return preferredVersion.computeIfAbsent(group, g -> {
            try {
                APIGroup api = client.getApiGroup(g);
                return api == null || api.getPreferredVersion() == null ? Optional.empty()
                        : Optional.of(api.getPreferredVersion().getVersion());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Forget discovery results (after CRDs were installed). */
    public void resetDiscovery() {
        preferredVersion.clear();
    }

    /**
     * Every object with meshcd's managed-by label, of every Istio kind the server serves and of the
     * extra kinds given (kinds of desired objects).
     */
    public List<Plan.LiveObject> listManaged(Set<Kind> extraKinds) {
        Set<Kind> kinds = new java.util.TreeSet<>(java.util.Comparator.comparing(Kind::toString));
        for (KindInfo info : KindRegistry.standard().all()) {
            if (info.role() == KindInfo.Role.ISTIO) {
                kinds.add(info.kind());
            }
        }
        kinds.addAll(extraKinds);
        List<Plan.LiveObject> out = new ArrayList<>();
        for (Kind kind : kinds) {
            Optional<String> version = servedVersion(kind.group());
            if (version.isEmpty()) {
                continue;
            }
            List<GenericKubernetesResource> items = null;
            // The group's preferred version first; kinds served only in older versions (EnvoyFilter: v1alpha3)
            // are found under the versions the registry knows for them.
            List<String> candidates = new ArrayList<>();
            candidates.add(version.get());
            KindRegistry.standard().lookup(kind).ifPresent(info -> info.versions().stream().sorted()
                    .filter(v -> !candidates.contains(v)).forEach(candidates::add));
            for (String v : candidates) {
                try {
                    items = client.genericKubernetesResources(context(kind.group(), v, kind.kind(), true))
                            .inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MESHCD).list().getItems();
                    break;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
            if (items == null) {
                continue; // kind not served (older Istio CRD set)
            }
            for (GenericKubernetesResource r : items) {
                ObjectNode body = toJson(r);
                out.add(new Plan.LiveObject(new ResourceKey(kind.group(), kind.kind(),
                        r.getMetadata().getNamespace(), r.getMetadata().getName()), r.getApiVersion(), body));
            }
        }
        return out;
    }

    /** One live object, or null when absent. */
    public ObjectNode get(ResourceKey key, String apiVersion) {
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        GenericKubernetesResource r = client.genericKubernetesResources(
                        context(key.group(), version, key.kind(), !key.namespace().isEmpty()))
                .inNamespace(key.namespace()).withName(key.name()).get();
        return r == null ? null : toJson(r);
    }

    public ObjectNode toJson(GenericKubernetesResource r) {
        return JSON.valueToTree(client.getKubernetesSerialization().convertValue(r, JsonNode.class));
    }

    public GenericKubernetesResource fromJson(JsonNode body) {
        return client.getKubernetesSerialization().convertValue(body, GenericKubernetesResource.class);
    }
}
