package dev.meshcd.cli;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diff.DiffReport;
import dev.meshcd.compiler.diff.MeshDiff;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.report.TextRenderer;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.review.PullRequestReviewer;
import dev.meshcd.sync.status.CommitStatus;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The review {@code meshcd run --repo} posts on a pull request: base and head compiled as the sync compiles (its
 * options, meshcd.yaml at the synced path), each in a workspace of its own (the sync's keeps its incremental state),
 * analyzed against the live cluster (the sync's {@link InformerContext}).
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
        CompileResult before = compile(repository, base);
        CompileResult after = compile(repository, head);
        return render(before, after, head);
    }

    private CompileResult compile(Repository repository, ObjectId commit) throws IOException {
        Workspace workspace = Reconciler.workspaceFor(options, cluster);
        return workspace.compile(Workspaces.readRevision(repository, commit.name(), options.path(), workspace),
                Compiler.Mode.CHECK);
    }

    /** The review document: verdict, the head's findings the base did not have, and what changes. */
    static PullRequestReview render(CompileResult before, CompileResult after, ObjectId head) {
        long errors = after.count(Severity.ERROR);
        long warnings = after.count(Severity.WARNING);
        List<Diagnostic> introduced = after.diagnostics().stream()
                .filter(d -> d.severity() != Severity.INFO)
                .filter(d -> before.diagnostics().stream().noneMatch(b -> same(b, d))).toList();
        StringBuilder md = new StringBuilder("<!-- meshcd-review head=").append(head.name()).append(" -->\n");
        String verdict = errors == 0 ? "compiles" : "does not compile";
        md.append("### meshcd review: ").append(verdict).append(", ").append(errors).append(errors == 1 ? " error, " : " errors, ")
                .append(warnings).append(warnings == 1 ? " warning" : " warnings").append("\n\n");
        if (!introduced.isEmpty()) {
            md.append("**Introduced by this change**\n\n```\n").append(TextRenderer.lines(introduced)).append("```\n\n");
        }
        if (!after.hasErrors()) {
            DiffReport diff = MeshDiff.diff(EffectiveMesh.of(before), EffectiveMesh.of(after));
            md.append(diff.toMarkdown());
        }
        String text = md.toString();
        if (text.length() > 60_000) {
            text = text.substring(0, 60_000) + "\n\n… (truncated)\n";
        }
        CommitStatus.State state = errors > 0 ? CommitStatus.State.FAILURE : CommitStatus.State.SUCCESS;
        String summary = verdict + ": " + introduced.size() + " finding" + (introduced.size() == 1 ? "" : "s")
                + " introduced";
        return new PullRequestReview(text, state, summary);
    }

    private static boolean same(Diagnostic a, Diagnostic b) {
        return a.code().equals(b.code()) && a.resource().equals(b.resource()) && a.path().equals(b.path());
    }
}
