package dev.meshcd.cli;

import dev.meshcd.admission.AdmissionRuntime;
import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.admission.cluster.NativeSidecarSupport;
import dev.meshcd.admission.inject.InjectionConfigException;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioInjectorConfig;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.DirCertStore;
import dev.meshcd.admission.tls.SecretCertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Serve meshcd's admission webhooks over HTTPS: /validate, /inject, /healthz, /readyz, /metrics.%n"
                + "With --repo, also make the cluster follow a Git repository (the GitOps loop): poll it, sync at once "
                + "on a push webhook (/hooks/github, /hooks/gitea, /hooks/gitlab), compile, apply, prune, report "
                + "commit statuses. Pull-request events at the same hooks are reviewed (never applied) and the review "
                + "posted to the --status forge. With --leader-elect every replica serves webhooks and one syncs.%n"
                + "Runs until stopped. Exit 2 on usage errors or when the server cannot start.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--port", description = "HTTPS port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port = 8443;

    @Option(names = "--host", description = "address to listen on (default ${DEFAULT-VALUE})")
    String host = "0.0.0.0";

    @Option(names = "--cert-dir", description = "keep the webhook CA and serving certificate here (ca.crt, tls.crt, ...)")
    Path certDir;

    @Option(names = "--tls-secret", description = "keep them in this Secret instead (NAMESPACE/NAME), shared by replicas")
    String tlsSecret;

    @Option(names = "--kubeconfig", description = "cluster to watch (default: $KUBECONFIG, ~/.kube/config or in-cluster)")
    Path kubeconfig;

    @Option(names = "--no-cluster", description = "serve without watching a cluster (cross-resource checks see nothing)")
    boolean noCluster;

    @Option(names = "--native-sidecars", description = "inject istio-proxy as a native sidecar (an init container with "
            + "restartPolicy Always): auto (default: when the API server is Kubernetes 1.29 or newer; on without a "
            + "cluster), true or false")
    String nativeSidecars = "auto";

    @Option(names = "--valuesFile", paramLabel = "FILE", description = "Istio chart values for injection (the "
            + "istio-sidecar-injector ConfigMap's 'values'), as istioctl kube-inject takes it")
    Path valuesFile;

    @Option(names = "--injectConfigFile", paramLabel = "FILE", description = "injector config (the "
            + "istio-sidecar-injector ConfigMap's 'config'): policy, templates, defaultTemplates, aliases")
    Path injectConfigFile;

    @Option(names = "--meshConfigFile", paramLabel = "FILE", description = "mesh config for injection (the istio "
            + "ConfigMap's 'mesh')")
    Path meshConfigFile;

    @Option(names = "--istio-namespace", paramLabel = "NS", description = "Istio's namespace, where istiod's injector "
            + "ConfigMaps are read and watched (default ${DEFAULT-VALUE})")
    String istioNamespace = "istio-system";

    @Option(names = "--revision", paramLabel = "REV", description = "the Istio revision whose sidecars this meshcd "
            + "injects, like istiod's: its ConfigMaps (istio-sidecar-injector-REV, istio-REV; no suffix for "
            + "${DEFAULT-VALUE}), namespaces and pods labelled istio.io/rev=REV or a tag of it (default ${DEFAULT-VALUE})")
    String revision = "default";

    @Option(names = "--service", description = "webhook Service (NAME.NAMESPACE) whose DNS names the certificate covers "
            + "(default ${DEFAULT-VALUE})")
    String service = "meshcd-webhook.meshcd-system";

    @Option(names = "--san", description = "extra DNS name or IP for the serving certificate (repeatable)")
    List<String> extraSans = new ArrayList<>();

    @Option(names = "--sync-identity", description = "user allowed to change Git-managed objects (repeatable; default "
            + OwnershipGuard.DEFAULT_SYNC_IDENTITY + ")")
    List<String> syncIdentities = new ArrayList<>();

    @Option(names = "--mesh-root-cert", description = "PEM file published as istio-ca-root-cert (default: the webhook CA)")
    Path meshRootCert;

    @Option(names = "--max-body", description = "largest request body in bytes (default ${DEFAULT-VALUE})")
    long maxBody = WebhookServer.DEFAULT_MAX_BODY;

    @Option(names = "--port-file", hidden = true, description = "write the bound port to this file once serving")
    Path portFile;

    @Option(names = "--config", paramLabel = "FILE", description = "meshcd.yaml whose settings (outside workloads, "
            + "suppressions, domain suffix) /validate applies; with --repo the repository's own meshcd.yaml is used")
    Path config;

    @CommandLine.ArgGroup(exclusive = false, heading = "%nGitOps loop (with --repo):%n")
    SyncArgs sync = new SyncArgs();

    /** A client for the cluster in {@code kubeconfig}, or from $KUBECONFIG / ~/.kube/config / in-cluster. */
    static KubernetesClient client(Path kubeconfig) throws java.io.IOException {
        return client(kubeconfig, null);
    }

    /** Likewise, acting as {@code impersonate} (a user name) when not null. */
    static KubernetesClient client(Path kubeconfig, String impersonate) throws java.io.IOException {
        Config cfg = kubeconfig != null
                ? Config.fromKubeconfig(null, SmallFile.read(kubeconfig), kubeconfig.toString())
                : Config.autoConfigure(null);
        if (impersonate != null) {
            cfg.setImpersonateUsername(impersonate);
        }
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    /** The webhook's workspace when no repository is synced: {@code --config}'s settings, or none. */
    static Workspace webhookWorkspace(Path config) throws java.io.IOException {
        Workspace.Builder b = Workspace.builder();
        if (config != null) {
            b.config(Workspaces.read(config));
        }
        return b.build();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter err = spec.commandLine().getErr();
        // A server logs what it does: the audit trail and lifecycle at INFO (unless configured otherwise).
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.meshcd.audit", "info");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.dev.meshcd", "info");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        if (config != null && sync.repo != null) {
            err.println("meshcd run: --config is for serving without --repo (the repository's meshcd.yaml applies)");
            return ExitCodes.USAGE;
        }
        if (maxBody <= 0) {
            err.println("meshcd run: --max-body must be a positive number of bytes, not " + maxBody);
            return ExitCodes.USAGE;
        }
        if (!List.of("auto", "true", "false").contains(nativeSidecars)) {
            err.println("meshcd run: --native-sidecars is auto, true or false, not " + nativeSidecars);
            return ExitCodes.USAGE;
        }
        if (!InjectorConfigWatch.validRevision(revision) || !InjectorConfigWatch.validRevision(istioNamespace)) {
            err.println("meshcd run: --revision and --istio-namespace must be DNS labels (lower case, digits, '-'),"
                    + " not " + revision + ", " + istioNamespace);
            return ExitCodes.USAGE;
        }
        IstioInjectorConfig.Inputs injectionFiles;
        try {
            injectionFiles = IstioInjectorConfig.readInputs(valuesFile, injectConfigFile, meshConfigFile);
            IstioInjectorConfig.read(injectionFiles, InjectionSettings.defaults());
        } catch (java.io.IOException | InjectionConfigException e) {
            err.println("meshcd run: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        KubernetesClient client = null;
        if (!noCluster) {
            client = client(kubeconfig);
        }
        CertStore store;
        if (tlsSecret != null) {
            if (client == null || !tlsSecret.contains("/")) {
                err.println("meshcd run: --tls-secret needs NAMESPACE/NAME and a cluster");
                return ExitCodes.USAGE;
            }
            String[] p = tlsSecret.split("/", 2);
            store = new SecretCertStore(client, p[0], p[1]);
        } else if (certDir != null) {
            store = new DirCertStore(certDir);
        } else {
            store = CertStore.memory();
        }
        String[] svc = service.split("\\.", 2);
        List<String> sans = new ArrayList<>(ServingCertificates.serviceSans(svc[0], svc.length > 1 ? svc[1] : "meshcd-system"));
        sans.addAll(extraSans);
        var ids = new LinkedHashSet<>(syncIdentities.isEmpty() ? List.of(OwnershipGuard.DEFAULT_SYNC_IDENTITY) : syncIdentities);
        String root = meshRootCert == null ? null : SmallFile.read(meshRootCert);
        SyncArgs.Running syncing = null;
        // The sync gate reads the cluster from the webhook's informers, which start with the runtime below.
        java.util.concurrent.atomic.AtomicReference<AdmissionRuntime> started = new java.util.concurrent.atomic.AtomicReference<>();
        if (sync.repo != null) {
            if (client == null) {
                err.println("meshcd run: --repo needs a cluster (drop --no-cluster)");
                return ExitCodes.USAGE;
            }
            try {
                syncing = sync.prepare(client, () -> started.get() == null ? null : started.get().snapshot());
            } catch (SyncArgs.UsageException e) {
                err.println("meshcd run: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        boolean nativeOn = nativeSidecars.equals("auto") ? client == null || NativeSidecarSupport.of(client)
                : Boolean.parseBoolean(nativeSidecars);
        // The settings follow istiod's ConfigMaps in the cluster; the files (or defaults) stand in for absent ones.
        InjectorConfigWatch injection = new InjectorConfigWatch(client, new InjectorConfigWatch.Options(
                istioNamespace, revision, injectionFiles, s -> s.withOverrides(null, null, revision, nativeOn)));
        // The webhook validates under the settings the sync compiles with: one workspace for both.
        Workspace workspace;
        if (syncing != null) {
            workspace = syncing.workspace();
        } else {
            try {
                workspace = webhookWorkspace(config);
            } catch (java.io.IOException e) {
                err.println("meshcd run: cannot read --config " + config + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (workspace.config().hasErrors()) {
                err.print(dev.meshcd.compiler.report.TextRenderer.lines(workspace.config().diagnostics()));
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        AdmissionRuntime runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen(host, port)
                .certificates(store, List.copyOf(new LinkedHashSet<>(sans))).client(client)
                .compiler(workspace::compiler).injectorConfig(injection).syncIdentities(ids).rootCertPem(root)
                .maxBody(maxBody).readyNote(syncing == null ? java.util.Optional::empty : syncing.health()::note)
                .build());
        if (syncing != null) {
            syncing.routes().forEach(runtime::route);
        }
        runtime.start();
        started.set(runtime);
        err.println("meshcd: serving admission webhooks on https://" + host + ":" + runtime.port());
        CountDownLatch stop = new CountDownLatch(1);
        KubernetesClient c = client;
        SyncArgs.Running s = syncing;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (s != null) {
                s.close();
            }
            runtime.close();
            if (c != null) {
                c.close();
            }
            stop.countDown();
        }, "meshcd-shutdown"));
        if (syncing != null) {
            syncing.start();
        }
        if (portFile != null) {
            Files.writeString(portFile, Integer.toString(runtime.port()));
        }
        stop.await();
        return ExitCodes.OK;
    }
}
