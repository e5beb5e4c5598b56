package dev.meshcd.cli;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.review.Review;
import dev.meshcd.compiler.review.ReviewReport;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
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
        CompileResult before = workspace.compile(Workspaces.readRevision(repository, base.name(), options.path(),
                workspace), Compiler.Mode.CHECK);
        GitTreeSource.Changes changes = GitTreeSource.changes(repository, base.name(), head.name(), options.path(),
                workspace.maxFileBytes());
        CompileResult after = workspace.update(changes.changed(), changes.removed(), Compiler.Mode.CHECK);
        return of(Review.review(before, after, Optional.empty()));
    }

    static PullRequestReview of(ReviewReport report) {
        return ReviewPostOptions.review(report, report.markdown());
    }
}
