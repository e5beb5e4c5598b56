package dev.meshcd.admission.cluster;

import dev.meshcd.admission.inject.InjectionConfigException;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioInjectorConfig;
import dev.meshcd.admission.inject.LiveInjector;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.kube.Faults;
import dev.meshcd.admission.inject.Revisions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows what istiod's injector reads, in Istio's namespace, for the revision meshcd serves (istiod's names):
 * ConfigMap {@code istio-sidecar-injector} ({@code istio-sidecar-injector-REV}) with {@code values} and
 * {@code config}, and ConfigMap {@code istio} ({@code istio-REV}) with {@code mesh}. Every change is read with
 * {@link IstioInjectorConfig} into new {@link InjectionSettings}, which the {@link LiveInjector} uses from the next
 * request on. It also follows the revision tags (MutatingWebhookConfigurations labelled {@code istio.io/tag}, whose
 * {@code istio.io/rev} names the revision): the pods of a tag pointing at the served revision are injected too
 * ({@link Revisions}).
 *
 * <ul>
 *   <li>A ConfigMap that is absent leaves its part to the fallback (the {@code --valuesFile},
 *       {@code --injectConfigFile}, {@code --meshConfigFile} files, else meshcd's defaults); /readyz says so.</li>
 *   <li>A ConfigMap that does not parse keeps the last good settings, as istiod's ConfigMap watcher does: it is
 *       logged, counted ({@code meshcd_injection_config_rejected_total}) and named in /readyz, which stays ready
 *       (validation is unaffected, and injection goes on with what the cluster's istiod was last given).</li>
 *   <li>When there never were good settings (broken from the start), injection refuses the pods it would inject,
 *       naming the error: istiod does not serve its webhook then either, and a sidecar under other settings would
 *       not match the cluster's istiod.</li>
 * </ul>
 */
public final class InjectorConfigWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InjectorConfigWatch.class);
    /** The label of a revision tag's MutatingWebhookConfiguration (its value: the tag). */
    public static final String TAG = "istio.io/tag";

    /**
     * @param istioNamespace Istio's namespace ({@code istio-system})
     * @param revision       the revision meshcd serves ({@code default}: the ConfigMaps without a suffix)
     * @param fallback       what to read a part from when its ConfigMap is absent (null parts: defaults)
     * @param finish         applied to every settings read (command-line overrides, native sidecars)
     */
    public record Options(String istioNamespace, String revision, IstioInjectorConfig.Inputs fallback,
                          UnaryOperator<InjectionSettings> finish) {
        public Options {
            revision = revision == null || revision.isEmpty() ? "default" : revision;
            fallback = fallback == null ? new IstioInjectorConfig.Inputs(null, null, null) : fallback;
            finish = finish == null ? UnaryOperator.identity() : finish;
        }

        /** {@code istio-sidecar-injector}, or {@code istio-sidecar-injector-REV} for another revision. */
        public String injectorConfigMap() {
            return revision.equals("default") ? "istio-sidecar-injector" : "istio-sidecar-injector-" + revision;
        }

        /** {@code istio}, or {@code istio-REV}. */
        public String meshConfigMap() {
            return revision.equals("default") ? "istio" : "istio-" + revision;
        }
    }

    /** A revision name istiod accepts in its ConfigMaps' and Service's names (a DNS label). */
    public static boolean validRevision(String revision) {
        return revision != null && revision.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    }

    /** Where the settings in force come from and what is wrong, for /readyz and logs. */
    public record Status(boolean synced, String source, String problem) {
    }

    private final KubernetesClient client;
    private final Options options;
    private final LiveInjector injector;
    private final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();
    /** Revision tags: webhook configuration name → (tag, revision). */
    private final Map<String, Map.Entry<String, String>> tags = new ConcurrentHashMap<>();
    private volatile boolean tagsListed;
    private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
    private final List<Runnable> appliedListeners = new CopyOnWriteArrayList<>();
    private volatile Status status;
    private volatile boolean everGood;
    private volatile boolean closed;
    /** When the informer last handed over a ConfigMap update (System.nanoTime), for the change-to-applied latency. */
    private volatile long lastEventNanos;
    private Counter rejected;
    private Counter applied;
    private Gauge stale;

    /**
     * @param client the cluster, or null to read nothing but the fallback (tests call {@link #changed} directly)
     */
    public InjectorConfigWatch(KubernetesClient client, Options options) {
        this.client = client;
        this.options = options;
        InjectionSettings initial;
        try {
            initial = options.finish().apply(servedRevision(IstioInjectorConfig.read(options.fallback(),
                    InjectionSettings.defaults())));
        } catch (InjectionConfigException e) {
            // the files were read once by the command line already: this is a programming error
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.injector = new LiveInjector(initial);
        this.status = new Status(client == null, "not read yet", null);
        this.tagsListed = client == null;
    }

    /** The revision is the one served, whatever the values say (their ConfigMap is that revision's). */
    private InjectionSettings servedRevision(InjectionSettings s) {
        return s.withMesh(s.mesh().toBuilder().revision(options.revision()).build());
    }

    public Options options() {
        return options;
    }

    /** The injector whose settings follow the ConfigMaps. */
    public LiveInjector injector() {
        return injector;
    }

    public Status status() {
        return status;
    }

    /** Called after every change that was applied (a new settings snapshot in force); for benchmarks and tests. */
    public void onApplied(Runnable listener) {
        appliedListeners.add(listener);
    }

    /** When the watch last delivered a ConfigMap update (System.nanoTime; 0 before any). */
    public long lastEventNanos() {
        return lastEventNanos;
    }

    /** Registers this watch's metrics (call before {@link #start}). */
    public InjectorConfigWatch metrics(PrometheusRegistry registry) {
        rejected = Counter.builder().name("meshcd_injection_config_rejected_total")
                .help("Changes of Istio's injector ConfigMaps that did not parse (the last good settings stay)")
                .labelNames("configmap").register(registry);
        applied = Counter.builder().name("meshcd_injection_config_applied_total")
                .help("Injection settings read from Istio's injector ConfigMaps and put in force").register(registry);
        stale = Gauge.builder().name("meshcd_injection_config_stale")
                .help("1 while the injector ConfigMaps in the cluster do not parse and older settings are served")
                .register(registry);
        return this;
    }

    /** Starts the ConfigMap informer (Istio's namespace only); its list fills the cache before settings are read. */
    public InjectorConfigWatch start() {
        if (client == null) {
            return this;
        }
        SharedIndexInformer<ConfigMap> cms = client.configMaps().inNamespace(options.istioNamespace())
                .runnableInformer(0);
        cms.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap cm) {
                changed(cm);
            }

            @Override
            public void onUpdate(ConfigMap old, ConfigMap cm) {
                lastEventNanos = System.nanoTime();
                changed(cm);
            }

            @Override
            public void onDelete(ConfigMap cm, boolean unknown) {
                deleted(cm.getMetadata().getName());
            }
        });
        cms.exceptionHandler((started, t) -> {
            if (closed) {
                return false;
            }
            if (forbidden(t)) {
                // an install from before meshcd read them: serve the fallback rather than never turning ready
                LOG.warn("not allowed to read ConfigMaps in {} ({}): injection settings from the files and defaults;"
                        + " run `meshcd install` again for the RBAC", options.istioNamespace(), Faults.oneLine(t));
                synchronized (InjectorConfigWatch.this) {
                    synced(List.of());
                    Status st = status;
                    status = new Status(true, "not allowed to read ConfigMaps in " + options.istioNamespace() + ", "
                            + st.source(), st.problem());
                }
                return false;
            }
            LOG.warn("{} ConfigMaps in {}: {} (retrying)", started ? "watch of" : "cannot list",
                    options.istioNamespace(), Faults.oneLine(t));
            return true;
        });
        informers.add(cms);
        cms.start().whenComplete((v, t) -> {
            if (t == null) {
                synced(cms.getStore().list());
            }
        });
        SharedIndexInformer<MutatingWebhookConfiguration> tagHooks = client.admissionRegistration().v1()
                .mutatingWebhookConfigurations().withLabel(TAG).runnableInformer(0);
        tagHooks.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(MutatingWebhookConfiguration m) {
                tagChanged(m);
            }

            @Override
            public void onUpdate(MutatingWebhookConfiguration old, MutatingWebhookConfiguration m) {
                tagChanged(m);
            }

            @Override
            public void onDelete(MutatingWebhookConfiguration m, boolean unknown) {
                tagDeleted(m.getMetadata().getName());
            }
        });
        tagHooks.exceptionHandler((started, t) -> {
            if (closed) {
                return false;
            }
            if (forbidden(t)) {
                LOG.warn("not allowed to list revision tags ({}): only revision {} is injected; run `meshcd install`"
                        + " again for the RBAC", Faults.oneLine(t), options.revision());
                tagsListed = true;
                return false;
            }
            LOG.warn("{} revision tags (MutatingWebhookConfigurations labelled {}): {} (retrying)",
                    started ? "watch of" : "cannot list", TAG, Faults.oneLine(t));
            return true;
        });
        informers.add(tagHooks);
        tagHooks.start().whenComplete((v, t) -> {
            if (t == null) {
                tagHooks.getStore().list().forEach(this::tagChanged);
                tagsListed = true;
            }
        });
        return this;
    }

    /** The informer's list is in (its handlers may not have seen it yet): read it, absent ConfigMaps included. */
    synchronized void synced(List<ConfigMap> listed) {
        for (ConfigMap cm : listed) {
            if (relevant(cm.getMetadata().getName())) {
                configMaps.put(cm.getMetadata().getName(), cm);
            }
        }
        recompute(null);
    }

    /** A ConfigMap in Istio's namespace appeared or changed. */
    public synchronized void changed(ConfigMap cm) {
        String name = cm.getMetadata().getName();
        ConfigMap known = configMaps.get(name);
        if (!relevant(name) || known != null && cm.getMetadata().getResourceVersion() != null
                && cm.getMetadata().getResourceVersion().equals(known.getMetadata().getResourceVersion())) {
            return; // not ours, or the initial list's add delivered after synced() read it
        }
        configMaps.put(name, cm);
        if (status.synced() || client == null) {
            recompute(name);
        }
    }

    /** A ConfigMap in Istio's namespace was deleted. */
    public synchronized void deleted(String name) {
        if (relevant(name) && configMaps.remove(name) != null && (status.synced() || client == null)) {
            recompute(name);
        }
    }

    private static boolean forbidden(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getCode() == 403) {
                return true;
            }
        }
        return false;
    }

    /** A revision tag's webhook configuration appeared or changed (labels {@code istio.io/tag}, {@code istio.io/rev}). */
    public synchronized void tagChanged(MutatingWebhookConfiguration m) {
        Map<String, String> labels = m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels();
        String tag = labels.get(TAG);
        if (tag == null || tag.isEmpty()) {
            tagDeleted(m.getMetadata().getName());
            return;
        }
        String rev = labels.getOrDefault("istio.io/rev", "default");
        Map.Entry<String, String> entry = Map.entry(tag, rev.isEmpty() ? "default" : rev);
        if (!entry.equals(tags.put(m.getMetadata().getName(), entry))) {
            revisionsChanged();
        }
    }

    /** A revision tag's webhook configuration was deleted. */
    public synchronized void tagDeleted(String name) {
        if (tags.remove(name) != null) {
            revisionsChanged();
        }
    }

    private void revisionsChanged() {
        Map<String, String> tagToRevision = new java.util.TreeMap<>();
        tags.values().forEach(e -> tagToRevision.put(e.getKey(), e.getValue()));
        Revisions before = injector.revisions();
        Revisions now = Revisions.of(options.revision(), tagToRevision);
        if (!now.equals(before)) {
            injector.use(now);
            LOG.info("injecting the pods of revision {}{}{}", now.served(),
                    now.tags().isEmpty() ? "" : " and its tags " + String.join(", ", now.tags()),
                    now.legacy() ? " (the default revision: istio-injection=enabled too)" : "");
            appliedListeners.forEach(Runnable::run);
        }
    }

    private boolean relevant(String name) {
        return name.equals(options.injectorConfigMap()) || name.equals(options.meshConfigMap());
    }

    /** Reads the settings from what is cached now; {@code cause} names the ConfigMap that changed (null: all). */
    private void recompute(String cause) {
        ConfigMap inj = configMaps.get(options.injectorConfigMap());
        ConfigMap mesh = configMaps.get(options.meshConfigMap());
        IstioInjectorConfig.Inputs fb = options.fallback();
        IstioInjectorConfig.Inputs inputs = new IstioInjectorConfig.Inputs(
                inj != null ? part(inj, "values") : fb.values(), inj != null ? part(inj, "config") : fb.config(),
                mesh != null ? part(mesh, "mesh") : fb.mesh());
        String source = describe(inj, mesh);
        try {
            InjectionSettings s = options.finish().apply(servedRevision(IstioInjectorConfig.read(inputs,
                    InjectionSettings.defaults())));
            injector.use(s);
            everGood = true;
            status = new Status(true, source, null);
            if (applied != null) {
                applied.inc();
                stale.set(0);
            }
            LOG.info("injection settings from {}: image {}/{}:{}", source, s.images().hub(), s.images().proxyImage(),
                    s.images().tag());
            appliedListeners.forEach(Runnable::run);
        } catch (InjectionConfigException e) {
            String problem = e.getMessage();
            if (rejected != null) {
                rejected.labelValues(cause != null ? cause : culprit(e)).inc();
                stale.set(1);
            }
            if (everGood) {
                LOG.warn("injection settings not changed: {} (serving the last good settings)", problem);
                status = new Status(true, status.source(), problem + "; serving the last good settings ("
                        + status.source() + ")");
            } else {
                LOG.error("no usable injection settings: {} (pods that would be injected are refused)", problem);
                injector.refuse("meshcd has no usable injection settings: " + problem);
                status = new Status(true, source, problem + "; pods that would be injected are refused until it is "
                        + "fixed");
            }
        }
    }

    /** Which ConfigMap an error's file name points at. */
    private String culprit(InjectionConfigException e) {
        String file = e.location().file();
        return file.contains(options.meshConfigMap() + "[") ? options.meshConfigMap() : options.injectorConfigMap();
    }

    /** One data key of a ConfigMap (null when absent), named so that errors say where: {@code istio-system/istio[mesh]:3:5}. */
    public static SourceFile part(ConfigMap cm, String key) {
        String text = cm.getData() == null ? null : cm.getData().get(key);
        if (text == null) {
            return null;
        }
        return new SourceFile(cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName() + "[" + key + "]",
                text.getBytes(StandardCharsets.UTF_8));
    }

    private String describe(ConfigMap inj, ConfigMap mesh) {
        List<String> parts = new ArrayList<>();
        String ns = options.istioNamespace();
        parts.add(inj != null ? "ConfigMap " + ns + "/" + inj.getMetadata().getName() + " (resourceVersion "
                + inj.getMetadata().getResourceVersion() + ")"
                : "no ConfigMap " + ns + "/" + options.injectorConfigMap() + ": values and config from "
                + (options.fallback().values() != null || options.fallback().config() != null ? "the files given"
                : "meshcd's defaults"));
        parts.add(mesh != null ? "ConfigMap " + ns + "/" + mesh.getMetadata().getName() + " (resourceVersion "
                + mesh.getMetadata().getResourceVersion() + ")"
                : "no ConfigMap " + ns + "/" + options.meshConfigMap() + ": mesh config from "
                + (options.fallback().mesh() != null ? "the file given" : "meshcd's defaults"));
        return String.join(", ", parts);
    }

    /** Whether the ConfigMaps (absent ones included) and the revision tags have been read once. */
    public boolean synced() {
        return status.synced() && tagsListed;
    }

    /** What /readyz adds: a broken ConfigMap, or absent ones (settings from files or defaults); empty otherwise. */
    public Optional<String> note() {
        Status s = status;
        if (!s.synced()) {
            return Optional.empty();
        }
        if (s.problem() != null) {
            return Optional.of("injection settings: " + s.problem());
        }
        return s.source().contains("no ConfigMap") || s.source().startsWith("not allowed")
                ? Optional.of("injection settings: " + s.source())
                : Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
    }
}
