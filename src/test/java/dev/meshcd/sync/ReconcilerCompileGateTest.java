package dev.meshcd.sync;

import static dev.meshcd.sync.MeshDocs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.webhook.PushWebhook;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler's guarantees that need no API server: a commit that does not compile applies nothing
 * and says why; with the cluster unreachable, {@code meshcd/sync} is never success. Real Git (git
 * daemon); the Kubernetes client points at a closed port.
 */
class ReconcilerCompileGateTest {

    @TempDir
    Path tmp;

    static KubernetesClient unreachableCluster() throws Exception {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:" + GitServer.freePort()).withConnectionTimeout(500)
                .withRequestTimeout(1000).withRequestRetryBackoffLimit(0).build()).build();
    }

    @Test
    void brokenCommitIsNotAppliedAndStatusesSayWhy() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv")); KubernetesClient client = unreachableCluster()) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String broken = GitServer.commit(work, "broken",
                    "clusters/prod/cart.yaml", VS_SIMPLE, "clusters/prod/context.yaml", MeshDocs.CONTEXT,
                    "clusters/prod/bad.yaml", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: [oops\n",
                    "clusters/dev/ignored.yaml", "this: [is not: valid");
            SyncOptions options = SyncOptions.builder("prod", server.url("mesh"), tmp.resolve("cache"))
                    .path("clusters/prod").cluster("prod-eu").retry(1, Duration.ofMillis(10)).build();
            try (Reconciler reconciler = Reconciler.create(options, client, statuses::add)) {
                SyncResult r = reconciler.reconcile();
                assertThat(r.phase()).isEqualTo(SyncResult.Phase.COMPILE_FAILED);
                assertThat(r.applied()).isZero();
                assertThat(statuses).extracting(CommitStatus::context, CommitStatus::state).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("meshcd/compile (prod-eu)", State.PENDING),
                        org.assertj.core.groups.Tuple.tuple("meshcd/compile (prod-eu)", State.FAILURE),
                        org.assertj.core.groups.Tuple.tuple("meshcd/sync (prod-eu)", State.FAILURE));
                assertThat(statuses).allMatch(s -> s.sha().equals(broken));
                CommitStatus compile = statuses.get(1);
                assertThat(compile.description()).matches("1 error: clusters/prod/bad\\.yaml:\\d+: \\S+ .*")
                        .hasSizeLessThanOrEqualTo(CommitStatus.MAX_DESCRIPTION);
                assertThat(statuses.get(2).description()).isEqualTo("not applied: compile failed; cluster stays at nothing");
                assertThat(reconciler.lastReport()).contains("clusters/prod/bad.yaml").doesNotContain("ignored.yaml");

                // Polling the same commit again reports nothing new.
                assertThat(reconciler.reconcile().phase()).isEqualTo(SyncResult.Phase.COMPILE_FAILED);
                assertThat(statuses).hasSize(3);

                // The fix compiles; the cluster is unreachable, so sync is an error, never success.
                statuses.clear();
                String fixed = GitServer.commit(work, "fix", "clusters/prod/bad.yaml", null);
                SyncResult r2 = reconciler.reconcile();
                assertThat(r2.commit()).isEqualTo(fixed);
                assertThat(r2.phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);
                assertThat(statuses).extracting(CommitStatus::context, CommitStatus::state).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("meshcd/compile (prod-eu)", State.PENDING),
                        org.assertj.core.groups.Tuple.tuple("meshcd/compile (prod-eu)", State.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("meshcd/sync (prod-eu)", State.PENDING),
                        org.assertj.core.groups.Tuple.tuple("meshcd/sync (prod-eu)", State.ERROR));
                assertThat(statuses.get(1).description()).isEqualTo("6 resources, 0 warnings");
                assertThat(statuses.get(3).description()).startsWith("not applied: cluster unreachable");
            }
        }
    }

    @Test
    void verifiedPushWebhookTriggersTheLoopNow() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv")); KubernetesClient client = unreachableCluster()) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            GitServer.commit(work, "first", "a.yaml", VS_SIMPLE);
            SyncOptions options = SyncOptions.builder("prod", server.url("mesh"), tmp.resolve("cache"))
                    .interval(Duration.ofHours(1)).retry(1, Duration.ofMillis(10)).build();
            LinkedBlockingQueue<SyncResult> results = new LinkedBlockingQueue<>();
            try (Reconciler reconciler = Reconciler.create(options, client, s -> { });
                 SyncLoop loop = new SyncLoop(reconciler, options, results::add)) {
                loop.start();
                SyncResult first = results.poll(60, TimeUnit.SECONDS);
                assertThat(first).isNotNull();
                String second = GitServer.commit(work, "second", "b.yaml", VS_SIMPLE.replace("cart", "pay"));
                String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + second + "\"}";
                PushWebhook hook = new PushWebhook("s3cret", "main", loop::trigger);
                int code = hook.handle("POST", "/hooks/gitea", Map.of("X-Gitea-Event", "push",
                        "X-Gitea-Signature", java.util.HexFormat.of().formatHex(hook.hmac(body.getBytes(StandardCharsets.UTF_8)))),
                        body.getBytes(StandardCharsets.UTF_8));
                assertThat(code).isEqualTo(202);
                SyncResult triggered = results.poll(60, TimeUnit.SECONDS);
                assertThat(triggered).isNotNull();
                assertThat(triggered.commit()).as("the hour-long poll interval did not run it").isEqualTo(second);
            }
        }
    }

    @Test
    void theRepositorysMeshcdYamlAppliesAsForCheck() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv")); KubernetesClient client = unreachableCluster()) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            // broken/ is excluded by the repo's meshcd.yaml, as examples/ does: the commit compiles
            GitServer.commit(work, "with config",
                    "prod/meshcd.yaml", "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\nexclude: [broken/]\n",
                    "prod/cart.yaml", VS_SIMPLE, "prod/context.yaml", MeshDocs.CONTEXT,
                    "prod/broken/bad.yaml", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: [oops\n");
            SyncOptions options = SyncOptions.builder("prod", server.url("mesh"), tmp.resolve("cache"))
                    .path("prod").retry(1, Duration.ofMillis(10)).build();
            try (Reconciler reconciler = Reconciler.create(options, client, statuses::add)) {
                assertThat(reconciler.reconcile().phase()).as(reconciler.lastReport()).isEqualTo(SyncResult.Phase.APPLY_FAILED);

                // an edit elsewhere is recompiled incrementally under the same config
                GitServer.commit(work, "edit", "prod/cart.yaml", VS_SIMPLE.replace("{destination: {host: cart}}]}", "{destination: {host: cart}}], timeout: 5s}"));
                assertThat(reconciler.reconcile().phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);

                // dropping the exclusion brings the broken file in: nothing is applied
                GitServer.commit(work, "no excludes", "prod/meshcd.yaml",
                        "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n");
                assertThat(reconciler.reconcile().phase()).isEqualTo(SyncResult.Phase.COMPILE_FAILED);
                assertThat(reconciler.lastReport()).contains("prod/broken/bad.yaml");

                // a meshcd.yaml with an error fails the compile with the config's own diagnostic
                GitServer.commit(work, "bad config", "prod/meshcd.yaml",
                        "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\nexclude: [broken/]\nbogus: 1\n");
                assertThat(reconciler.reconcile().phase()).isEqualTo(SyncResult.Phase.COMPILE_FAILED);
                assertThat(reconciler.lastReport()).contains("prod/meshcd.yaml").contains("bogus");
            }
        }
    }
}
