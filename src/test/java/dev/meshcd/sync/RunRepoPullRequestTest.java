package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.CliProcess;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-request reviews in {@code meshcd run --repo}, end to end: a real {@code git daemon} holding the repository and
 * the pull request's head under {@code refs/pull/1/head} (as GitHub keeps it), the real API server, GitHub
 * {@code pull_request} events (a real payload from @octokit/webhooks-examples, pointed at this repository) over
 * meshcd's HTTPS server, and a recording forge on 127.0.0.1 taking the comment and the statuses.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class RunRepoPullRequestTest {
    static final String NS = "prreview";
    static final String TOKEN = "ghs_forgetoken0123456789";

    @TempDir
    Path tmp;

    static LocalCluster cluster;

    @BeforeAll
    static void connect(LocalCluster c) throws Exception {
        cluster = c;
        RunRepoClusterTest.cluster = c;
        RunRepoClusterTest.client = c.client();
        ReconcilerClusterTest.client = c.client();
        ReconcilerClusterTest.installIstioCrds();
        if (c.client().namespaces().withName(NS).get() == null) {
            c.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                    .create();
        }
    }

    /** The real opened/synchronize payload, renumbered to pull request 1 of this repository at {@code head}. */
    static byte[] event(String action, String head) throws Exception {
        ObjectNode p = PullRequestEventTest.payload("github-pull_request-" + action + ".json");
        p.put("number", 1);
        ObjectNode pr = (ObjectNode) p.path("pull_request");
        pr.put("number", 1);
        ((ObjectNode) pr.path("head")).put("sha", head).put("ref", "canary");
        ((ObjectNode) pr.path("base")).put("ref", "main");
        return RecordingForge.JSON.writeValueAsBytes(p);
    }

    static HttpResponse<String> post(HttpClient http, int port, byte[] body, String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/hooks/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "pull_request")
                .header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Commits {@code files} on branch canary and pushes it to refs/pull/1/head; returns the commit. */
    static String pushPullRequest(Path work, String message, String... files) throws Exception {
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(work.resolve(files[i]), files[i + 1]);
        }
        GitServer.git(work, "add", "-A");
        GitServer.git(work, "commit", "-q", "-m", message);
        GitServer.git(work, "push", "-q", "-f", "origin", "HEAD:refs/pull/1/head");
        return GitServer.git(work, "rev-parse", "HEAD").strip();
    }

    @Test
    void pullRequestGetsOneCommentEditedOnEachPushAndTheStatusOnItsHead() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv")); RecordingForge forge = new RecordingForge(TOKEN)) {
            Path work = server.createRepo(NS, tmp.resolve("work"));
            String c1 = GitServer.commit(work, "initial", RunRepoClusterTest.files(NS, 90));
            Path token = tmp.resolve("forge-token");
            Files.writeString(token, TOKEN + "\n");
            RunRepoClusterTest harness = new RunRepoClusterTest();
            harness.tmp = tmp;
            List<String> args = harness.runArgs(server, NS, "run", "--interval", "1h", "--status", "github",
                    "--status-url", forge.base.toString(), "--status-repo", "acme/mesh", "--status-token-file",
                    token.toString(), "--pr-reviews", "1");
            try (CliProcess run = CliProcess.start(tmp.resolve("logs"), "run", args)) {
                int port = harness.awaitPort("run", run);
                Await.until(Duration.ofSeconds(60), "first commit applied",
                        () -> c1.equals(RunRepoClusterTest.appliedCommit(NS)));
                HttpClient http = harness.https();

                GitServer.git(work, "checkout", "-q", "-b", "canary");
                String[] fifty = RunRepoClusterTest.files(NS, 50);
                String h1 = pushPullRequest(work, "cart: 50/50", "cart.yaml", fifty[7]);

                byte[] opened = event("opened", h1);
                HttpResponse<String> forged = post(http, port, opened, RunRepoClusterTest.sign(opened, "not-the-secret"));
                assertThat(forged.statusCode()).isEqualTo(401);
                long t0 = System.nanoTime();
                assertThat(post(http, port, opened, RunRepoClusterTest.sign(opened, RunRepoClusterTest.SECRET))
                        .statusCode()).isEqualTo(202);
                Await.until(Duration.ofSeconds(90), "the review of " + h1 + " on the forge\n" + run.output(),
                        () -> forge.statuses("meshcd/review").contains(h1 + " success"));
                System.out.println("pull_request opened to comment and status: " + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
                Map<Long, Map.Entry<Long, String>> comments = forge.comments();
                assertThat(comments).hasSize(1);
                long id = comments.keySet().iterator().next();
                String first = comments.get(id).getValue();
                assertThat(comments.get(id).getKey()).isEqualTo(1L);
                assertThat(first).contains("<!-- meshcd-review").contains("VirtualService " + NS + "/cart");
                assertThat(forge.statuses("meshcd/review")).containsExactly(h1 + " pending", h1 + " success");

                // A second push to the pull request: the same comment is edited, the status goes on the new head.
                String h2 = pushPullRequest(work, "cart: 60/40", "cart.yaml",
                        RunRepoClusterTest.files(NS, 60)[7]);
                byte[] sync = event("synchronize", h2);
                long t1 = System.nanoTime();
                assertThat(post(http, port, sync, RunRepoClusterTest.sign(sync, RunRepoClusterTest.SECRET))
                        .statusCode()).isEqualTo(202);
                Await.until(Duration.ofSeconds(90), "the review of " + h2 + " on the forge\n" + run.output(),
                        () -> forge.statuses("meshcd/review").contains(h2 + " success"));
                System.out.println("pull_request synchronize to edited comment and status: "
                        + (System.nanoTime() - t1) / 1_000_000 + " ms");
                assertThat(forge.comments()).containsOnlyKeys(id);
                assertThat(forge.comments().get(id).getValue()).isNotEqualTo(first);
                assertThat(forge.requests("POST", "/repos/acme/mesh/issues/1/comments")).hasSize(1);
                assertThat(forge.requests("PATCH", "/repos/acme/mesh/issues/comments/" + id)).hasSize(1);

                // Reviewed, never applied: the cluster still runs main's commit.
                assertThat(RunRepoClusterTest.appliedCommit(NS)).isEqualTo(c1);
                assertThat(RunRepoClusterTest.vs(NS).getAdditionalProperties().get("spec").toString())
                        .contains("weight=90");
                run.close();
                assertThat(run.output()).doesNotContain(TOKEN).doesNotContain(RunRepoClusterTest.SECRET);
            }
        }
    }
}
