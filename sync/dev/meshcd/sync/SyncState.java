package dev.meshcd.sync;

import dev.meshcd.sync.plan.DesiredObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Reconciler} carries from one pass to the next, as a value. Each step of a pass takes the state
 * and returns the next one; the reconciler is the only writer of its current state. The compilation state itself
 * lives in the reconciler's {@link dev.meshcd.compiler.workspace.Workspace}; {@link #compiledCommit} says which
 * commit that is.
 *
 * @param compiledCommit      the commit whose tree the workspace holds: the base of the next incremental recompile;
 *                            null when unknown (nothing compiled yet, or the last compile failed)
 * @param compileFailedCommit the last head that did not compile: reported once, not compiled again
 * @param refusedCommit       the last head refused for its signature (logged once)
 * @param lastAppliedCommit   the last commit this process applied and recorded: taken for the cluster's record
 *                            when that cannot be read
 * @param desired             the desired objects of the commit applied last (or, after a restart, of the commit
 *                            the cluster's record names, compiled for the drift check); null before any
 * @param diffBase            the commit this process applied completely, whose objects are {@link #desired}: while
 *                            the cluster's record still names it, the next commit is planned against those objects
 *                            (a diff, no LIST). Null after any failed or partial apply, so the next sync lists the
 *                            cluster again
 * @param driftCheckDue       a sync planned by diff compared only the objects it applied: the full drift check is
 *                            still due
 * @param published           the last status published per commit and context ({@code "<sha> <context>"} →
 *                            {@code "<STATE> <description>"}), so that a status is not published twice; it keeps
 *                            at most {@value #PUBLISHED_KEPT} entries besides the current commit's
 * @param lastReport          the full text of the last compile, signature or apply report
 */
public record SyncState(String compiledCommit, String compileFailedCommit, String refusedCommit,
                        String lastAppliedCommit, Desired desired, String diffBase, boolean driftCheckDue,
                        Map<String, String> published, String lastReport) {
    static final int PUBLISHED_KEPT = 256;

    /** A fresh reconciler's: nothing compiled, applied or published. */
    public static final SyncState INITIAL = new SyncState(null, null, null, null, null, null, false, Map.of(), "");

    /** The desired objects of one commit. */
    public record Desired(String commit, List<DesiredObject> objects) {
        public Desired {
            objects = List.copyOf(objects);
        }
    }

    public SyncState {
        published = Map.copyOf(published);
        lastReport = lastReport == null ? "" : lastReport;
    }

    /** The desired objects of {@code commit} when this state holds them, else null. */
    public List<DesiredObject> desiredOf(String commit) {
        return desired != null && desired.commit().equals(commit) ? desired.objects() : null;
    }

    /**
     * The objects to plan the next commit against instead of listing the cluster: those of the commit applied
     * completely last, while the cluster's record ({@code recorded}) still names it; else null.
     */
    public List<DesiredObject> diffBaseFor(String recorded) {
        return diffBase != null && diffBase.equals(recorded) ? desiredOf(diffBase) : null;
    }

    /** The status last published for the commit and context ({@code "<STATE> <description>"}), or null. */
    public String lastPublished(String sha, String context) {
        return published.get(sha + " " + context);
    }

    /** After a compile: the workspace holds {@code commit}'s tree (null: unknown, the compile failed). */
    public SyncState compiled(String commit) {
        return new SyncState(commit, compileFailedCommit, refusedCommit, lastAppliedCommit, desired, diffBase,
                driftCheckDue, published, lastReport);
    }

    /** {@code commit} does not compile ({@code report}: all its diagnostics); it is not compiled again. */
    public SyncState compileFailed(String commit, String report) {
        return new SyncState(compiledCommit, commit, refusedCommit, lastAppliedCommit, desired, diffBase,
                driftCheckDue, published, report);
    }

    /** {@code commit} was refused for its signature ({@code report}: why). */
    public SyncState refused(String commit, String report) {
        return new SyncState(compiledCommit, compileFailedCommit, commit, lastAppliedCommit, desired, diffBase,
                driftCheckDue, published, report);
    }

    /** An apply begins: no diff base until it has completed and is recorded. */
    public SyncState applying() {
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, lastAppliedCommit, desired, null,
                driftCheckDue, published, lastReport);
    }

    /** An apply did not complete ({@code report}: its failures). */
    public SyncState applyFailed(String report) {
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, lastAppliedCommit, desired, diffBase,
                driftCheckDue, published, report);
    }

    /** {@code commit} was applied completely and recorded: its objects are the next commit's diff base. */
    public SyncState recorded(String commit, List<DesiredObject> objects) {
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, commit, new Desired(commit, objects),
                commit, driftCheckDue, published, lastReport);
    }

    /** The desired objects of {@code commit} (the recorded one, compiled for the drift check). */
    public SyncState withDesired(String commit, List<DesiredObject> objects) {
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, lastAppliedCommit,
                new Desired(commit, objects), diffBase, driftCheckDue, published, lastReport);
    }

    public SyncState withDriftCheckDue(boolean due) {
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, lastAppliedCommit, desired, diffBase,
                due, published, lastReport);
    }

    /**
     * {@code status} ({@code "<STATE> <description>"}) was published for the commit and context. Past
     * {@value #PUBLISHED_KEPT} entries, those of other commits are forgotten first.
     */
    public SyncState published(String sha, String context, String status) {
        Map<String, String> next = new HashMap<>(published);
        if (next.size() > PUBLISHED_KEPT) {
            next.keySet().removeIf(k -> !k.startsWith(sha + " "));
        }
        next.put(sha + " " + context, status);
        return new SyncState(compiledCommit, compileFailedCommit, refusedCommit, lastAppliedCommit, desired, diffBase,
                driftCheckDue, next, lastReport);
    }
}
