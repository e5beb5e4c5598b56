package dev.meshcd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.AdmissionRuntime;
import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.admission.cluster.NativeSidecarSupport;
import dev.meshcd.admission.install.CrdInstaller;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.DirCertStore;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.cli.UpCommand.UpException;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import dev.meshcd.sync.SyncLoop;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.SyncResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * What {@code meshcd up} runs on one machine, piece by piece, all kept in one state directory: the lock on it,
 * a local control plane, Istio's CRDs, the Git repository, the namespaces it uses, meshcd's webhooks and the
 * sync loop. Each piece that needs undoing registers its undo when it starts; {@link #close} undoes them in
 * reverse order (also from a shutdown hook, on Ctrl-C), and once closing, a piece started meanwhile is undone
 * at once, so nothing outlives the process.
 */
final class LocalStack implements AutoCloseable {
    private static final Set<String> CONTEXT_KINDS = Set.of("Service", "ServiceAccount", "Deployment", "StatefulSet",
            "DaemonSet");

    private final Path state;
    private final Consumer<String> report;
    private final Deque<Runnable> cleanup = new ArrayDeque<>();
    private boolean stopping;

    /**
     * @param state  the state directory (control plane, repository, certificates, Git mirror)
     * @param report prints one line of progress or trouble ({@code meshcd up: ...})
     */
    LocalStack(Path state, Consumer<String> report) {
        this.state = state;
        this.report = report;
    }

    Path state() {
        return state;
    }

    /** Takes the state directory: one meshcd up per state directory (a second would stop the first's control plane). */
    void lock() throws IOException, UpException {
        Files.createDirectories(state);
        FileChannel lockFile = FileChannel.open(state.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new UpException("another meshcd up is running with " + state + " (stop it, or pass --state-dir)");
        }
        onExit(() -> {
            try {
                lock.release();
                lockFile.close();
            } catch (IOException e) {
                // released when the process exits anyway
            }
        });
    }

    /**
     * Starts etcd + kube-apiserver in {@code <state>/cluster} with scripts/k8s-local.sh (building them first when
     * root and needed), stopped on exit; returns its kubeconfig.
     */
    Path startControlPlane() throws Exception {
        Path dir = state.resolve("cluster");
        Path script = UpCommand.locate("scripts/k8s-local.sh");
        if (!Files.isExecutable(script)) {
            throw new UpException(script + " is not executable");
        }
        if (run(script, List.of("bin-dir"), null, Duration.ofMinutes(1)) != 0) {
            if (!isRoot()) {
                throw new UpException("the local control plane is not built yet. Build it once (about 5 minutes, "
                        + "needs root for apt):\n  sudo " + script + " ensure\nor use an existing cluster: meshcd up "
                        + "--kubeconfig FILE");
            }
            report.accept("building kube-apiserver once (about 5 minutes; progress below)");
            if (run(script, List.of("ensure"), null, Duration.ofMinutes(60)) != 0) {
                throw new UpException(script + " ensure failed (see its output above)");
            }
        }
        if (Files.isDirectory(dir)) {
            run(script, List.of("stop", dir.toString()), null, Duration.ofMinutes(1)); // a previous run that crashed
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        report.accept("starting etcd and kube-apiserver in " + dir);
        long t0 = System.nanoTime();
        Path log = dir.resolve("start.log");
        onExit(() -> {
            report.accept("stopping the local control plane");
            try {
                run(script, List.of("stop", dir.toString()), null, Duration.ofMinutes(1));
            } catch (IOException | InterruptedException e) {
                report.accept("could not stop the control plane: " + e.getMessage()
                        + " (stop it with " + script + " stop " + dir + ")");
            }
        });
        if (run(script, List.of("start", dir.toString()), log, Duration.ofMinutes(3)) != 0) {
            throw new UpException("the local control plane did not start:\n" + tail(log, 25));
        }
        report.accept("control plane ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return dir.resolve("kubeconfig");
    }

    /** A client of the cluster {@code kube} names, once its API server answers (closed on exit). */
    KubernetesClient connect(Path kube) throws IOException, UpException {
        if (!Files.isReadable(kube)) {
            throw new UpException("kubeconfig " + kube + " is not readable");
        }
        KubernetesClient client = RunCommand.client(kube);
        onExit(client::close);
        try {
            report.accept("API server " + client.getMasterUrl() + " (Kubernetes "
                    + client.getKubernetesVersion().getGitVersion() + ")");
        } catch (KubernetesClientException e) {
            throw new UpException("cannot reach the API server of " + kube + ": " + brief(e));
        }
        return client;
    }

    /** Installs the Istio CRDs meshcd ships. */
    void installCrds(KubernetesClient client) throws UpException {
        List<ObjectNode> crds = CrdInstaller.bundled();
        if (crds == null) {
            throw new UpException("this build of meshcd ships no " + CrdInstaller.RESOURCE);
        }
        report.accept("installed " + CrdInstaller.install(client, crds).size() + " Istio CRDs");
    }

    /**
     * The Git repository the cluster follows, {@code <state>/repo}: kept from an earlier run unless {@code reset},
     * else made from {@code source} (without broken/, which holds deliberate mistakes) in one commit.
     */
    Path repository(Path source, boolean reset) throws IOException, UpException {
        Path repo = state.resolve("repo");
        boolean created = reset || !Files.isDirectory(repo.resolve(".git"));
        if (created) {
            createRepository(source, repo);
        }
        report.accept((created ? "created Git repository " : "using Git repository ") + repo
                + (created ? " from " + source : " (--reset starts again from " + source + ")"));
        return repo;
    }

    private static void createRepository(Path source, Path repo) throws IOException, UpException {
        if (Files.exists(repo)) {
            deleteTree(repo);
        }
        Files.createDirectories(repo);
        Path from = source.toAbsolutePath().normalize();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(dir);
                if (rel.toString().equals("broken") || rel.startsWith(".git")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(repo.resolve(rel.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, repo.resolve(from.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("meshcd up", "meshcd@localhost");
            git.commit().setMessage("examples from meshcd").setAuthor(who).setCommitter(who).setSign(false).call();
        } catch (GitAPIException e) {
            throw new UpException("cannot create the Git repository " + repo + ": " + e.getMessage());
        }
    }

    /**
     * The namespaces the repository's objects live in (the loop applies Istio objects, not namespaces): the
     * Namespace documents with their labels (istio-injection), and every other namespace used.
     */
    void createNamespaces(KubernetesClient client, Path repo) throws IOException {
        Path config = repo.resolve(MeshcdConfig.FILE_NAME);
        CompileResult result = Workspaces.onDisk(List.of(repo),
                Workspaces.ConfigChoice.of(Files.isRegularFile(config) ? config : null, true), null)
                .compile(Compiler.Mode.CHECK);
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        for (Resource r : result.resources()) {
            if (r.kind().equals(Kind.NAMESPACE)) {
                namespaces.computeIfAbsent(r.key().name(), n -> new LinkedHashMap<>()).putAll(r.labels());
            } else if (!r.namespace().isEmpty()) {
                namespaces.computeIfAbsent(r.namespace(), n -> new LinkedHashMap<>());
            }
        }
        for (Map.Entry<String, Map<String, String>> e : namespaces.entrySet()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(e.getKey())
                    .withLabels(e.getValue()).endMetadata().build()).createOr(x -> x.patch());
        }
        // The Kubernetes objects the Istio configuration refers to (Services, workloads): the loop applies
        // Istio objects only, but the webhook's view of the cluster should resolve the repo's hosts.
        Map<String, Integer> context = new TreeMap<>();
        for (Resource r : result.resources()) {
            if (CONTEXT_KINDS.contains(r.kind().kind()) && (r.kind().group().isEmpty() || r.kind().group().equals("apps"))) {
                HasMetadata h = client.getKubernetesSerialization().convertValue(r.object(), HasMetadata.class);
                if (h.getMetadata().getNamespace() == null && !r.namespace().isEmpty()) {
                    h.getMetadata().setNamespace(r.namespace());
                }
                try {
                    client.resource(h).createOr(x -> x.update());
                    context.merge(r.kind().kind(), 1, Integer::sum);
                } catch (KubernetesClientException e) {
                    report.accept("skipped " + r.kind().kind() + " " + r.namespace() + "/"
                            + r.key().name() + " (refused by this API server: " + brief(e) + ")");
                }
            }
        }
        report.accept("namespaces " + String.join(", ", namespaces.keySet()) + "; context " + context);
    }

    /**
     * The client the sync loop applies with: meshcd's service account (impersonated, with the role the loop
     * needs), so the ownership guard tells it apart from people: kubectl users are refused on objects Git
     * manages, the loop is not.
     */
    KubernetesClient syncClient(KubernetesClient client, Path kube) throws IOException {
        // The sync keeps its record and Lease in meshcd's namespace, where its Role is: the namespace comes first.
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("meshcd-system").endMetadata().build()).createOr(x -> x.update());
        for (var object : InstallManifests.syncRbac("meshcd-system", Map.of())) {
            client.resource(object).createOr(x -> x.update());
        }
        KubernetesClient syncClient = RunCommand.client(kube, OwnershipGuard.DEFAULT_SYNC_IDENTITY);
        onExit(syncClient::close);
        return syncClient;
    }

    /**
     * meshcd's admission webhooks served by this process at {@code host:port} (a free port when 0), validating
     * under {@code workspace}'s settings, and registered with the API server until exit.
     */
    AdmissionRuntime webhooks(KubernetesClient client, Workspace workspace, String host, int port) throws Exception {
        // istio-proxy is a native sidecar only where Kubernetes runs one (1.29 and later): elsewhere pods would hang.
        AdmissionRuntime runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen(host, port)
                .certificates(new DirCertStore(state.resolve("certs")), List.of("localhost", "127.0.0.1", host))
                .client(client).compiler(workspace::compiler).injectorConfig(injectorConfig(client)).build());
        runtime.start();
        onExit(runtime::close);
        awaitTrue(Duration.ofSeconds(60), "meshcd's view of the cluster", () -> runtime.snapshot().synced());
        String url = "https://" + hostForUrl(host) + ":" + runtime.port();
        installWebhooks(client, url, runtime.certificates().current().ca().certPem());
        report.accept("meshcd webhooks at " + url + " (validating Istio objects, injecting sidecars)");
        return runtime;
    }

    /** The sync loop, started (statuses as git notes), compiling in {@code workspace}; stopped on exit. */
    SyncLoop syncLoop(KubernetesClient syncClient, SyncOptions options, Workspace workspace,
                      Consumer<SyncResult> listener) throws IOException {
        SyncLoop loop = SyncWiring.loop(syncClient, options, workspace, SyncWiring.notes(), listener);
        onExit(() -> {
            loop.close();
            loop.reconciler().close();
        });
        loop.start();
        return loop;
    }

    /** Undoes what was started, in reverse order. */
    @Override
    public synchronized void close() {
        stopping = true;
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().run();
            } catch (RuntimeException e) {
                report.accept("cleanup: " + e.getMessage());
            }
        }
    }

    /**
     * Undoes a step on exit (in reverse order). Once stopping (Ctrl-C during start-up), it is undone at once:
     * nothing the main thread still creates outlives the process.
     */
    private synchronized void onExit(Runnable undo) {
        if (stopping) {
            undo.run();
        } else {
            cleanup.push(undo);
        }
    }

    /**
     * The sidecar injector's settings for this cluster: istiod's ConfigMaps in istio-system when there are any
     * (default revision), else meshcd's defaults; native sidecars only where the cluster runs them.
     */
    static InjectorConfigWatch injectorConfig(KubernetesClient client) {
        boolean nativeOn = NativeSidecarSupport.of(client);
        return new InjectorConfigWatch(client, new InjectorConfigWatch.Options("istio-system", "default", null,
                s -> s.withNativeSidecars(nativeOn)));
    }

    /** Registers meshcd's webhook configurations at {@code url}; they are deleted again on exit. */
    private void installWebhooks(KubernetesClient client, String url, String caPem) throws UpException {
        var existing = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(InstallManifests.VALIDATING_NAME).get();
        if (existing != null && existing.getWebhooks().stream().anyMatch(w -> w.getClientConfig().getService() != null)) {
            throw new UpException("meshcd is installed in this cluster (webhook configuration "
                    + InstallManifests.VALIDATING_NAME + " points at a Service); meshcd up would replace it. "
                    + "Use a cluster without meshcd, or no --kubeconfig for a local one.");
        }
        onExit(() -> {
            // failurePolicy Fail: never leave webhooks pointing at a server that is gone.
            try {
                client.admissionRegistration().v1().validatingWebhookConfigurations()
                        .withName(InstallManifests.VALIDATING_NAME).delete();
                client.admissionRegistration().v1().mutatingWebhookConfigurations()
                        .withName(InstallManifests.MUTATING_NAME).delete();
            } catch (KubernetesClientException e) {
                report.accept("could not remove meshcd's webhook configurations: " + brief(e));
            }
        });
        InstallManifests.apply(client, InstallManifests.render(InstallManifests.Options.defaults()
                .withWebhookUrl(url).withCaBundle(caPem)));
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static void awaitTrue(Duration timeout, String what, BooleanSupplier condition)
            throws InterruptedException, UpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new UpException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && uid.equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs the script; output goes to {@code log}, or to this process's stderr when null. */
    private static int run(Path script, List<String> args, Path log, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        } else if (args.get(0).equals("bin-dir")) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The short message of an API error. */
    static String brief(KubernetesClientException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : root.getMessage() != null ? root.getMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
