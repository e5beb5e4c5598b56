package dev.meshcd.admission;

import dev.meshcd.admission.cluster.InformerSnapshot;
import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.admission.cluster.RootCertPublisher;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.inject.PodInjector;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.AnalysisPolicy;
import dev.meshcd.admission.webhook.InjectHandler;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.admission.webhook.WebhookMetrics;
import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.pipeline.Compiler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code meshcd run} serves, wired together: serving certificates, the live snapshot, the
 * validating and injecting handlers, the HTTPS server, the caBundle of meshcd's webhook configurations
 * and the {@code istio-ca-root-cert} ConfigMaps.
 */
public final class AdmissionRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionRuntime.class);

    /**
     * @param client          the cluster, or null to serve with an empty snapshot (no informers)
     * @param compiler        the compiler in force, asked per request (a workspace's: it follows meshcd.yaml)
     * @param injector        sidecar injection for {@code /inject}
     * @param syncIdentities  users allowed to change Git-managed objects
     * @param rootCertPem     the mesh root certificate to publish, or null to publish the webhook CA
     * @param syncWait        how long {@link #start()} waits for the caches before serving anyway (not ready yet)
     */
    public record Config(String host, int port, CertStore certStore, List<String> sans, KubernetesClient client,
                         Supplier<Compiler> compiler, PodInjector injector, Set<String> syncIdentities,
                         String rootCertPem, Duration certCheckEvery, long maxBody, Duration syncWait,
                         Supplier<java.util.Optional<String>> readyNote, InjectorConfigWatch injectorConfig) {
        public static Builder builder() {
            return new Builder();
        }
    }

    /** {@link Config} with meshcd run's defaults: 0.0.0.0:8443, certificates in memory, no cluster, no injection. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8443;
        private CertStore certStore = CertStore.memory();
        private List<String> sans = List.of("localhost", "127.0.0.1");
        private KubernetesClient client;
        private Supplier<Compiler> compiler;
        private PodInjector injector;
        private Set<String> syncIdentities = Set.of(OwnershipGuard.DEFAULT_SYNC_IDENTITY);
        private String rootCertPem;
        private Duration certCheckEvery = Duration.ofMinutes(10);
        private long maxBody = WebhookServer.DEFAULT_MAX_BODY;
        private Duration syncWait = Duration.ofSeconds(60);
        private Supplier<java.util.Optional<String>> readyNote = java.util.Optional::empty;
        private InjectorConfigWatch injectorConfig;

        private Builder() {
        }

        public Builder listen(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        public Builder certificates(CertStore store, List<String> sans) {
            this.certStore = store;
            this.sans = List.copyOf(sans);
            return this;
        }

        public Builder client(KubernetesClient client) {
            this.client = client;
            return this;
        }

        public Builder compiler(Supplier<Compiler> compiler) {
            this.compiler = compiler;
            return this;
        }

        public Builder injector(PodInjector injector) {
            this.injector = injector;
            return this;
        }

        public Builder syncIdentities(Set<String> identities) {
            this.syncIdentities = Set.copyOf(identities);
            return this;
        }

        public Builder rootCertPem(String pem) {
            this.rootCertPem = pem;
            return this;
        }

        public Builder certCheckEvery(Duration every) {
            this.certCheckEvery = every;
            return this;
        }

        public Builder maxBody(long maxBody) {
            this.maxBody = maxBody;
            return this;
        }

        /** How long {@link AdmissionRuntime#start()} waits for the caches before serving anyway (not ready yet). */
        public Builder syncWait(Duration wait) {
            this.syncWait = wait;
            return this;
        }

        /** A note for /readyz's body besides the snapshot's (e.g. the Git sync failing), without turning unready. */
        public Builder readyNote(Supplier<java.util.Optional<String>> note) {
            this.readyNote = note;
            return this;
        }

        /**
         * Injection settings that follow Istio's injector ConfigMaps: {@code /inject} uses its injector (unless
         * {@link #injector} is given), the runtime starts and closes it, /readyz waits for it and shows its note,
         * /metrics its counters.
         */
        public Builder injectorConfig(InjectorConfigWatch watch) {
            this.injectorConfig = watch;
            return this;
        }

        public Config build() {
            java.util.Objects.requireNonNull(compiler, "compiler");
            return new Config(host, port, certStore, sans, client, compiler, injector, syncIdentities, rootCertPem,
                    certCheckEvery, maxBody, syncWait, readyNote, injectorConfig);
        }
    }

    /** Injects nothing: used until a real injector is configured. */
    public static final PodInjector NO_INJECTION = (pod, namespace, labels) ->
            new PodInjector.Result(pod, false, "no injector configured", List.of());

    private final Config config;
    private final Map<String, WebhookServer.PostHandler> routes = new java.util.LinkedHashMap<>();
    private ServingCertificates certificates;
    private InformerSnapshot informers;
    private Snapshot snapshot;
    private WebhookServer server;

    public AdmissionRuntime(Config config) {
        this.config = config;
    }

    /** An extra {@code POST} route on the webhook server (call before {@link #start()}). */
    public AdmissionRuntime route(String path, WebhookServer.PostHandler handler) {
        routes.put(path, handler);
        return this;
    }

    /**
     * Serves at once (alive, not ready), then fills the caches (waiting up to {@link Config#syncWait()}) and
     * writes the caBundle. A cluster that does not answer yet is retried in the background: the informers catch
     * up and the caBundle is written once the API server is back.
     */
    public AdmissionRuntime start() {
        certificates = new ServingCertificates(config.certStore(), config.sans(), Duration.ofDays(3650),
                Duration.ofDays(90), Duration.ofDays(30));
        certificates.initialize();
        KubernetesClient client = config.client();
        if (client != null) {
            informers = new InformerSnapshot(client, config.compiler().get().decoder().registry());
            String root = config.rootCertPem() != null ? config.rootCertPem() : certificates.current().ca().certPem();
            RootCertPublisher publisher = new RootCertPublisher(client, root);
            informers.onNamespace(publisher::namespaceChanged);
            snapshot = informers;
        } else {
            snapshot = Snapshot.of(List.of(), Map.of());
        }
        ValidatingHandler validate = new ValidatingHandler(config.compiler(), snapshot,
                new OwnershipGuard(config.syncIdentities()), AnalysisPolicy.STANDARD);
        InjectorConfigWatch watch = config.injectorConfig();
        PodInjector injector = config.injector() != null ? config.injector()
                : watch != null ? watch.injector() : NO_INJECTION;
        InjectHandler inject = new InjectHandler(injector, snapshot);
        WebhookMetrics metrics = new WebhookMetrics();
        if (watch != null) {
            watch.metrics(metrics.registry());
        }
        server = WebhookServer.builder(certificates).host(config.host()).port(config.port())
                .handler("validate", validate).handler("inject", inject).posts(routes).metrics(metrics)
                .ready(() -> snapshot.synced() && (watch == null || watch.synced())).readyDetail(this::readyNotes)
                .live(snapshot::healthy).maxBody(config.maxBody()).build().start();
        if (watch != null) {
            watch.start();
        }
        if (client != null) {
            informers.start(Math.max(1, config.syncWait().toSeconds()));
            writeCaBundle(client, 1);
        }
        certificates.startRenewal(config.certCheckEvery());
        return this;
    }

    /** What /readyz adds to "ok": the snapshot lagging the cluster, the configured note; empty when all is well. */
    private java.util.Optional<String> readyNotes() {
        InjectorConfigWatch watch = config.injectorConfig();
        String notes = java.util.stream.Stream.of(snapshot.behind(), config.readyNote().get(),
                        watch == null ? java.util.Optional.<String>empty() : watch.note())
                .flatMap(java.util.Optional::stream).collect(java.util.stream.Collectors.joining("; "));
        return notes.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(notes);
    }

    /** Writes the caBundle into meshcd's webhook configurations, again and again (backing off) until it succeeds. */
    private void writeCaBundle(KubernetesClient client, long attempt) {
        try {
            InstallManifests.patchCaBundle(client, certificates.current().ca().certPem());
        } catch (RuntimeException e) {
            long delay = Math.min(60, 1L << Math.min(attempt, 6));
            LOG.warn("cannot write caBundle into the webhook configurations ({}); trying again in {} s",
                    dev.meshcd.kube.Faults.oneLine(e),
                    delay);
            if (!retries.isShutdown()) {
                retries.schedule(() -> writeCaBundle(client, attempt + 1), delay, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private final java.util.concurrent.ScheduledExecutorService retries =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meshcd-cabundle");
                t.setDaemon(true);
                return t;
            });

    public int port() {
        return server.port();
    }

    public ServingCertificates certificates() {
        return certificates;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public WebhookServer server() {
        return server;
    }

    @Override
    public void close() {
        retries.shutdownNow();
        if (server != null) {
            server.close();
        }
        if (informers != null) {
            informers.close();
        }
        if (config.injectorConfig() != null) {
            config.injectorConfig().close();
        }
        if (certificates != null) {
            certificates.close();
        }
    }
}
