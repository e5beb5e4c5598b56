package dev.meshcd.kube;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.Origin;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a live cluster once as {@link MeshContext} (for {@code --kubeconfig}): what {@code istioctl analyze}
 * reads from a cluster. Namespaces, Services, Pods and the workload kinds, every Istio kind the cluster serves,
 * the names of Secrets (for {@code credentialName}; their data is never requested: the list asks the API server
 * for metadata only) and Istio's mesh config (ConfigMap {@code istio} in the root namespace).
 *
 * <p>Lists are paged (500 per page, as kubectl pages) and streamed: each item is parsed, trimmed to what
 * analysis reads ({@link ContextTrimming}) and decoded before the next is read, so a cluster of 50,000 Pods never
 * sits in memory as one response. Kinds are listed concurrently. A kind the cluster does not serve is skipped; a
 * kind the credentials may not list is skipped with a note, as {@code istioctl analyze} goes on without it.
 */
public final class ClusterContextLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterContextLoader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    static final int PAGE_SIZE = 500;
    private static final List<String> VERSION_PREFERENCE = List.of("v1", "v1beta1", "v1alpha3", "v1alpha1");
    /** Context kinds the registry knows but analysis does not need from a cluster (large, or read by name only). */
    /**
     * Kinds read otherwise (Secrets: names only; ConfigMaps: Istio's, by name) or not at all; CustomResourceDefinitions
     * are whole schemas (megabytes) for one check (IST0176) that reads CRDs given as input.
     */
    private static final Set<String> NOT_LISTED = Set.of("ConfigMap", "Endpoints", "ServiceAccount", "Secret",
            "CustomResourceDefinition");
    private static final String INJECTOR_CONFIG_MAP = "istio-sidecar-injector";
    private static final String MESH_CONFIG_MAP = "istio";
    private static final String PARTIAL_METADATA = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
            + "application/json";

    /** What was read, and what could not be (one line each, for the user). */
    public record Result(MeshContext context, List<String> notes) {
    }

    private final KubernetesClient client;
    private final ApiResources api;
    private final Decoder decoder;

    public ClusterContextLoader(KubernetesClient client, ApiResources api, KindRegistry registry) {
        this.client = client;
        this.api = api;
        this.decoder = new Decoder(registry, "default");
    }

    /** One kind's objects, and the list's resourceVersion. */
    private record Listed(Kind kind, List<Resource> resources, String resourceVersion, String note) {
    }

    /**
     * Lists the cluster.
     *
     * @param rootNamespace Istio's root namespace, where the mesh config lives
     * @throws KubernetesClientException when the cluster does not answer at all
     */
    public Result load(String rootNamespace) {
        List<ApiResource> kinds = listedKinds();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, Math.max(1, kinds.size())), r -> {
            Thread t = new Thread(r, "meshcd-context-list");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Listed>> futures = new ArrayList<>();
            for (ApiResource kind : kinds) {
                futures.add(pool.submit(() -> list(kind)));
            }
            futures.add(pool.submit(this::secretNames));
            futures.add(pool.submit(() -> configMap(rootNamespace, MESH_CONFIG_MAP, "Istio's mesh config")));
            futures.add(pool.submit(() -> configMap(rootNamespace, INJECTOR_CONFIG_MAP, "Istio's sidecar injector")));
            List<Resource> all = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            TreeMap<String, String> versions = new TreeMap<>();
            for (Future<Listed> f : futures) {
                Listed listed = join(f);
                all.addAll(listed.resources());
                versions.put(versions.size() + " " + listed.kind(), listed.resourceVersion()); // two ConfigMap reads
                if (listed.note() != null) {
                    notes.add(listed.note());
                }
            }
            String source = "cluster " + client.getMasterUrl().toString().replaceAll("/+$", "");
            LOG.info("read {} objects of {} kinds from {}", all.size(), kinds.size() + 3, source);
            return new Result(new MeshContext(all, true, source, digest(versions.toString())), List.copyOf(notes));
        } finally {
            pool.shutdownNow();
        }
    }

    private static Listed join(Future<Listed> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while reading the cluster", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof KubernetesClientException k) {
                throw k;
            }
            throw new KubernetesClientException("cannot read the cluster: " + Faults.oneLine(cause), cause);
        }
    }

    /** The registry's Istio and context kinds that the cluster serves, each at its most preferred version. */
    private List<ApiResource> listedKinds() {
        List<ApiResource> out = new ArrayList<>();
        for (KindInfo info : decoder.registry().all()) {
            boolean wanted = info.role() == KindInfo.Role.ISTIO
                    || (info.role() == KindInfo.Role.CONTEXT && !NOT_LISTED.contains(info.kind().kind()));
            if (!wanted) {
                continue;
            }
            List<String> versions = new ArrayList<>(VERSION_PREFERENCE.stream().filter(info.versions()::contains).toList());
            info.versions().stream().filter(v -> !versions.contains(v)).sorted().forEach(versions::add);
            api.find(info.kind(), versions).ifPresent(out::add);
        }
        return out;
    }

    private Listed list(ApiResource resource) throws IOException {
        Kind kind = new Kind(resource.group(), resource.kind());
        Origin origin = Origin.named("cluster:" + resource.apiVersion() + "/" + resource.plural());
        List<Resource> out = new ArrayList<>();
        Diagnostics ignored = new Diagnostics(); // context is never reported on
        Read read = pages(resource.path("", null), "application/json", (item, rv) -> {
            if (!ContextTrimming.ownedByAnotherWorkload(kind, item)) {
                if (!item.hasNonNull("apiVersion")) {
                    item.put("apiVersion", resource.apiVersion());
                }
                if (!item.hasNonNull("kind")) {
                    item.put("kind", resource.kind());
                }
                ContextTrimming.trim(kind, item);
                out.addAll(decoder.decode(item, origin, ignored));
            }
        }, kind);
        return new Listed(kind, out, read.version(), read.note());
    }

    /** Secrets by name only: the API server is asked for their metadata, so no secret data crosses the wire. */
    private Listed secretNames() throws IOException {
        Kind kind = new Kind("", "Secret");
        Origin origin = Origin.named("cluster:v1/secrets");
        List<Resource> out = new ArrayList<>();
        Read read = pages("/api/v1/secrets", PARTIAL_METADATA, (item, rv) -> {
            JsonNode meta = item.path("metadata");
            ObjectNode secret = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
            ObjectNode m = secret.putObject("metadata");
            m.put("name", meta.path("name").asText());
            m.put("namespace", meta.path("namespace").asText());
            // Only names are kept: a full Secret (when the server ignores the metadata-only request) is dropped here.
            out.add(new Resource("v1", new ResourceKey("", "Secret", meta.path("namespace").asText(),
                    meta.path("name").asText()), secret, origin));
        }, kind);
        return new Listed(kind, out, read.version(), read.note());
    }

    /**
     * One of Istio's ConfigMaps in the root namespace, when the cluster has it: {@code istio} (the mesh config and
     * mesh networks) or {@code istio-sidecar-injector} (the injector's values), trimmed to what analysis reads.
     */
    private Listed configMap(String rootNamespace, String name, String what) throws IOException {
        Kind kind = new Kind("", "ConfigMap");
        String path = "/api/v1/namespaces/" + encode(rootNamespace) + "/configmaps/" + name;
        HttpResponse<InputStream> response = send(path, "application/json");
        try (InputStream body = response.body()) {
            if (response.code() == 404) {
                return new Listed(kind, List.of(), "", null);
            }
            if (response.code() == 403) {
                return new Listed(kind, List.of(), "", "may not read ConfigMap " + rootNamespace + "/" + name
                        + " (" + what + "): analyzed with Istio's defaults");
            }
            if (!response.isSuccessful()) {
                throw new KubernetesClientException("GET " + path + ": HTTP " + response.code(), response.code(), null);
            }
            ObjectNode cm = (ObjectNode) JSON.readTree(body);
            cm.put("apiVersion", "v1").put("kind", "ConfigMap");
            ContextTrimming.trim(kind, cm);
            List<Resource> decoded = decoder.decode(cm, Origin.named("cluster:" + path), new Diagnostics());
            return new Listed(kind, decoded, cm.path("metadata").path("resourceVersion").asText(""), null);
        }
    }

    /** What one list item is handed to. */
    private interface ItemSink {
        void accept(ObjectNode item, String listVersion);
    }

    /** What reading a collection gave: the last page's resourceVersion, or a note why it could not be read. */
    private record Read(String version, String note) {
    }

    /** One page: its continue token and resourceVersion. */
    private record Page(String token, String version) {
    }

    /**
     * Reads every page of a collection, streaming each page's items to {@code sink}. A collection the credentials
     * may not list gives a note; a 404 (the kind went away between discovery and the list) reads as empty.
     */
    private Read pages(String path, String accept, ItemSink sink, Kind kind) throws IOException {
        String token = null;
        String version = "";
        do {
            String url = path + "?limit=" + PAGE_SIZE + (token == null ? "" : "&continue=" + encode(token));
            HttpResponse<InputStream> response = send(url, accept);
            try (InputStream body = response.body()) {
                if (response.code() == 404) {
                    return new Read(version, null);
                }
                if (response.code() == 403) {
                    return new Read(version, "may not list " + kind + " in all namespaces: analyzed without them");
                }
                if (!response.isSuccessful()) {
                    throw new KubernetesClientException("LIST " + kind + ": HTTP " + response.code(), response.code(),
                            null);
                }
                Page page = readPage(body, sink);
                token = page.token();
                version = page.version();
            }
        } while (token != null && !token.isEmpty());
        return new Read(version, null);
    }

    /** Streams one list page's items to the sink. */
    private Page readPage(InputStream body, ItemSink sink) throws IOException {
        String token = null;
        String version = "";
        try (JsonParser p = FACTORY.createParser(body)) {
            p.setCodec(JSON);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a list response is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    JsonNode meta = p.readValueAsTree();
                    token = meta.path("continue").asText(null);
                    version = meta.path("resourceVersion").asText("");
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        sink.accept(p.readValueAsTree(), version);
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Page(token, version);
    }

    private HttpResponse<InputStream> send(String path, String accept) {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
                .uri(client.getMasterUrl().toString().replaceAll("/+$", "") + path)
                .header("Accept", accept).build();
        try {
            return client.getHttpClient().sendAsync(request, InputStream.class).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KubernetesClientException("cannot reach the API server at " + client.getMasterUrl() + ": "
                    + Faults.oneLine(cause), cause);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
