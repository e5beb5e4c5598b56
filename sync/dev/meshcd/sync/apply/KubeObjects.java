package dev.meshcd.sync.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.ApiResource;
import dev.meshcd.kube.ApiResources;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.plan.Plan;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Access to Istio custom resources (and other kinds) as generic objects: where a kind is served (resource
 * name, scope and version from the cluster, through {@link ApiResources}), listing what meshcd manages, and
 * conversions between Jackson trees and fabric8's {@link GenericKubernetesResource}.
 */
public final class KubeObjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ApiResources api;

    public KubeObjects(KubernetesClient client) {
        this(client, ApiResources.of(client));
    }

    public KubeObjects(KubernetesClient client, ApiResources api) {
        this.client = client;
        this.api = api;
    }

    public KubernetesClient client() {
        return client;
    }

    /** What the cluster serves (resource names, scope, versions). */
    public ApiResources apiResources() {
        return api;
    }

    /**
     * fabric8's resource context of a kind at a version, as the cluster serves it.
     *
     * @throws KubernetesClientException code 404 when the cluster does not serve the kind at that version
     */
    public ResourceDefinitionContext context(String group, String version, String kind) {
        return api.require(group, version, kind).context();
    }

    /** The version the API server prefers for a group, or empty when the group is not served (CRDs missing). */
    public Optional<String> servedVersion(String group) {
        return api.preferredVersion(group);
    }

    /** Forget discovery results (after CRDs were installed). */
    public void resetDiscovery() {
        api.reset();
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
            api.find(kind, candidates).ifPresent(resource -> lists.add(listAsync(resource)));
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

    /** LISTs one kind in all namespaces; empty when it is no longer served (404: its CRD was just removed). */
    private CompletableFuture<List<Plan.LiveObject>> listAsync(ApiResource resource) {
        Kind kind = new Kind(resource.group(), resource.kind());
        String url = baseUrl() + resource.path("", null) + "?labelSelector="
                + java.net.URLEncoder.encode(Ownership.selector(), java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .header("Accept", "application/json").build();
        return client.getHttpClient().sendAsync(request, byte[].class).thenApply(response -> {
            if (response.code() == 404) {
                return List.of();
            }
            if (!response.isSuccessful()) {
                throw new KubernetesClientException("LIST " + kind + ": " + statusMessage(response.body(),
                        response.code()), response.code(), null);
            }
            return items(kind, resource.apiVersion(), response.body());
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
        return serverSideApply(key, apiVersion, body, fieldManager, force, false);
    }

    /**
     * Likewise; with {@code dryRun} the API server runs every step (defaulting, validation, admission webhooks) and
     * answers with the object it would store, without storing it ({@code dryRun=All}: what {@code meshcd review}
     * asks before a merge).
     */
    public ObjectNode serverSideApply(ResourceKey key, String apiVersion, JsonNode body, String fieldManager,
                                      boolean force, boolean dryRun) {
        ApiResource resource;
        try {
            resource = api.require(key.group(), version(apiVersion), key.kind());
        } catch (KubernetesClientException e) {
            if (e.getCode() > 0) {
                throw e; // 404: not served; or the server's refusal
            }
            // no answer from the API server: a transport failure (code -1), as when the PATCH itself cannot be sent
            throw new KubernetesClientException("apply " + key.display() + ": " + e.getMessage(), e);
        }
        String url = baseUrl() + resource.path(key.namespace(), key.name()) + "?fieldManager=" + fieldManager
                + (force ? "&force=true" : "") + (dryRun ? "&dryRun=All" : "");
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

    /** The API server's URL, without a trailing slash. */
    private String baseUrl() {
        String base = client.getMasterUrl().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The version part of an apiVersion ({@code networking.istio.io/v1} → {@code v1}, {@code v1} → {@code v1}). */
    static String version(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
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

    /** One live object, or null when absent (or its kind is not served). */
    public ObjectNode get(ResourceKey key, String apiVersion) {
        Optional<ApiResource> resource = api.find(key.group(), version(apiVersion), key.kind());
        if (resource.isEmpty()) {
            return null;
        }
        GenericKubernetesResource r = client.genericKubernetesResources(resource.get().context())
                .inNamespace(key.namespace()).withName(key.name()).get();
        return r == null ? null : toJson(r);
    }

    /** Deletes one object; nothing to do when it is absent or its kind is not served. */
    public void delete(ResourceKey key, String apiVersion) {
        Optional<ApiResource> resource = api.find(key.group(), version(apiVersion), key.kind());
        if (resource.isPresent()) {
            client.genericKubernetesResources(resource.get().context()).inNamespace(key.namespace())
                    .withName(key.name()).delete();
        }
    }

    public ObjectNode toJson(GenericKubernetesResource r) {
        return JSON.valueToTree(client.getKubernetesSerialization().convertValue(r, JsonNode.class));
    }
}
