package dev.meshcd.admission.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.Origin;
import dev.meshcd.kube.ApiResource;
import dev.meshcd.kube.ApiResources;
import dev.meshcd.kube.Faults;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live {@link Snapshot} kept by fabric8 informers: Istio resources (every kind the cluster serves, found
 * through {@link ApiResources}), Services, Deployments, StatefulSets, DaemonSets and Namespaces, decoded once
 * per change.
 */
public final class InformerSnapshot implements Snapshot, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InformerSnapshot.class);
    private static final List<String> VERSION_PREFERENCE = List.of("v1", "v1beta1", "v1alpha3", "v1alpha1");

    private final KubernetesClient client;
    private final ApiResources api;
    private final Decoder decoder;
    private final VersionedResources resources = new VersionedResources();
    private final Map<String, Map<String, String>> namespaces = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, Map<String, String>>> namespaceListeners = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = Serialization.jsonMapper();
    /** Retries of the Istio kinds' discovery while the API server does not answer; one daemon thread for all. */
    private static final ScheduledExecutorService DISCOVERY = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshcd-discovery");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean istioWatched;
    private volatile boolean closed;

    public InformerSnapshot(KubernetesClient client, KindRegistry registry) {
        this(client, ApiResources.of(client), registry);
    }

    public InformerSnapshot(KubernetesClient client, ApiResources api, KindRegistry registry) {
        this.client = client;
        this.api = api;
        this.decoder = new Decoder(registry, "default");
    }

    /** Called with (namespace, labels) when a namespace appears or changes (labels null when deleted). */
    public void onNamespace(BiConsumer<String, Map<String, String>> listener) {
        namespaceListeners.add(listener);
    }

    /**
     * Starts the informers and waits (up to {@code timeoutSeconds}) until their caches are filled. An API server
     * that does not answer yet is no failure: the informers retry with fabric8's backoff, and the Istio kinds are
     * discovered again (1 s, 2 s, ... up to every 30 s) until it answers; {@link #synced()} tells when all is in.
     */
    public InformerSnapshot start(long timeoutSeconds) {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        started.add(watch(client.services().inAnyNamespace().runnableInformer(0).addEventHandler(handler())));
        started.add(watch(client.apps().deployments().inAnyNamespace().runnableInformer(0).addEventHandler(handler())));
        started.add(watch(client.apps().statefulSets().inAnyNamespace().runnableInformer(0).addEventHandler(handler())));
        started.add(watch(client.apps().daemonSets().inAnyNamespace().runnableInformer(0).addEventHandler(handler())));
        started.add(watch(client.namespaces().runnableInformer(0).addEventHandler(namespaceHandler())));
        Optional<List<CompletableFuture<Void>>> istio = watchIstioKinds();
        istio.ifPresentOrElse(started::addAll, () -> discoverLater(1));
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("informers not all synced after {} s ({}); they go on retrying", timeoutSeconds, Faults.oneLine(e));
        }
        LOG.info("watching {} kinds; {} resources cached", informers.size(), resources.size());
        return this;
    }

    /** Starts an informer that retries whatever fails (the API server down, a watch cut), logging one line each. */
    private CompletableFuture<Void> watch(SharedIndexInformer<?> informer) {
        informer.exceptionHandler((isStarted, t) -> {
            if (closed) {
                return false;
            }
            LOG.warn("{} {}: {} (retrying)", isStarted ? "watch of" : "cannot list", informer.getApiTypeClass()
                    .getSimpleName(), Faults.oneLine(t));
            return true;
        });
        informers.add(informer);
        return informer.start().toCompletableFuture();
    }

    /** Watches every served Istio kind; empty when the cluster cannot be asked which it serves. */
    private Optional<List<CompletableFuture<Void>>> watchIstioKinds() {
        Optional<List<ApiResource>> kinds = servedIstioKinds();
        if (kinds.isEmpty()) {
            return Optional.empty();
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (ApiResource served : kinds.get()) {
            started.add(watch(client.genericKubernetesResources(served.context()).inAnyNamespace().runnableInformer(0)
                    .addEventHandler(handler())));
        }
        istioWatched = true;
        return Optional.of(started);
    }

    private void discoverLater(long delaySeconds) {
        if (closed) {
            return;
        }
        DISCOVERY.schedule(() -> {
            if (!closed && watchIstioKinds().isEmpty()) {
                discoverLater(Math.min(30, delaySeconds * 2));
            }
        }, delaySeconds, TimeUnit.SECONDS);
    }

    /** Every Istio kind the registry knows and the cluster serves, each at its most preferred served version. */
    private Optional<List<ApiResource>> servedIstioKinds() {
        Map<KindInfo, ApiResource> out = new LinkedHashMap<>();
        try {
            for (KindInfo info : decoder.registry().all()) {
                if (info.role() != KindInfo.Role.ISTIO) {
                    continue;
                }
                List<String> versions = VERSION_PREFERENCE.stream().filter(info.versions()::contains).toList();
                api.find(info.kind(), versions).ifPresentOrElse(r -> out.put(info, r),
                        () -> LOG.debug("{} not served by this cluster; not watched", info.kind()));
            }
        } catch (RuntimeException e) { // KubernetesClientException: the cluster does not answer
            LOG.warn("cannot discover the cluster's Istio kinds ({}); asking again shortly", Faults.oneLine(e));
            api.reset();
            return Optional.empty();
        }
        return Optional.of(List.copyOf(out.values()));
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                put(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                put(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                remove(obj);
            }
        };
    }

    private ResourceEventHandler<Namespace> namespaceHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                putNamespace(ns);
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace ns) {
                putNamespace(ns);
            }

            @Override
            public void onDelete(Namespace ns, boolean unknown) {
                namespaces.remove(ns.getMetadata().getName());
                remove(ns);
                namespaceListeners.forEach(l -> l.accept(ns.getMetadata().getName(), null));
            }
        };
    }

    private void putNamespace(Namespace ns) {
        Map<String, String> labels = ns.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(ns.getMetadata().getLabels());
        namespaces.put(ns.getMetadata().getName(), labels);
        put(ns);
        namespaceListeners.forEach(l -> {
            try {
                l.accept(ns.getMetadata().getName(), labels);
            } catch (RuntimeException e) {
                LOG.warn("namespace listener failed for {}: {}", ns.getMetadata().getName(), e.toString());
            }
        });
    }

    private void put(HasMetadata obj) {
        try {
            ObjectNode node = json.valueToTree(obj);
            node.remove("status");
            List<Resource> decoded = decoder.decode(node, Origin.NONE, new Diagnostics());
            for (Resource r : decoded) {
                resources.put(r);
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot cache {} {}: {}", obj.getKind(), obj.getMetadata().getName(), e.toString());
        }
    }

    private void remove(HasMetadata obj) {
        String apiVersion = obj.getApiVersion() == null ? "" : obj.getApiVersion();
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String ns = obj.getMetadata().getNamespace();
        ResourceKey key = new ResourceKey(group, obj.getKind(), ns == null ? "" : ns, obj.getMetadata().getName());
        resources.remove(key);
    }

    @Override
    public long version() {
        return resources.version();
    }

    @Override
    public Map<ResourceKey, Resource> changesSince(long since) {
        return resources.changesSince(since);
    }

    @Override
    public List<Resource> resources() {
        return resources.resources();
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        return namespaces.getOrDefault(namespace, Map.of());
    }

    public Map<String, Map<String, String>> namespaces() {
        return Collections.unmodifiableMap(new HashMap<>(namespaces));
    }

    @Override
    public boolean synced() {
        return istioWatched && !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** After the first sync: how many watches are reconnecting (answers come from the state last received). */
    @Override
    public Optional<String> behind() {
        if (!synced()) {
            return Optional.empty();
        }
        long reconnecting = informers.stream().filter(i -> !i.isWatching()).count();
        return reconnecting == 0 ? Optional.empty() : Optional.of(reconnecting + " of " + informers.size()
                + " watches reconnecting to the API server; answering from the last state received");
    }

    /** False when a watch has stopped for good (not by {@link #close()}): the process should be restarted. */
    @Override
    public boolean healthy() {
        return closed || informers.stream().allMatch(SharedIndexInformer::isRunning);
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
    }
}
