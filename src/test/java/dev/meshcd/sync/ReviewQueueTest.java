package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.sync.review.PullRequestEvent;
import dev.meshcd.sync.review.ReviewQueue;
import dev.meshcd.sync.review.ReviewQueue.Admission;
import dev.meshcd.sync.webhook.PullRequestWebhook;
import dev.meshcd.sync.webhook.PushWebhook.Forge;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reviews beside the sync: bounded workers and queue, the newest push of a pull request wins, no overlap per PR. */
class ReviewQueueTest {
    static PullRequestEvent event(long number, int push) {
        return new PullRequestEvent(Forge.GITHUB, number, "synchronize", "main",
                String.format("%040x", push), "refs/pull/" + number + "/head", null, null);
    }

    /** A review that blocks until released, recording what it reviewed. */
    static final class Gate {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch started;
        final List<String> reviewed = Collections.synchronizedList(new ArrayList<>());
        final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        final AtomicInteger overlaps = new AtomicInteger();

        Gate(int starts) {
            started = new CountDownLatch(starts);
        }

        void review(PullRequestEvent e) {
            AtomicInteger n = inFlight.computeIfAbsent(e.key(), k -> new AtomicInteger());
            if (n.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            reviewed.add(e.key() + "@" + Long.parseLong(e.headSha().substring(30), 16));
            n.decrementAndGet();
        }
    }

    @Test
    void newestPushWinsAndReviewsOfOnePullRequestDoNotOverlap() throws Exception {
        Gate gate = new Gate(1);
        try (ReviewQueue q = new ReviewQueue(2, 4, gate::review)) {
            assertThat(q.submit(event(1, 1))).isEqualTo(Admission.QUEUED);
            assertThat(gate.started.await(30, TimeUnit.SECONDS)).isTrue(); // #1 push 1 under review
            assertThat(q.submit(event(1, 2))).isEqualTo(Admission.QUEUED); // waits: #1 is under review
            assertThat(q.submit(event(1, 3))).isEqualTo(Admission.SUPERSEDED);
            assertThat(q.submit(event(1, 4))).isEqualTo(Admission.SUPERSEDED);
            assertThat(q.waiting()).isEqualTo(1);
            gate.release.countDown();
        }
        // close() waited for the running review; the waiting one was dropped with the queue or ran: never push 2 or 3
        assertThat(gate.reviewed).doesNotContain("github#1@2", "github#1@3").startsWith("github#1@1");
        assertThat(gate.overlaps.get()).isZero();
    }

    @Test
    void supersededPushesAreNeverReviewed() throws Exception {
        Gate gate = new Gate(1);
        ReviewQueue q = new ReviewQueue(1, 4, gate::review);
        q.submit(event(1, 1));
        assertThat(gate.started.await(30, TimeUnit.SECONDS)).isTrue();
        q.submit(event(1, 2));
        q.submit(event(1, 3));
        q.submit(event(2, 9)); // queued behind: the single worker runs it after #1's reviews
        gate.release.countDown();
        dev.meshcd.testing.Await.until(java.time.Duration.ofSeconds(30), "three reviews", () -> gate.reviewed.size() == 3);
        q.close();
        assertThat(gate.reviewed).containsExactly("github#1@1", "github#1@3", "github#2@9");
    }

    @Test
    void aFullQueueRefusesNewPullRequestsButStillTakesNewerPushes() throws Exception {
        Gate gate = new Gate(1);
        try (ReviewQueue q = new ReviewQueue(1, 2, gate::review)) {
            q.submit(event(1, 1));
            assertThat(gate.started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(q.submit(event(2, 1))).isEqualTo(Admission.QUEUED);
            assertThat(q.submit(event(3, 1))).isEqualTo(Admission.QUEUED);
            assertThat(q.submit(event(4, 1))).isEqualTo(Admission.FULL);
            assertThat(q.submit(event(3, 2))).isEqualTo(Admission.SUPERSEDED);
            gate.release.countDown();
        }
    }

    @Test
    void aClosedQueueTakesNothing() {
        ReviewQueue q = new ReviewQueue(1, 1, e -> { });
        q.close();
        assertThat(q.submit(event(1, 1))).isEqualTo(Admission.CLOSED);
    }

    /** The hook answers at once while reviews run: a slow review never holds the HTTP thread (nor the sync). */
    @Test
    void theHookAnswersWhileAReviewRuns() throws Exception {
        String body = new String(PullRequestEventTest.class.getResourceAsStream(
                "/webhook-payloads/github-pull_request-opened.json").readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> h = Map.of("X-GitHub-Event", "pull_request",
                "X-Hub-Signature-256", "sha256=" + PushWebhookTest.hmac(PushWebhookTest.SECRET, body));
        Gate gate = new Gate(1);
        try (ReviewQueue q = new ReviewQueue(1, 1, gate::review)) {
            PullRequestWebhook hook = new PullRequestWebhook(PushWebhookTest.SECRET, "master", q::submit);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertThat(hook.handle("/hooks/github", h, bytes)).isEqualTo(202);
            assertThat(gate.started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(hook.handle("/hooks/github", h, bytes)).as("waits behind the running review").isEqualTo(202);
            assertThat(hook.handle("/hooks/github", h, bytes)).as("supersedes the waiting one").isEqualTo(202);
            assertThat(gate.reviewed).isEmpty();
            gate.release.countDown();
        }
    }

    /** The HTTP answers of the pull-request hook: signature first, then what the queue says. */
    @Test
    void webhookAnswers() throws Exception {
        String body = new String(PullRequestEventTest.class.getResourceAsStream(
                "/webhook-payloads/github-pull_request-synchronize.json").readAllBytes(), StandardCharsets.UTF_8);
        String good = "sha256=" + PushWebhookTest.hmac(PushWebhookTest.SECRET, body);
        List<PullRequestEvent> queued = new ArrayList<>();
        Admission[] answer = {Admission.QUEUED};
        PullRequestWebhook hook = new PullRequestWebhook(PushWebhookTest.SECRET, "master", e -> {
            queued.add(e);
            return answer[0];
        });
        Map<String, String> h = Map.of("X-GitHub-Event", "pull_request", "X-Hub-Signature-256", good);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(hook.handle("/hooks/github", Map.of("X-GitHub-Event", "pull_request",
                "X-Hub-Signature-256", "sha256=" + PushWebhookTest.hmac("wrong", body)), bytes)).isEqualTo(401);
        assertThat(hook.handle("/hooks/github", Map.of("X-GitHub-Event", "pull_request"), bytes)).isEqualTo(401);
        assertThat(queued).isEmpty();
        assertThat(hook.handle("/hooks/github", h, bytes)).isEqualTo(202);
        answer[0] = Admission.SUPERSEDED;
        assertThat(hook.handle("/hooks/github", h, bytes)).isEqualTo(202);
        answer[0] = Admission.FULL;
        assertThat(hook.handle("/hooks/github", h, bytes)).isEqualTo(429);
        answer[0] = Admission.CLOSED;
        assertThat(hook.handle("/hooks/github", h, bytes)).isEqualTo(503);
        assertThat(queued).hasSize(4).allMatch(e -> e.number() == 2);
        PullRequestWebhook otherBranch = new PullRequestWebhook(PushWebhookTest.SECRET, "main", e -> {
            throw new AssertionError("a pull request into master is not main's");
        });
        assertThat(otherBranch.handle("/hooks/github", h, bytes)).isEqualTo(200);
        byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
        assertThat(hook.handle("/hooks/github", Map.of("X-GitHub-Event", "pull_request", "X-Hub-Signature-256",
                "sha256=" + PushWebhookTest.hmac(PushWebhookTest.SECRET, "{not json")), junk)).isEqualTo(400);
        assertThat(hook.handle("/hooks/bitbucket", h, bytes)).isEqualTo(404);
    }
}
