package dev.meshcd.sync.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.plan.Plan;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
     * extra kinds given (kinds of desired objects). One LIST per kind, all in flight at once, each
     * response read straight into Jackson trees (no per-object requests, no model conversion).
     *
     * @throws KubernetesClientException when the API server cannot be reached or refuses a LIST
     */
    public List<Plan.LiveObject> listManaged(Set<Kind> extraKinds) {
        Set<Kind> kinds = new java.util.TreeSet<>(java.util.Comparator.comparing(Kind::toString));
        for (KindInfo info : KindRegistry.standard().all()) {
            if (info.role() == KindInfo.Role.ISTIO) {
                kinds.add(info.kind());
            }
        }
        kinds.addAll(extraKinds);
        List<CompletableFuture<List<Plan.LiveObject>>> lists = new ArrayList<>();
        for (Kind kind : kinds) {
            Optional<String> version = servedVersion(kind.group());
            if (version.isEmpty()) {
                continue;
            }
            // The group's preferred version first; kinds served only in older versions (EnvoyFilter: v1alpha3)
            // are found under the versions the registry knows for them.
            List<String> candidates = new ArrayList<>();
            candidates.add(version.get());
            KindRegistry.standard().lookup(kind).ifPresent(info -> info.versions().stream().sorted()
                    .filter(v -> !candidates.contains(v)).forEach(candidates::add));
            lists.add(listAsync(kind, candidates, 0));
        }
        List<Plan.LiveObject> out = new ArrayList<>();
        for (CompletableFuture<List<Plan.LiveObject>> f : lists) {
            try {
                out.addAll(f.join());
            } catch (java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof KubernetesClientException k) {
                    throw k;
                }
                throw new KubernetesClientException("LIST failed: " + cause.getMessage(), cause);
            }
        }
        return out;
    }

    /** LISTs one kind at {@code versions[i]}, trying the next version on 404; empty when none is served. */
    private CompletableFuture<List<Plan.LiveObject>> listAsync(Kind kind, List<String> versions, int i) {
        if (i >= versions.size()) {
            return CompletableFuture.completedFuture(List.of()); // kind not served (older Istio CRD set)
        }
        String apiVersion = kind.group().isEmpty() ? versions.get(i) : kind.group() + "/" + versions.get(i);
        String url = apiUrl(apiVersion) + "/" + plural(kind.kind()) + "?labelSelector="
                + java.net.URLEncoder.encode(Ownership.selector(), java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .header("Accept", "application/json").build();
        return client.getHttpClient().sendAsync(request, byte[].class).thenCompose(response -> {
            if (response.code() == 404) {
                return listAsync(kind, versions, i + 1);
            }
            if (!response.isSuccessful()) {
                throw new KubernetesClientException("LIST " + kind + ": " + statusMessage(response.body(),
                        response.code()), response.code(), null);
            }
            return CompletableFuture.completedFuture(items(kind, apiVersion, response.body()));
        });
    }

    private static List<Plan.LiveObject> items(Kind kind, String apiVersion, byte[] body) {
        JsonNode list;
        try {
            list = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new KubernetesClientException("LIST " + kind + ": unreadable response: " + e.getMessage(), e);
        }
        List<Plan.LiveObject> out = new ArrayList<>(list.path("items").size());
        for (JsonNode item : list.path("items")) {
            if (!(item instanceof ObjectNode o)) {
                continue;
            }
            if (!o.hasNonNull("apiVersion")) {
                o.put("apiVersion", apiVersion);
            }
            if (!o.hasNonNull("kind")) {
                o.put("kind", kind.kind());
            }
            JsonNode meta = o.path("metadata");
            out.add(new Plan.LiveObject(new ResourceKey(kind.group(), kind.kind(), meta.path("namespace").asText(""),
                    meta.path("name").asText("")), o.path("apiVersion").asText(), o));
        }
        return out;
    }

    /**
     * Server-side apply of one object (PATCH {@code application/apply-patch+yaml}, JSON being YAML) as
     * {@code fieldManager}; returns the live object the API server answers with (after admission).
     *
     * @throws KubernetesClientException with the HTTP code and the server's message (code -1, as fabric8's own: unreachable)
     */
    public ObjectNode serverSideApply(ResourceKey key, String apiVersion, JsonNode body, String fieldManager,
                                      boolean force) {
        String url = apiUrl(apiVersion) + (key.namespace().isEmpty() ? "" : "/namespaces/" + key.namespace())
                + "/" + plural(key.kind()) + "/" + key.name() + "?fieldManager=" + fieldManager
                + (force ? "&force=true" : "");
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .header("Accept", "application/json")
                .method("PATCH", "application/apply-patch+yaml", body.toString()).build();
        io.fabric8.kubernetes.client.http.HttpResponse<byte[]> response;
        try {
            response = client.getHttpClient().sendAsync(request, byte[].class).join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KubernetesClientException("apply " + key.display() + ": " + cause, cause, -1, null, request);
        }
        if (!response.isSuccessful()) {
            String message = statusMessage(response.body(), response.code());
            throw new KubernetesClientException(message, response.code(),
                    new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(response.code()).withMessage(message)
                            .build());
        }
        try {
            return (ObjectNode) JSON.readTree(response.body());
        } catch (java.io.IOException | ClassCastException e) {
            throw new KubernetesClientException("apply " + key.display() + ": unreadable response", e);
        }
    }

    /** The base URL of an API group version: {@code https://host/apis/group/version} or {@code .../api/v1}. */
    String apiUrl(String apiVersion) {
        String base = client.getMasterUrl().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion;
    }

    /** The message of a Kubernetes Status body, or the HTTP code. */
    static String statusMessage(byte[] body, int code) {
        try {
            String m = body == null ? null : JSON.readTree(body).path("message").asText(null);
            return m == null ? "HTTP " + code : m;
        } catch (java.io.IOException e) {
            return "HTTP " + code;
        }
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
}
