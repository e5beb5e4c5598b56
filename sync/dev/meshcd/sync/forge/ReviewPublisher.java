package dev.meshcd.sync.forge;

import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.StatusBackend;
import java.io.IOException;
import java.net.http.HttpClient;

/**
 * Puts a review on a pull request: meshcd's comment (edited in place on later pushes, see {@link ReviewComments}),
 * then the {@code meshcd/review} status on the head commit.
 */
public final class ReviewPublisher {
    private final ReviewComments comments;
    private final StatusBackend statuses;
    private final String context;

    /**
     * @param cluster suffix of the status context ({@code meshcd/review (prod-eu)}) and the key of the comment (each
     *                cluster following one repository keeps its own), or null
     */
    public ReviewPublisher(ForgeTarget target, String cluster, HttpClient http) {
        this(new ReviewComments(new ForgeHttp(target, http), cluster == null || cluster.isBlank() ? null : cluster),
                target.statuses(http), cluster);
    }

    public ReviewPublisher(ReviewComments comments, StatusBackend statuses, String cluster) {
        this.comments = comments;
        this.statuses = statuses;
        this.context = CommitStatus.context(CommitStatus.REVIEW, cluster);
    }

    /** Marks {@code headSha} as under review (status pending), before the review starts. */
    public void pending(String headSha, String description) throws IOException {
        statuses.publish(new CommitStatus(headSha, context, CommitStatus.State.PENDING, description, null));
    }

    /** Marks {@code headSha} as not reviewed: the review could not run (status error). */
    public void failed(String headSha, String description) throws IOException {
        statuses.publish(new CommitStatus(headSha, context, CommitStatus.State.ERROR, description, null));
    }

    /**
     * Posts {@code review} on pull request {@code number}; the status goes on {@code headSha} unless it is null
     * (a review of directories has no commit).
     */
    public ReviewComments.Posted publish(long number, String headSha, PullRequestReview review) throws IOException {
        ReviewComments.Posted posted = comments.post(number, review.markdown());
        if (headSha != null) {
            statuses.publish(new CommitStatus(headSha, context, review.state(), review.summary(), null));
        }
        return posted;
    }
}
