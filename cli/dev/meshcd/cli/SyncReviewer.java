package dev.meshcd.cli;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.review.Review;
import dev.meshcd.compiler.review.ReviewReport;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.review.PullRequestReviewer;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The review {@code meshcd run --repo} posts on a pull request, as {@code meshcd review} makes it: base compiled as
 * the sync compiles (its options, meshcd.yaml at the synced path) in a workspace of its own (the sync's keeps its
 * incremental state), head as an update of it with the files that differ, both analyzed against the live cluster
 * (the sync's {@link InformerContext}).
 */
final class SyncReviewer implements PullRequestReviewer {
    private final SyncOptions options;
    private final Supplier<MeshContext> cluster;

    SyncReviewer(SyncOptions options, Supplier<MeshContext> cluster) {
        this.options = options;
        this.cluster = cluster;
    }

    @Override
    public PullRequestReview review(Repository repository, ObjectId base, ObjectId head) throws IOException {
        Workspace workspace = Reconciler.workspaceFor(options, cluster);
        Review.Sides sides = Review.compileRevisions(workspace, repository, base.name(), head.name(), options.path());
        return of(Review.review(sides.base(), sides.head(), Optional.empty()));
    }

    static PullRequestReview of(ReviewReport report) {
        return ReviewPostOptions.review(report, report.markdown());
    }
}
