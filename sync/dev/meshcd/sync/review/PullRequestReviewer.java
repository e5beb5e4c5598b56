package dev.meshcd.sync.review;

import java.io.IOException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** Reviews a pull request: its head commit against its base commit, both present in {@code repository}. */
@FunctionalInterface
public interface PullRequestReviewer {
    PullRequestReview review(Repository repository, ObjectId base, ObjectId head) throws IOException;
}
