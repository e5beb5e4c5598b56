package dev.meshcd.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.install.CrdInstaller;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Kubernetes API server for the whole test run: the one {@code MESHCD_TEST_KUBECONFIG} points at (kind, a
 * real cluster), or a local etcd + kube-apiserver started by {@code scripts/k8s-local.sh} from cached binaries.
 * Istio's CRDs are installed into it by meshcd's own {@link CrdInstaller}. Use through {@link LocalClusterExtension}.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path kubeconfig;
    private final Path stateDir;
    private final KubernetesClient client;

    private LocalCluster(Path kubeconfig, Path stateDir) throws IOException {
        this.kubeconfig = kubeconfig;
        this.stateDir = stateDir;
        Config cfg = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        this.client = new KubernetesClientBuilder().withConfig(cfg).build();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public KubernetesClient client() {
        return client;
    }

    /** A new client (e.g. one impersonating another user) for the same cluster. */
    public KubernetesClient client(java.util.function.Consumer<Config> customize) {
        try {
            Config cfg = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
            customize.accept(cfg);
            return new KubernetesClientBuilder().withConfig(cfg).build();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether this run started its own API server (false with MESHCD_TEST_KUBECONFIG). */
    public boolean local() {
        return stateDir != null;
    }

    /**
     * CPU seconds (user + system) the local control plane's process {@code name} ("kube-apiserver", "etcd") has
     * used so far, from /proc; -1 when this run did not start the process or /proc is not there.
     */
    public double processCpuSeconds(String name) {
        if (stateDir == null) {
            return -1;
        }
        try {
            String pid = Files.readString(stateDir.resolve(name + ".pid")).strip();
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // Fields after the command (which may hold spaces) start after the last ')'; utime, stime are 14, 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Runs the real {@code kubectl} against this cluster. */
    public Kubectl.Result kubectl(String stdin, String... args) {
        return Kubectl.run(kubeconfig, stdin, args);
    }

    static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/k8s-local.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find scripts/k8s-local.sh above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** Thrown when no cluster can be had here (no kubeconfig given, binaries not built). */
    public static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    /** Starts (or connects to) the cluster; benchmark harnesses call this directly, tests use the extension. */
    public static LocalCluster start() throws Unavailable, IOException, InterruptedException {
        String given = System.getenv("MESHCD_TEST_KUBECONFIG");
        LocalCluster cluster;
        if (given != null && !given.isBlank()) {
            cluster = new LocalCluster(Path.of(given), null);
        } else {
            Path root = projectRoot();
            Path script = root.resolve("scripts/k8s-local.sh");
            Process check = new ProcessBuilder(script.toString(), "bin-dir").redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new Unavailable("no kube-apiserver binaries: run 'scripts/k8s-local.sh ensure' (as root) first, "
                        + "or set MESHCD_TEST_KUBECONFIG to a cluster's kubeconfig");
            }
            Path state = root.resolve("target/local-cluster/run-" + ProcessHandle.current().pid());
            Files.createDirectories(state);
            Process start = new ProcessBuilder(script.toString(), "start", state.toString())
                    .redirectErrorStream(true).redirectOutput(state.resolve("start.log").toFile()).start();
            if (!start.waitFor(180, TimeUnit.SECONDS) || start.exitValue() != 0) {
                String log = Files.readString(state.resolve("start.log"));
                stop(script, state);
                throw new IllegalStateException("local cluster did not start (binaries " + out + "):\n" + log);
            }
            cluster = new LocalCluster(state.resolve("kubeconfig"), state);
        }
        cluster.installIstioCrds();
        return cluster;
    }

    private void installIstioCrds() {
        List<ObjectNode> crds = CrdInstaller.bundled();
        if (crds == null) {
            // Until schemas/istio/crd-all.gen.yaml is in the repo, tests read the conformance copy.
            for (Path p : List.of(projectRoot().resolve("schemas/istio/crd-all.gen.yaml"),
                    projectRoot().resolve("../shared/conformance/istio/crds/crd-all.gen.yaml").normalize(),
                    Path.of("/work/shared/conformance/istio/crds/crd-all.gen.yaml"))) {
                if (Files.exists(p)) {
                    crds = CrdInstaller.read(p);
                    break;
                }
            }
        }
        if (crds == null) {
            throw new IllegalStateException("no Istio CRDs found (schemas/istio/crd-all.gen.yaml)");
        }
        CrdInstaller.install(client, crds);
    }

    private static void stop(Path script, Path state) {
        try {
            new ProcessBuilder(script.toString(), "stop", state.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        client.close();
        if (stateDir != null) {
            stop(projectRoot().resolve("scripts/k8s-local.sh"), stateDir);
        }
    }

    // --- A private control plane, whose API server a test may kill and restart --------------------------------

    private static final java.util.concurrent.atomic.AtomicInteger PRIVATE_COUNT = new java.util.concurrent.atomic.AtomicInteger();
    private List<String> apiServerCommand;

    /**
     * A control plane of the caller's own: etcd + kube-apiserver started by {@code scripts/k8s-local.sh} on free
     * ports, Istio CRDs installed; never the run's shared cluster nor {@code MESHCD_TEST_KUBECONFIG}'s, so killing
     * its API server ({@link #stopApiServer()}) hurts no other test. Without binaries the calling test is skipped
     * (failed under {@code CI=true}). Close it when done.
     */
    public static LocalCluster startPrivate() throws IOException, InterruptedException {
        Path root = projectRoot();
        Path script = root.resolve("scripts/k8s-local.sh");
        Process check = new ProcessBuilder(script.toString(), "bin-dir").redirectErrorStream(true).start();
        check.getInputStream().readAllBytes();
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            String why = "no kube-apiserver binaries for a private control plane: run 'scripts/k8s-local.sh ensure'";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true: " + why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Path state = root.resolve("target/local-cluster/private-" + ProcessHandle.current().pid() + "-"
                + PRIVATE_COUNT.incrementAndGet());
        Files.createDirectories(state);
        Process start = new ProcessBuilder(script.toString(), "start", state.toString())
                .redirectErrorStream(true).redirectOutput(state.resolve("start.log").toFile()).start();
        if (!start.waitFor(180, TimeUnit.SECONDS) || start.exitValue() != 0) {
            stop(script, state);
            throw new IllegalStateException("private control plane did not start:\n"
                    + Files.readString(state.resolve("start.log")));
        }
        LocalCluster cluster = new LocalCluster(state.resolve("kubeconfig"), state);
        cluster.installIstioCrds();
        return cluster;
    }

    /**
     * Kills this private cluster's kube-apiserver with SIGKILL (a crash: no graceful shutdown) and waits until it
     * is gone; etcd and its data stay. {@link #startApiServer()} brings it back on the same port.
     */
    public void stopApiServer() throws IOException, InterruptedException {
        if (stateDir == null) {
            throw new IllegalStateException("not a local control plane");
        }
        long pid = Long.parseLong(Files.readString(stateDir.resolve("kube-apiserver.pid")).trim());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("kube-apiserver "
                + pid + " is not running"));
        if (apiServerCommand == null) {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            apiServerCommand = List.of(cmdline.split("\0"));
        }
        h.destroyForcibly();
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("kube-apiserver " + pid + " did not exit", e);
        }
    }

    /** Starts kube-apiserver again with the command line it had (same port, certificates, etcd); waits for /readyz. */
    public void startApiServer() throws IOException, InterruptedException {
        if (apiServerCommand == null) {
            throw new IllegalStateException("stopApiServer() first");
        }
        Process p = new ProcessBuilder(apiServerCommand).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("kube-apiserver.log").toFile()))
                .start();
        Files.writeString(stateDir.resolve("kube-apiserver.pid"), p.pid() + "\n"); // so close() stops this one
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                if ("ok".equals(client.raw("/readyz"))) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                List<String> log = Files.readAllLines(stateDir.resolve("kube-apiserver.log"));
                throw new IllegalStateException("kube-apiserver did not come back:\n"
                        + String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size())));
            }
            Thread.sleep(200);
        }
    }

    /** The real kubectl. */
    public static final class Kubectl {
        public record Result(int exit, String stdout, String stderr) {
            public String all() {
                return stdout + stderr;
            }
        }

        public static Result run(Path kubeconfig, String stdin, String... args) {
            List<String> cmd = new ArrayList<>(List.of(kubectlBinary(), "--kubeconfig", kubeconfig.toString()));
            cmd.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(cmd).start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl timed out: " + cmd);
                }
                return new Result(p.exitValue(), out, err.join());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public static String kubectlBinary() {
            return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "kubectl";
        }
    }
}
