package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.apply.SyncStateStore;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git faults end to end, a real git daemon and a real API server: the remote unreachable (daemon stopped) and then
 * back on the same port, and the cache directory full during a fetch (a tmpfs too small for the next pack, then
 * grown). Each time the sync reports the failure, applies nothing, reports no success, keeps the last good commit
 * applied and recorded, leaves the cache readable, and completes the next sync once the fault is gone.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class GitFaultsTest {
    static final String NS = "gitfault";
    static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster cluster) throws Exception {
        client = cluster.client(cfg -> { });
        ApiServerCrashTest.awaitIstioCrds(client);
        if (client.namespaces().withName(NS).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
        }
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static String route(String name, String timeout) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name + ", namespace: "
                + NS + "}\nspec: {hosts: [" + name + ".example.com], http: [{timeout: " + timeout
                + ", route: [{destination: {host: web}}]}]}\n";
    }

    /** The live route's commit annotation and timeout. */
    static List<String> live(String name) {
        GenericKubernetesResource vs = client.genericKubernetesResources(new KubeObjects(client)
                .context("networking.istio.io", "v1", "VirtualService")).inNamespace(NS).withName(name).get();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> http = ((List<Map<String, Object>>) spec.get("http")).get(0);
        return List.of(vs.getMetadata().getAnnotations().get(Ownership.COMMIT), String.valueOf(http.get("timeout")));
    }

    static String recorded(String syncName) {
        return new SyncStateStore(client, SyncOptions.DEFAULT_STATE_NAMESPACE, syncName).load().orElseThrow().commit();
    }

    static List<State> syncStatuses(List<CommitStatus> statuses, String sha) {
        return statuses.stream().filter(s -> s.context().equals("meshcd/sync") && s.sha().equals(sha))
                .map(CommitStatus::state).toList();
    }

    @Test
    void unreachableRemoteIsReportedTheLastGoodStateKeptAndTheSyncResumes() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "route", "context.yaml", ApiServerCrashTest.webContext(NS),
                    "routes.yaml", route("away", "5s"));
            SyncOptions options = SyncOptions.builder("git-away", server.url("mesh"), tmp.resolve("cache"))
                    .retry(2, Duration.ofMillis(100)).build();
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                SyncResult first = r.reconcile();
                assertThat(first.phase()).as(first.message()).isEqualTo(SyncResult.Phase.SYNCED);

                String c2 = GitServer.commit(work, "longer timeout", "routes.yaml", route("away", "7s"));
                server.stopDaemon();
                for (int poll = 0; poll < 2; poll++) { // every poll while it is away says so; none succeeds
                    SyncResult down = r.reconcile();
                    assertThat(down.phase()).isEqualTo(SyncResult.Phase.FETCH_FAILED);
                    assertThat(down.ok()).isFalse();
                    assertThat(down.message()).startsWith("fetch " + server.url("mesh") + ": ")
                            .containsIgnoringCase("connection refused");
                }
                assertThat(syncStatuses(statuses, c2)).as("nothing reported for a commit never fetched").isEmpty();
                assertThat(live("away")).containsExactly(c1, "5s");
                assertThat(recorded("git-away")).isEqualTo(c1);

                server.startDaemon();
                SyncResult back = r.reconcile();
                assertThat(back.phase()).as(back.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(back.commit()).isEqualTo(c2);
                assertThat(live("away")).containsExactly(c2, "7s");
                assertThat(recorded("git-away")).isEqualTo(c2);
                assertThat(syncStatuses(statuses, c2)).containsExactly(State.PENDING, State.SUCCESS);
            }
        }
    }

    @Test
    void fullCacheDuringFetchIsReportedCorruptsNothingAndRecoversWhenSpaceReturns() throws Exception {
        Path mount = tmp.resolve("small");
        Files.createDirectories(mount);
        // A real full file system: a 1 MiB tmpfs (needs root; without it the test is skipped, saying so).
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (needs root): the full-cache fault is not exercised");
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "route", "context.yaml", ApiServerCrashTest.webContext(NS),
                    "routes.yaml", route("full", "5s"));
            Path cache = mount.resolve("cache");
            SyncOptions options = SyncOptions.builder("cache-full", server.url("mesh"), cache)
                    .retry(2, Duration.ofMillis(100)).build();
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                SyncResult first = r.reconcile();
                assertThat(first.phase()).as(first.message()).isEqualTo(SyncResult.Phase.SYNCED);

                // The next commit carries 3 MiB that do not compress: its pack cannot fit in what is left.
                byte[] noise = new byte[3 << 20];
                new Random(16).nextBytes(noise);
                Files.write(work.resolve("blob.bin"), noise);
                String c2 = GitServer.commit(work, "a big file and a longer timeout", "routes.yaml", route("full", "7s"));

                SyncResult full = r.reconcile();
                assertThat(full.phase()).isEqualTo(SyncResult.Phase.FETCH_FAILED);
                assertThat(full.message()).startsWith("fetch " + server.url("mesh") + ": ")
                        .containsIgnoringCase("no space left on device");
                assertThat(syncStatuses(statuses, c2)).isEmpty();
                assertThat(live("full")).containsExactly(c1, "5s");
                assertThat(recorded("cache-full")).isEqualTo(c1);
                // The cache is still a sound repository at the last fetched commit.
                assertThat(git(cache, "fsck", "--no-progress")).isZero();
                assertThat(gitOut(cache, "rev-parse", "refs/remotes/origin/main")).isEqualTo(c1);

                assertThat(run("mount", "-o", "remount,size=16m", mount.toString())).isZero();
                SyncResult back = r.reconcile();
                assertThat(back.phase()).as(back.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(back.commit()).isEqualTo(c2);
                assertThat(live("full")).containsExactly(c2, "7s");
                assertThat(recorded("cache-full")).isEqualTo(c2);
                assertThat(git(cache, "fsck", "--no-progress")).isZero();
            }
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    static int git(Path gitDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "--git-dir", gitDir.toString()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    static String gitOut(Path gitDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "--git-dir", gitDir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
