package dev.meshcd.sync.review;

import dev.meshcd.sync.forge.ReviewPublisher;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.GitException;
import dev.meshcd.sync.git.GitRemote;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pull-request review: fetches the base branch and the head into a Git mirror of their own (never the
 * sync's), one commit deep; reviews the head against the base; posts the comment and the {@code meshcd/review}
 * status. The head comes from the ref the forge keeps in the base repository ({@code refs/pull/N/head},
 * {@code refs/merge-requests/N/head}), else from the fork's clone URL (checked by {@link ForkUrls}, fetched without
 * credentials). Nothing here touches the cluster: a pull request is never applied.
 */
public final class PullRequestReviews implements Consumer<PullRequestEvent>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PullRequestReviews.class);

    private final GitRemote origin;
    private final Path mirror;
    private final String branch;
    private final PullRequestReviewer reviewer;
    private final ReviewPublisher publisher;
    /** Fetches into the mirror one at a time: they move its refs; reviews then read objects concurrently. */
    private final Object fetching = new Object();

    /**
     * @param url         the repository the sync follows (its pull requests are reviewed)
     * @param credentials for {@code url} only
     * @param mirror      the reviews' bare repository (created when missing)
     */
    public PullRequestReviews(String url, String branch, GitCredentials credentials, Path mirror,
                              PullRequestReviewer reviewer, ReviewPublisher publisher) throws IOException {
        this.origin = new GitRemote(url, branch, mirror, credentials);
        this.mirror = mirror;
        this.branch = branch;
        this.reviewer = reviewer;
        this.publisher = publisher;
    }

    @Override
    public void accept(PullRequestEvent e) {
        String key = e.key();
        try {
            publisher.pending(e.headSha(), "reviewing against " + branch);
        } catch (IOException ex) {
            LOG.warn("review {}: cannot set the pending status: {}", key, ex.getMessage());
        }
        ObjectId base;
        ObjectId head;
        try {
            synchronized (fetching) {
                base = origin.fetchRef("refs/heads/" + branch, "refs/meshcd/review/base", 1);
                head = fetchHead(e);
            }
        } catch (GitException ex) {
            LOG.warn("review {}: {}", key, ex.getMessage());
            fail(e, "could not fetch the pull request's head or " + branch);
            return;
        }
        try {
            PullRequestReview review = reviewer.review(origin.repository(), base, head);
            publisher.publish(e.number(), head.name(), review);
            LOG.info("review {}: {} reviewed against {} {}: {}", key, head.name(), branch, base.name(),
                    review.summary());
        } catch (IOException | RuntimeException ex) {
            LOG.warn("review {}: {}", key, ex.getMessage());
            fail(e, "review failed: " + ex.getMessage());
        }
    }

    /**
     * The commit to review: the event's head when the fetched ref brought it (the forge's ref may already be at a
     * newer push, whose own event follows), else the ref's commit.
     */
    private ObjectId fetchHead(PullRequestEvent e) throws GitException {
        String local = "refs/meshcd/review/" + e.key().replace('#', '/');
        ObjectId tip;
        try {
            tip = origin.fetchRef(e.headRef(), local, 1);
        } catch (GitException notThere) {
            if (e.forkUrl() == null) {
                throw notThere;
            }
            LOG.info("review {}: {} not fetched from the repository; fetching the fork's {}", e.key(), e.headRef(),
                    e.forkBranch());
            try (GitRemote fork = new GitRemote(e.forkUrl(), e.forkBranch(), mirror, GitCredentials.NONE)) {
                tip = fork.fetchRef("refs/heads/" + e.forkBranch(), local, 1);
            } catch (IOException io) {
                throw new GitException("fetch from the fork: " + io.getMessage());
            }
        }
        ObjectId named = ObjectId.fromString(e.headSha());
        try {
            return origin.repository().getObjectDatabase().has(named) ? named : tip;
        } catch (IOException io) {
            throw new GitException("reading the review mirror: " + io.getMessage());
        }
    }

    private void fail(PullRequestEvent e, String why) {
        try {
            publisher.failed(e.headSha(), why);
        } catch (IOException ex) {
            LOG.warn("review {}: cannot set the error status: {}", e.key(), ex.getMessage());
        }
    }

    @Override
    public void close() {
        origin.close();
    }
}
