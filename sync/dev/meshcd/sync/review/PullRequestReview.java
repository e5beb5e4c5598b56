package dev.meshcd.sync.review;

import dev.meshcd.sync.status.CommitStatus;
import java.util.Objects;

/**
 * What a review of a pull request gives: the markdown comment (carrying the hidden {@code <!-- meshcd-review}
 * marker line), the state of the {@code meshcd/review} status on the head commit, and that status's one-line
 * description ("2 errors introduced", "compiles; 1 proxy's routing changes").
 */
public record PullRequestReview(String markdown, CommitStatus.State state, String summary) {
    public PullRequestReview {
        Objects.requireNonNull(markdown, "markdown");
        Objects.requireNonNull(state, "state");
        summary = summary == null ? "" : summary;
    }
}
