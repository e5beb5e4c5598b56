package dev.meshcd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.AdmissionRuntime;
import dev.meshcd.admission.cluster.NativeSidecarSupport;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.install.CrdInstaller;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.DirCertStore;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncLoop;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.SyncResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshcd up}: the whole product on one machine. Starts a local control plane (etcd + kube-apiserver
 * through {@code scripts/k8s-local.sh}) unless {@code --kubeconfig} names a cluster, installs Istio's CRDs
 * and meshcd's webhooks (pointing at this process), turns {@code examples/} into a local Git repository,
 * runs the sync loop on it (statuses as git notes), prints what to try, and runs until Ctrl-C; then it
 * removes its webhooks and stops the control plane it started.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Try meshcd on this machine: start a local Kubernetes control plane (or use --kubeconfig), "
                + "install Istio's CRDs and meshcd's webhooks, make examples/ a Git repository and keep the cluster "
                + "in sync with it. Prints the KUBECONFIG to use and three things to try. Runs until Ctrl-C.%n"
                + "Exit 0 after a clean stop (or, with --exit-after-sync, after the first successful sync), "
                + "1 when the first sync fails, 2 when something needed is missing.")
final class UpCommand implements Callable<Integer> {
    static final String SYNC_NAME = "examples";
    static final String SYNC_ROLE = InstallManifests.SYNC_ROLE;
    static final String BROKEN_VS = """
            # Written by meshcd up: Istio rejects negative route weights (IST0106).
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: try-broken, namespace: shop}
            spec:
              hosts: [cart]
              http:
              - route:
                - destination: {host: cart, subset: v1}
                  weight: 110
                - destination: {host: cart, subset: v2}
                  weight: -10
            """;

    @Option(names = "--kubeconfig", description = "use this cluster instead of starting a local control plane "
            + "(its API server must reach this machine at --webhook-host)")
    Path kubeconfig;

    @Option(names = "--state-dir", description = "where the control plane, the Git repository and certificates live "
            + "(default: $XDG_CACHE_HOME/meshcd/up or ~/.cache/meshcd/up)")
    Path stateDir;

    @Option(names = "--examples", description = "the configuration to start the repository from (default: meshcd's "
            + "examples/, next to the launcher or in the working directory)")
    Path examples;

    @Option(names = "--reset", description = "recreate the Git repository from --examples (default: keep your commits)")
    boolean reset;

    @Option(names = "--interval", converter = SyncWiring.DurationConverter.class,
            description = "how often the repository is polled (default 2s)")
    Duration interval = Duration.ofSeconds(2);

    @Option(names = "--port", description = "HTTPS port of meshcd's webhooks (default: a free one)")
    int port;

    @Option(names = "--webhook-host", description = "address the API server reaches meshcd at (default ${DEFAULT-VALUE})")
    String webhookHost = "127.0.0.1";

    @Option(names = "--exit-after-sync", description = "exit 0 after the first successful sync (for scripts and CI)")
    boolean exitAfterSync;

    @Option(names = "--sync-timeout", converter = SyncWiring.DurationConverter.class,
            description = "with --exit-after-sync: give up after this long (default 3m)")
    Duration syncTimeout = Duration.ofMinutes(3);

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final Deque<Runnable> cleanup = new ArrayDeque<>();
    private boolean stopping;

    /** A missing prerequisite or a failed step: printed as is, exit 2. */
    static final class UpException extends Exception {
        UpException(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        // fabric8 warns once per Istio kind served only as a beta or alpha version: noise here.
        System.getProperties().putIfAbsent(
                "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
        Thread hook = new Thread(this::cleanUp, "meshcd-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return up();
        } catch (UpException e) {
            err.println("meshcd up: " + e.getMessage());
            return ExitCodes.USAGE;
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds nothing left to do)
            }
        }
    }

    private int up() throws Exception {
        Path state = (stateDir != null ? stateDir : defaultStateDir()).toAbsolutePath().normalize();
        Path source = examples != null ? examples : locate("examples/meshcd.yaml").getParent();
        if (!Files.isDirectory(source)) {
            throw new UpException("no examples directory at " + source + " (pass --examples DIR)");
        }
        Files.createDirectories(state);
        // One meshcd up per state directory: a second one would stop the first one's control plane.
        java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(state.resolve("lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = lockFile.tryLock();
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
        Path kube = kubeconfig != null ? kubeconfig : startControlPlane(state.resolve("cluster"));
        if (!Files.isReadable(kube)) {
            throw new UpException("kubeconfig " + kube + " is not readable");
        }
        KubernetesClient client = RunCommand.client(kube);
        onExit(client::close);
        try {
            step("API server " + client.getMasterUrl() + " (Kubernetes " + client.getKubernetesVersion().getGitVersion() + ")");
        } catch (KubernetesClientException e) {
            throw new UpException("cannot reach the API server of " + kube + ": " + brief(e));
        }

        List<ObjectNode> crds = CrdInstaller.bundled();
        if (crds == null) {
            throw new UpException("this build of meshcd ships no " + CrdInstaller.RESOURCE);
        }
        step("installed " + CrdInstaller.install(client, crds).size() + " Istio CRDs");

        Path repo = state.resolve("repo");
        boolean created = prepareRepository(source, repo);
        step((created ? "created Git repository " : "using Git repository ") + repo
                + (created ? " from " + source : " (--reset starts again from " + source + ")"));
        createNamespaces(client, repo);

        // The sync loop acts as meshcd's service account (impersonated), so the ownership guard tells it
        // apart from people: kubectl users are refused on objects Git manages, the loop is not.
        grantSyncRole(client);
        KubernetesClient syncClient = RunCommand.client(kube, OwnershipGuard.DEFAULT_SYNC_IDENTITY);
        onExit(syncClient::close);

        // istio-proxy is a native sidecar only where Kubernetes runs one (1.29 and later): elsewhere pods would hang.
        // One workspace for the webhook and the sync loop: both follow the repository's meshcd.yaml.
        SyncOptions options = SyncOptions.builder(SYNC_NAME, repo.toString(), state.resolve("cache")).interval(interval)
                .retry(3, Duration.ofMillis(300)).build();
        Workspace workspace = Reconciler.workspaceFor(options);
        AdmissionRuntime runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen(webhookHost, port)
                .certificates(new DirCertStore(state.resolve("certs")), List.of("localhost", "127.0.0.1", webhookHost))
                .client(client).compiler(workspace::compiler).injector(injector(client)).build());
        runtime.start();
        onExit(runtime::close);
        awaitTrue(Duration.ofSeconds(60), "meshcd's view of the cluster", () -> runtime.snapshot().synced());
        installWebhooks(client, "https://" + hostForUrl(webhookHost) + ":" + runtime.port(),
                runtime.certificates().current().ca().certPem());
        step("meshcd webhooks at https://" + hostForUrl(webhookHost) + ":" + runtime.port()
                + " (validating Istio objects, injecting sidecars)");

        CountDownLatch firstSync = new CountDownLatch(1);
        AtomicReference<SyncResult> first = new AtomicReference<>();
        var log = SyncWiring.changes(SYNC_NAME, this::step, this::step);
        SyncLoop loop = SyncWiring.loop(syncClient, options, workspace, SyncWiring.notes(), r -> {
            log.accept(r);
            if (r.ok() || r.phase() == SyncResult.Phase.COMPILE_FAILED) {
                if (first.compareAndSet(null, r)) {
                    firstSync.countDown();
                }
            }
        });
        onExit(() -> {
            loop.close();
            loop.reconciler().close();
        });
        loop.start();
        if (!firstSync.await(syncTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            err.println("meshcd up: the first sync did not finish within " + syncTimeout + " (see the log above)");
            return ExitCodes.ERRORS;
        }
        SyncResult r = first.get();
        if (!r.ok()) {
            err.println("meshcd up: " + repo + " does not compile: " + r.message());
            if (exitAfterSync) {
                return ExitCodes.ERRORS;
            }
        }
        if (exitAfterSync) {
            return ExitCodes.OK;
        }
        out.print(instructions(kube, repo, state));
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "meshcd-up-stop"));
        stop.await();
        return ExitCodes.OK;
    }

    private void step(String what) {
        err.println("meshcd up: " + what);
    }

    static Path defaultStateDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("meshcd").resolve("up");
    }

    /**
     * A file of meshcd's distribution ({@code scripts/k8s-local.sh}, {@code examples/meshcd.yaml}): under
     * $MESHCD_HOME, the working directory or its parents, or the directories above the jar or classes.
     */
    static Path locate(String relative) throws UpException {
        List<Path> starts = new ArrayList<>();
        String home = System.getenv("MESHCD_HOME");
        if (home != null && !home.isBlank()) {
            starts.add(Path.of(home));
        }
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(UpCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code location (unusual class loader): the other places remain
        }
        for (Path start : starts) {
            for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(relative))) {
                    return p.resolve(relative);
                }
            }
        }
        throw new UpException("cannot find " + relative + " (looked above the working directory and meshcd's jar; "
                + "run from meshcd's directory or set MESHCD_HOME)");
    }

    /** Starts etcd + kube-apiserver with scripts/k8s-local.sh (building them first when root and needed). */
    private Path startControlPlane(Path dir) throws Exception {
        Path script = locate("scripts/k8s-local.sh");
        if (!Files.isExecutable(script)) {
            throw new UpException(script + " is not executable");
        }
        if (run(script, List.of("bin-dir"), null, Duration.ofMinutes(1)) != 0) {
            if (!isRoot()) {
                throw new UpException("the local control plane is not built yet. Build it once (about 5 minutes, "
                        + "needs root for apt):\n  sudo " + script + " ensure\nor use an existing cluster: meshcd up "
                        + "--kubeconfig FILE");
            }
            step("building kube-apiserver once (about 5 minutes; progress below)");
            if (run(script, List.of("ensure"), null, Duration.ofMinutes(60)) != 0) {
                throw new UpException(script + " ensure failed (see its output above)");
            }
        }
        if (Files.isDirectory(dir)) {
            run(script, List.of("stop", dir.toString()), null, Duration.ofMinutes(1)); // a previous run that crashed
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        step("starting etcd and kube-apiserver in " + dir);
        long t0 = System.nanoTime();
        Path log = dir.resolve("start.log");
        onExit(() -> {
            step("stopping the local control plane");
            try {
                run(script, List.of("stop", dir.toString()), null, Duration.ofMinutes(1));
            } catch (IOException | InterruptedException e) {
                err.println("meshcd up: could not stop the control plane: " + e.getMessage()
                        + " (stop it with " + script + " stop " + dir + ")");
            }
        });
        if (run(script, List.of("start", dir.toString()), log, Duration.ofMinutes(3)) != 0) {
            throw new UpException("the local control plane did not start:\n" + tail(log, 25));
        }
        step("control plane ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return dir.resolve("kubeconfig");
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

    /** Copies the examples (without broken/, which holds deliberate mistakes) into a new repository. */
    private boolean prepareRepository(Path source, Path repo) throws IOException, UpException {
        if (Files.isDirectory(repo.resolve(".git")) && !reset) {
            return false;
        }
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
        return true;
    }

    /** The sidecar injector for this cluster: native sidecars only where it runs them. */
    static IstioSidecarInjector injector(KubernetesClient client) {
        return new IstioSidecarInjector(InjectionSettings.defaults().withNativeSidecars(NativeSidecarSupport.of(client)));
    }

    /**
     * The namespaces the repository's objects live in (the loop applies Istio objects, not namespaces): the
     * Namespace documents with their labels (istio-injection), and every other namespace used.
     */
    private void createNamespaces(KubernetesClient client, Path repo) throws IOException {
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
        Map<String, Integer> context = new java.util.TreeMap<>();
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
                    err.println("meshcd up: skipped " + r.kind().kind() + " " + r.namespace() + "/"
                            + r.key().name() + " (refused by this API server: " + brief(e) + ")");
                }
            }
        }
        step("namespaces " + String.join(", ", namespaces.keySet()) + "; context " + context);
    }

    private static final Set<String> CONTEXT_KINDS = Set.of("Service", "ServiceAccount", "Deployment", "StatefulSet",
            "DaemonSet");

    /** What the sync loop may do, bound to meshcd's service account (the identity it impersonates). */
    private static void grantSyncRole(KubernetesClient client) {
        for (var object : InstallManifests.syncRbac("meshcd-system", Map.of())) {
            client.resource(object).createOr(x -> x.update());
        }
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
                err.println("meshcd up: could not remove meshcd's webhook configurations: " + brief(e));
            }
        });
        InstallManifests.apply(client, InstallManifests.render(InstallManifests.Options.defaults()
                .withWebhookUrl(url).withCaBundle(caPem)));
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static void awaitTrue(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException, UpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new UpException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** The three things to try, with the paths of this run. */
    String instructions(Path kube, Path repo, Path state) throws IOException {
        Path broken = state.resolve("try").resolve("broken-virtualservice.yaml");
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, BROKEN_VS);
        String k = kube.toAbsolutePath().toString();
        String r = repo.toAbsolutePath().toString();
        return """

                meshcd is up: the cluster follows the Git repository %2$s
                (polled every %3$s; statuses: meshcd status --repo %2$s). In another terminal:

                  export KUBECONFIG=%1$s

                1. A broken VirtualService (a negative weight) is denied by meshcd's validating webhook:

                  kubectl apply --validate=false -f %5$s

                2. Change a weight in Git and commit; meshcd applies it within seconds:

                  cd %2$s
                  sed -i 's/weight: 90/weight: 70/; s/weight: 10/weight: 30/' shop/cart.yaml
                  git commit -qam 'cart: 70/30'
                  kubectl -n shop get virtualservice cart -o jsonpath='{.spec.http[*].route[*].weight}{"\\n"}'

                3. Changing an object Git manages with kubectl is refused (change it in Git instead):

                  kubectl -n shop patch virtualservice cart --type=merge -p '{"spec":{"hosts":["cart","cart.example.com"]}}'

                Ctrl-C stops meshcd%4$s.
                """.formatted(k, r, human(interval), kubeconfig == null
                ? " and the local control plane (state in " + state + ")" : " and removes its webhooks", broken);
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
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

    private synchronized void cleanUp() {
        stopping = true;
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().run();
            } catch (RuntimeException e) {
                err.println("meshcd up: cleanup: " + e.getMessage());
            }
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
