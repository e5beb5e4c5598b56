package dev.meshcd.cli;

import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.SyncResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshcd up}: the whole product on one machine. Starts a local control plane (etcd + kube-apiserver
 * through {@code scripts/k8s-local.sh}) unless {@code --kubeconfig} names a cluster, installs Istio's CRDs
 * and meshcd's webhooks (pointing at this process), turns {@code examples/} into a local Git repository,
 * runs the sync loop on it (statuses as git notes), prints what to try, and runs until Ctrl-C; then it
 * removes its webhooks and stops the control plane it started. The pieces, and their shutdown, are a
 * {@link LocalStack}; this class is the sequence and what it prints.
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
        LocalStack stack = new LocalStack((stateDir != null ? stateDir : defaultStateDir()).toAbsolutePath().normalize(),
                this::step);
        Thread hook = new Thread(stack::close, "meshcd-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return up(stack);
        } catch (UpException e) {
            err.println("meshcd up: " + e.getMessage());
            return ExitCodes.USAGE;
        } finally {
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds nothing left to do)
            }
        }
    }

    private int up(LocalStack stack) throws Exception {
        Path source = examples != null ? examples : locate("examples/meshcd.yaml").getParent();
        if (!Files.isDirectory(source)) {
            throw new UpException("no examples directory at " + source + " (pass --examples DIR)");
        }
        stack.lock();
        Path kube = kubeconfig != null ? kubeconfig : stack.startControlPlane();
        KubernetesClient client = stack.connect(kube);
        stack.installCrds(client);
        Path repo = stack.repository(source, reset);
        stack.createNamespaces(client, repo);
        KubernetesClient syncClient = stack.syncClient(client, kube);
        // One workspace for the webhook and the sync loop: both follow the repository's meshcd.yaml.
        SyncOptions options = SyncOptions.builder(SYNC_NAME, repo.toString(), stack.state().resolve("cache"))
                .interval(interval).retry(3, Duration.ofMillis(300)).build();
        java.util.concurrent.atomic.AtomicReference<dev.meshcd.admission.AdmissionRuntime> webhooks =
                new java.util.concurrent.atomic.AtomicReference<>();
        Workspace workspace = Reconciler.workspaceFor(options, new InformerContext(
                () -> webhooks.get() == null ? null : webhooks.get().snapshot(), SYNC_NAME,
                "cluster " + client.getMasterUrl().toString().replaceAll("/+$", "")));
        webhooks.set(stack.webhooks(client, workspace, webhookHost, port));

        CompletableFuture<SyncResult> first = new CompletableFuture<>();
        var log = SyncWiring.changes(SYNC_NAME, this::step, this::step);
        stack.syncLoop(syncClient, options, workspace, r -> {
            log.accept(r);
            if (r.ok() || r.phase() == SyncResult.Phase.COMPILE_FAILED) {
                first.complete(r);
            }
        });
        SyncResult r;
        try {
            r = first.get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.println("meshcd up: the first sync did not finish within " + syncTimeout + " (see the log above)");
            return ExitCodes.ERRORS;
        }
        if (!r.ok()) {
            err.println("meshcd up: " + repo + " does not compile: " + r.message());
            if (exitAfterSync) {
                return ExitCodes.ERRORS;
            }
        }
        if (exitAfterSync) {
            return ExitCodes.OK;
        }
        out.print(instructions(kube, repo, stack.state()));
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
}
