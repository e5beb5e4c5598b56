package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.sync.forge.ForgeTarget;
import dev.meshcd.sync.forge.ReviewPublisher;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.review.PullRequestEvent;
import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.review.PullRequestReviews;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.status.HttpStatusBackend;
import dev.meshcd.sync.webhook.PushWebhook.Forge;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a review's head comes from, with a real {@code git daemon}: the forge's ref in the base repository
 * (GitLab's refs/merge-requests/N/head here), else the fork's URL; a head that cannot be fetched is an error status.
 */
class PullRequestReviewsTest {
    static final String TOKEN = "ghs_reviewsfetchtoken";

    @TempDir
    Path tmp;

    /** What the reviewer was given: "base-subject -> head-subject". */
    final List<String> reviewed = new ArrayList<>();

    PullRequestReviews reviews(GitServer server, RecordingForge forge) throws Exception {
        return new PullRequestReviews(server.url("mesh"), "main", GitCredentials.NONE, tmp.resolve("mirror"),
                (repo, base, head) -> {
                    try (RevWalk walk = new RevWalk(repo)) {
                        reviewed.add(walk.parseCommit(base).getShortMessage() + " -> "
                                + walk.parseCommit(head).getShortMessage());
                    }
                    return new PullRequestReview("<!-- meshcd-review -->\nok\n", State.SUCCESS, "compiles");
                },
                new ReviewPublisher(new ForgeTarget(HttpStatusBackend.Forge.GITHUB, forge.base, "acme/mesh", TOKEN),
                        null, null));
    }

    static PullRequestEvent event(long n, String sha, String headRef, String forkUrl, String forkBranch) {
        return new PullRequestEvent(Forge.GITLAB, n, "update", "main", sha, headRef, forkUrl, forkBranch);
    }

    @Test
    void headFromTheForgeRefThenFromTheForkThenAnErrorStatus() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv")); RecordingForge forge = new RecordingForge(TOKEN)) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            GitServer.commit(work, "base", "a.yaml", "a: 1\n");
            GitServer.git(work, "checkout", "-q", "-b", "feature");
            GitServer.git(work, "commit", "-q", "--allow-empty", "-m", "in the repository");
            GitServer.git(work, "push", "-q", "origin", "HEAD:refs/merge-requests/3/head");
            String h1 = GitServer.git(work, "rev-parse", "HEAD").strip();

            Path fork = server.createRepo("fork", tmp.resolve("fork"));
            GitServer.commit(fork, "base", "a.yaml", "a: 1\n");
            GitServer.git(fork, "commit", "-q", "--allow-empty", "-m", "in the fork");
            GitServer.git(fork, "push", "-q", "origin", "HEAD:refs/heads/their-branch");
            String h2 = GitServer.git(fork, "rev-parse", "HEAD").strip();

            try (PullRequestReviews r = reviews(server, forge)) {
                r.accept(event(3, h1, "refs/merge-requests/3/head", null, null));
                r.accept(event(4, h2, "refs/merge-requests/4/head", server.url("fork"), "their-branch"));
                String missing = "0123456789abcdef0123456789abcdef01234567";
                r.accept(event(5, missing, "refs/merge-requests/5/head", null, null));
            }
            assertThat(reviewed).containsExactly("base -> in the repository", "base -> in the fork");
            assertThat(forge.statuses("meshcd/review")).containsExactly(h1 + " pending", h1 + " success",
                    h2 + " pending", h2 + " success", "0123456789abcdef0123456789abcdef01234567 pending",
                    "0123456789abcdef0123456789abcdef01234567 error");
            assertThat(forge.statuses.get(forge.statuses.size() - 1).path("description").asText())
                    .isEqualTo("could not fetch the pull request's head or main");
            assertThat(forge.comments()).hasSize(2);
        }
    }
}
