package dev.meshcd.bench;

import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncLoop;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.SyncResult;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.webhook.PushWebhook;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The GitOps loop against a real kube-apiserver (not a test; run by hand, see docs/bench-sync.md):
 * {@code scripts/bench.sh SyncBench [SERVICES=1000] [PARALLELISM=8]}.
 *
 * <p>{@link MeshRepoGenerator} writes SERVICES services (per service a Service, two Deployments, a
 * VirtualService, a DestinationRule, an AuthorizationPolicy, a PeerAuthentication) into a real Git
 * repository (a bare repository and a working clone, driven with the git command line). meshcd applies
 * the Istio objects (4 per service); the Services and Deployments are there for the compile gate.
 *
 * <p>Baselines, with the real {@code kubectl}, on the same Istio objects in namespaces of their own
 * ({@code kc-team-N}; deleted before meshcd's phases so the two never list each other's objects):
 * {@code kubectl apply --server-side -R -f} of the whole tree into empty namespaces, {@code kubectl get
 * -A -o json} of the four kinds, the whole tree again after a one-line change, and the one changed file.
 *
 * <p>The whole-repo apply runs again after meshcd's phases (A-B-A): the API server's cost per apply drifts
 * during a run, so meshcd's initial sync is compared with the mean of the two.
 *
 * <p>meshcd: {@link Reconciler#reconcile()} from an empty cluster (fetch, compile, plan, apply, record,
 * drift check); a one-line change (commit, push, the GitHub push webhook handler triggering the
 * {@link SyncLoop}, up to the {@code meshcd/sync} success status and to the end of the reconcile); a
 * full drift check (a reconcile of the applied commit: fetch, compare every live object with Git).
 *
 * <p>The cluster: the one {@code MESHCD_TEST_KUBECONFIG} names, else a local etcd + kube-apiserver
 * started like the cluster tests' ({@link LocalCluster}).
 */
public final class SyncBench {
    private static final String SECRET = "bench-webhook-secret";
    private static final List<String> KINDS = List.of("virtualservices.networking.istio.io",
            "destinationrules.networking.istio.io", "authorizationpolicies.security.istio.io",
            "peerauthentications.security.istio.io");

    private SyncBench() {
    }

    public static void main(String[] args) throws Exception {
        dev.meshcd.cli.Main.useCommonPoolOnSmallMachines(); // as `meshcd run` does
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.meshcd.sync.Reconciler", "info");
        System.setProperty("org.slf4j.simpleLogger.log.dev.meshcd.sync.apply.Applier", "info"); // retries
        Path tmp = Files.createTempDirectory("meshcd-syncbench");
        try (LocalCluster cluster = LocalCluster.start()) {
            run(cluster, tmp, services, parallelism);
        } finally {
            deleteTree(tmp);
        }
    }

    private static void run(LocalCluster cluster, Path tmp, int services, int parallelism) throws Exception {
        KubernetesClient client = cluster.client();
        waitForIstio(client);
        int nsCount = (services + 99) / 100;
        for (int i = 0; i < nsCount; i++) {
            createNamespace(client, "team-" + i);
            createNamespace(client, "kc-team-" + i);
        }

        // The repository: generated, committed, pushed to a bare repository meshcd fetches from.
        Path work = tmp.resolve("work");
        Path bare = tmp.resolve("mesh.git");
        MeshRepoGenerator.generate(work, services);
        git(tmp, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work, "init", "-q", "-b", "main");
        git(work, "config", "user.name", "Bench");
        git(work, "config", "user.email", "bench@example.com");
        git(work, "remote", "add", "origin", bare.toString());
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "generated mesh");
        git(work, "push", "-q", "origin", "main");
        int changedService = services / 2;
        String changedFile = MeshRepoGenerator.namespaceOf(changedService) + "/svc-" + changedService + ".yaml";

        // kubectl's copy: the same Istio documents in kc-team-N.
        Path kc = tmp.resolve("kubectl");
        int objects = kubectlTree(work, kc);
        System.out.printf("sync bench: %d services, %d Istio objects, %d files; meshcd parallelism %d; %s%n",
                services, objects, services + 1, parallelism, uptime());

        // Baselines (SYNCBENCH_BASELINES=0 skips them, for profiling meshcd alone; the ratios are then not printed).
        boolean baselines = !"0".equals(System.getenv("SYNCBENCH_BASELINES"));
        long kApply = 1;
        long kGet = 1;
        long kReapply = 1;
        long kOne = 1;
        if (baselines) {
            Cpu before = Cpu.now(cluster);
            kApply = kubectl(cluster, "apply --server-side (whole repo, empty namespaces)",
                    "apply", "--server-side", "-R", "-f", kc.toString());
            System.out.println("    cpu: " + Cpu.now(cluster).minus(before).describe(objects));
            long t0 = System.nanoTime();
            LocalCluster.Kubectl.Result got = cluster.kubectl(null, "get", String.join(",", KINDS), "-A", "-o", "json");
            kGet = System.nanoTime() - t0;
            require(got.exit() == 0, "kubectl get: " + got.stderr());
            int listed = countItems(got.stdout());
            System.out.printf("  kubectl get -A -o json: %d ms, %d objects, %d bytes%n", ms(kGet), listed,
                    got.stdout().length());
            editTimeout(kc.resolve("kc-" + changedFile), "5s", "6s");
            kReapply = kubectl(cluster, "apply --server-side (whole repo after a one-line change)",
                    "apply", "--server-side", "-R", "-f", kc.toString());
            editTimeout(kc.resolve("kc-" + changedFile), "6s", "7s");
            kOne = kubectl(cluster, "apply --server-side (the changed file)",
                    "apply", "--server-side", "-f", kc.resolve("kc-" + changedFile).toString());
            deleteKubectlObjects(client, nsCount);
        }

        // meshcd.
        Map<String, Long> statusAt = new ConcurrentHashMap<>();
        long mInitial;
        long[] drift = new long[2];
        long changeNanos;
        long changeAppliedNanos;
        SyncOptions options = SyncOptions.builder("bench", bare.toString(), tmp.resolve("cache"))
                .interval(Duration.ofHours(1)).parallelism(parallelism).retry(5, Duration.ofMillis(200)).build();
        try (Reconciler reconciler = Reconciler.create(options, client, s -> {
            if (s.state() == CommitStatus.State.SUCCESS) {
                statusAt.put(s.sha() + " " + s.context(), System.nanoTime());
            }
        })) {
            Cpu before = Cpu.now(cluster);
            long t0 = System.nanoTime();
            SyncResult initial = reconciler.reconcile();
            mInitial = System.nanoTime() - t0;
            Cpu spent = Cpu.now(cluster).minus(before);
            require(initial.phase() == SyncResult.Phase.SYNCED && initial.applied() == objects,
                    "initial sync: " + initial);
            long mInitialApplied = statusAt.get(initial.commit() + " " + CommitStatus.SYNC) - t0;
            System.out.printf("  meshcd initial sync: %d ms (sync status success at %d ms), %s%n", ms(mInitial),
                    ms(mInitialApplied), initial.message());
            System.out.println("    cpu: " + spent.describe(objects));

            // Full drift check, twice (the first includes the JIT warming up on this path).
            for (int i = 0; i < 2; i++) {
                t0 = System.nanoTime();
                SyncResult check = reconciler.reconcile();
                drift[i] = System.nanoTime() - t0;
                require(check.phase() == SyncResult.Phase.UP_TO_DATE && check.drift().isEmpty(), "drift: " + check);
                System.out.printf("  meshcd drift check %d: %d ms%n", i + 1, ms(drift[i]));
            }

            // One-line change, through the push webhook and the loop.
            BlockingQueue<SyncResult> results = new LinkedBlockingQueue<>();
            try (SyncLoop loop = new SyncLoop(reconciler, options, results::add)) {
                loop.start();
                require(results.poll(120, TimeUnit.SECONDS) != null, "the loop's first run did not finish");
                PushWebhook hook = new PushWebhook(SECRET, "main", loop::trigger);
                long c0 = System.nanoTime();
                editTimeout(work.resolve(changedFile), "5s", "6s");
                git(work, "commit", "-q", "-am", "svc-" + changedService + ": timeout 6s");
                git(work, "push", "-q", "origin", "main");
                long pushed = System.nanoTime();
                String sha = git(work, "rev-parse", "HEAD").strip();
                byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\"}").getBytes(StandardCharsets.UTF_8);
                int code = hook.handle("POST", "/hooks/github", Map.of("X-GitHub-Event", "push",
                        "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(hook.hmac(body))), body);
                require(code == 202, "webhook answered " + code);
                SyncResult change = results.poll(120, TimeUnit.SECONDS);
                long done = System.nanoTime();
                require(change != null && change.phase() == SyncResult.Phase.SYNCED && sha.equals(change.commit()),
                        "one-line change: " + change);
                Long applied = statusAt.get(sha + " " + CommitStatus.SYNC);
                require(applied != null, "no sync success status for " + sha);
                GenericKubernetesResource vs = client.genericKubernetesResources(
                                new KubeObjects(client).context("networking.istio.io", "v1", "VirtualService"))
                        .inNamespace(MeshRepoGenerator.namespaceOf(changedService)).withName("svc-" + changedService).get();
                require(String.valueOf(vs.getAdditionalProperties().get("spec")).contains("timeout=6s"),
                        "the change is not live");
                System.out.printf("  meshcd one-line change: push→applied %d ms, push→reconcile done %d ms, "
                                + "commit+push %d ms; %s%n", ms(applied - pushed), ms(done - pushed), ms(pushed - c0),
                        change.message());

                changeNanos = done - pushed;
                changeAppliedNanos = applied - pushed;
            }
        }
        if (!baselines) {
            return;
        }

        // A-B-A: kubectl's whole-repo apply again, after meshcd's phases. The API server's CPU per apply drifts
        // during a run (the same kubectl pass: 5.6 ms/object before meshcd's phases and 10.4 after in one run,
        // 7.5 both times in another), so whichever side ran second could be at a disadvantage; the baseline is
        // the mean of a kubectl pass before meshcd's and one after.
        Cpu before2 = Cpu.now(cluster);
        long kApply2 = kubectl(cluster, "apply --server-side (whole repo, empty namespaces, after meshcd's phases)",
                "apply", "--server-side", "-R", "-f", kc.toString());
        System.out.println("    cpu: " + Cpu.now(cluster).minus(before2).describe(objects));
        long kApplyMean = (kApply + kApply2) / 2;
        double initialRatio = (double) mInitial / kApplyMean;
        double changeRatio = (double) changeNanos / kReapply;
        long bestDrift = Math.min(drift[0], drift[1]);
        double driftRatio = (double) bestDrift / kGet;
        System.out.println();
        System.out.println("| phase | kubectl | meshcd | ratio | target | met |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        System.out.printf("| initial sync (%d objects) | mean %s (before meshcd %s, after %s) | %s | %.2f "
                        + "(%.2f, %.2f) | ≤ 0.5 | %s |%n", objects, sec(kApplyMean), sec(kApply), sec(kApply2),
                sec(mInitial), initialRatio, (double) mInitial / kApply, (double) mInitial / kApply2,
                initialRatio <= 0.5 ? "yes" : "NO");
        System.out.printf("| one-line change, push → reconcile done | re-apply all %s / one file %s | %s "
                        + "(applied at %s) | %.3f of re-apply | < 1 s and ≤ 0.1 | %s |%n", sec(kReapply),
                sec(kOne), sec(changeNanos), sec(changeAppliedNanos), changeRatio,
                changeNanos < 1_000_000_000L && changeRatio <= 0.1 ? "yes" : "NO");
        System.out.printf("| drift check of all objects | get -o json %s | %s (runs: %s, %s) | %.2f | ≤ 2 | %s |%n",
                sec(kGet), sec(bestDrift), sec(drift[0]), sec(drift[1]), driftRatio,
                driftRatio <= 2 ? "yes" : "NO");
        System.out.println();
        System.out.println(uptime());
    }

    private static long kubectl(LocalCluster cluster, String what, String... args) {
        long t0 = System.nanoTime();
        LocalCluster.Kubectl.Result r = cluster.kubectl(null, args);
        long t = System.nanoTime() - t0;
        require(r.exit() == 0, "kubectl " + String.join(" ", args) + ": " + r.stderr());
        System.out.printf("  kubectl %s: %d ms%n", what, ms(t));
        return t;
    }

    /** Copies the Istio documents of every service file into {@code out}, namespaces renamed to kc-team-N. */
    static int kubectlTree(Path repo, Path out) throws IOException {
        int count = 0;
        List<Path> files;
        try (Stream<Path> s = Files.walk(repo)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("svc-")).sorted().toList();
        }
        for (Path f : files) {
            StringBuilder kept = new StringBuilder();
            for (String doc : Files.readString(f).split("(?m)^---$")) {
                if (doc.contains("apiVersion: networking.istio.io/") || doc.contains("apiVersion: security.istio.io/")) {
                    kept.append("---").append(doc.startsWith("\n") ? "" : "\n")
                            .append(doc.replace("namespace: team-", "namespace: kc-team-"));
                    count++;
                }
            }
            Path target = out.resolve("kc-" + repo.relativize(f));
            Files.createDirectories(target.getParent());
            Files.writeString(target, kept);
        }
        return count;
    }

    private static void editTimeout(Path file, String from, String to) throws IOException {
        String s = Files.readString(file);
        String edited = s.replace("timeout: " + from, "timeout: " + to);
        require(!edited.equals(s), "no 'timeout: " + from + "' in " + file);
        Files.writeString(file, edited);
    }

    private static void deleteKubectlObjects(KubernetesClient client, int nsCount) {
        long t0 = System.nanoTime();
        for (String k : KINDS) {
            String plural = k.substring(0, k.indexOf('.'));
            String group = k.substring(k.indexOf('.') + 1);
            String kind = switch (plural) {
                case "virtualservices" -> "VirtualService";
                case "destinationrules" -> "DestinationRule";
                case "authorizationpolicies" -> "AuthorizationPolicy";
                default -> "PeerAuthentication";
            };
            for (int i = 0; i < nsCount; i++) {
                client.genericKubernetesResources(new KubeObjects(client).context(group, "v1", kind))
                        .inNamespace("kc-team-" + i).delete();
            }
        }
        System.out.printf("  (kubectl's objects deleted in %d ms)%n", ms(System.nanoTime() - t0));
    }

    private static int countItems(String json) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("items").size();
    }

    private static void waitForIstio(KubernetesClient client) throws InterruptedException {
        KubeObjects kube = new KubeObjects(client);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            kube.resetDiscovery();
            if (kube.servedVersion("networking.istio.io").isPresent() && kube.servedVersion("security.istio.io").isPresent()) {
                Thread.sleep(1000); // established
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("Istio CRDs not served");
    }

    private static void createNamespace(KubernetesClient client, String name) {
        if (client.namespaces().withName(name).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .create();
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        require(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "git " + String.join(" ", args) + ": " + out);
        return out;
    }

    /**
     * CPU seconds used so far by the API server, etcd, this JVM and the child processes it has waited for
     * (kubectl, git): where a phase's time goes on a machine with few cores.
     */
    record Cpu(double apiServer, double etcd, double jvm, double children) {
        static Cpu now(LocalCluster cluster) {
            double jvm = ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
            double children = -1;
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0; // cutime, cstime
            } catch (IOException | RuntimeException e) {
                // not Linux: reported as unknown
            }
            return new Cpu(cluster.processCpuSeconds("kube-apiserver"), cluster.processCpuSeconds("etcd"), jvm,
                    children);
        }

        Cpu minus(Cpu o) {
            return new Cpu(apiServer - o.apiServer, etcd - o.etcd, jvm - o.jvm, children - o.children);
        }

        String describe(int objects) {
            return String.format("kube-apiserver %.1f s (%.2f ms/object), etcd %.1f s, this JVM %.1f s, "
                    + "kubectl/git %.1f s", apiServer, apiServer * 1000 / objects, etcd, jvm, children);
        }
    }

    private static String uptime() {
        try {
            return "load average " + Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static String sec(long nanos) {
        return String.format("%.3f s", nanos / 1e9);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
