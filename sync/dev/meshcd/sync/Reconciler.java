package dev.meshcd.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.Applier;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.apply.SyncStateStore;
import dev.meshcd.sync.drift.Drift;
import dev.meshcd.sync.drift.DriftDetector;
import dev.meshcd.sync.git.CommitSignatures;
import dev.meshcd.sync.git.GitException;
import dev.meshcd.sync.git.GitRemote;
import dev.meshcd.sync.plan.DesiredObject;
import dev.meshcd.sync.plan.Plan;
import dev.meshcd.sync.plan.Planner;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.status.StatusBackend;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repository's GitOps loop body, run by {@link SyncLoop}: fetch → read the commit's tree → compile
 * (in one {@link Workspace} kept across runs, so unchanged files are not re-read) → plan → apply → record the
 * applied commit → report statuses; then drift detection (and self-heal when enabled).
 *
 * <p>Guarantees: with trusted keys set ({@link SyncOptions#withTrustedKeys}), a head commit without a valid
 * signature by one of them is neither compiled nor applied; a commit that does not compile applies nothing; {@code meshcd/sync} is success only
 * after every object of the plan was applied and the commit recorded; a failed or partial apply leaves
 * the recorded (last-known-good) commit untouched and is retried on the next run.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int SUMMARY_LINES = 3;

    private final SyncOptions options;
    private final GitRemote git;
    private final StatusBackend statuses;
    /** The repository as compiled: its meshcd.yaml and incremental state (shared with the webhook by cli). */
    private final Workspace workspace;
    private final Planner planner;
    private final KubeObjects kube;
    private final Applier applier;
    private final SyncStateStore store;
    private final DriftDetector detector = new DriftDetector();
    private final Clock clock;

    private String compileFailedCommit;
    private String refusedCommit;
    private volatile String lastAppliedCommit;
    private List<DesiredObject> appliedDesired;
    private String appliedDesiredCommit;
    /** The commit whose tree {@link #workspace} holds: the base of the next incremental recompile. */
    private String compiledCommit;
    /**
     * The commit this process applied completely, whose desired objects are {@link #appliedDesired}: while the
     * cluster's record still names it, the next commit is planned against those objects (a diff, no LIST).
     * Null after any failed or partial apply, so the next sync lists the cluster again.
     */
    private String diffBase;
    /** A sync planned by diff compared only the objects it applied: the full drift check is still due. */
    private volatile boolean driftCheckDue;
    private final Map<String, String> published = new HashMap<>();
    private volatile String lastReport = "";

    public Reconciler(SyncOptions options, KubernetesClient client, StatusBackend statuses, GitRemote git) {
        this(options, client, statuses, git, workspaceFor(options));
    }

    /**
     * @param workspace where the commits are compiled: its config is {@code meshcd.yaml} at the synced path's
     *                  root ({@link #workspaceFor}); cli shares it with the webhook, which then validates under
     *                  the same settings
     */
    public Reconciler(SyncOptions options, KubernetesClient client, StatusBackend statuses, GitRemote git,
                      Workspace workspace) {
        this.options = options;
        this.git = git;
        this.statuses = statuses == null ? StatusBackend.NONE : statuses;
        this.workspace = workspace;
        this.planner = new Planner(options.name(), options.compileOptions().domainSuffix());
        this.kube = new KubeObjects(client);
        this.applier = new Applier(kube, options.parallelism(), options.forceConflicts(), options.maxAttempts(),
                options.backoff());
        this.store = new SyncStateStore(client, options.stateNamespace(), options.name());
        this.clock = Clock.systemUTC();
    }

    /** Opens the Git mirror for the options (cache directory, credentials). */
    public static Reconciler create(SyncOptions options, KubernetesClient client, StatusBackend statuses)
            throws IOException {
        return create(options, client, statuses, workspaceFor(options));
    }

    /** Likewise, compiling in {@code workspace}. */
    public static Reconciler create(SyncOptions options, KubernetesClient client, StatusBackend statuses,
                                    Workspace workspace) throws IOException {
        return new Reconciler(options, client, statuses,
                new GitRemote(options.url(), options.branch(), options.cacheDir(), options.credentials()), workspace);
    }

    /** The workspace a sync compiles in: the sync's compile options, meshcd.yaml at the synced path's root. */
    public static Workspace workspaceFor(SyncOptions options) {
        return Workspace.builder().options(options.compileOptions()).configName(Workspaces.configName(options.path()))
                .build();
    }

    public GitRemote git() {
        return git;
    }

    /**
     * True after a sync planned by diff: only the objects it applied were compared with Git, and the
     * {@code meshcd/drift} status of the commit waits for the full check of the next reconcile.
     */
    public boolean driftCheckDue() {
        return driftCheckDue;
    }

    /** The full text of the last compile or apply report (what the status target URL should show). */
    public String lastReport() {
        return lastReport;
    }

    public synchronized SyncResult reconcile() {
        ObjectId head;
        try {
            head = git.fetch();
        } catch (GitException e) {
            return new SyncResult(null, SyncResult.Phase.FETCH_FAILED, e.getMessage(), 0, 0, 0, List.of());
        }
        String sha = head.name();
        String lastCommit = lastAppliedCommit;
        boolean clusterReachable = true;
        try {
            lastCommit = store.load().map(SyncStateStore.State::commit).orElse(null);
        } catch (KubernetesClientException e) {
            // Compile anyway (the compile status does not need the cluster); applying will report it.
            clusterReachable = false;
            LOG.warn("sync {}: cannot read the applied commit: {}", options.name(), shortMessage(e));
        }
        if (clusterReachable && sha.equals(lastCommit)) {
            List<Drift> drift = checkDrift(sha);
            return new SyncResult(sha, SyncResult.Phase.UP_TO_DATE, "up to date", 0, 0, 0, drift);
        }
        if (sha.equals(compileFailedCommit)) {
            return new SyncResult(sha, SyncResult.Phase.COMPILE_FAILED, "does not compile (already reported)",
                    0, 0, 0, List.of());
        }
        if (options.trustedKeys() != null) {
            SyncResult refused = checkSignature(head, lastCommit);
            if (refused != null) {
                return refused;
            }
        }
        String note = "";
        if (lastCommit != null) {
            try {
                if (!git.isAncestor(ObjectId.fromString(lastCommit), head)) {
                    note = " (history rewritten: " + lastCommit.substring(0, 7) + " no longer in " + options.branch() + ")";
                    LOG.warn("sync {}: previously applied {} is not an ancestor of {}: force-push; applying {} normally",
                            options.name(), lastCommit, sha, sha);
                }
            } catch (IOException | IllegalArgumentException e) {
                note = " (previously applied commit unknown)";
            }
        }

        // Compile.
        boolean compiledBefore = published.containsKey(sha + " " + CommitStatus.context(CommitStatus.COMPILE,
                options.clusterName())); // a retry after a failed apply: the compile statuses stand
        if (!compiledBefore) {
            publish(sha, CommitStatus.COMPILE, State.PENDING, "compiling");
        }
        CompileResult result;
        long t0 = System.nanoTime();
        try {
            result = compileCommit(sha);
        } catch (IOException | RuntimeException e) {
            String msg = "cannot read commit: " + e.getMessage();
            publish(sha, CommitStatus.COMPILE, State.ERROR, msg);
            return new SyncResult(sha, SyncResult.Phase.COMPILE_FAILED, msg, 0, 0, 0, List.of());
        }
        if (result.hasErrors()) {
            compileFailedCommit = sha;
            lastReport = result.diagnostics().stream().map(Reconciler::line).collect(Collectors.joining("\n"));
            String summary = diagnosticsSummary(result.diagnostics());
            LOG.warn("sync {}: {} does not compile, nothing applied:\n{}", options.name(), sha, lastReport);
            publish(sha, CommitStatus.COMPILE, State.FAILURE, summary);
            publish(sha, CommitStatus.SYNC, State.FAILURE, "not applied: compile failed; cluster stays at "
                    + (lastCommit == null ? "nothing" : lastCommit.substring(0, 7)));
            return new SyncResult(sha, SyncResult.Phase.COMPILE_FAILED, summary, 0, 0, 0, List.of());
        }
        long warnings = result.count(dev.meshcd.compiler.diag.Severity.WARNING);
        publishOnce(sha, CommitStatus.COMPILE, State.SUCCESS, result.resources().size() + " resources, "
                + warnings + " warnings");

        // Plan and apply.
        long t1 = System.nanoTime();
        publish(sha, CommitStatus.SYNC, State.PENDING, "applying" + note);
        List<DesiredObject> desired = planner.desired(result.resources(), sha);
        long tDesired = System.nanoTime();
        Plan plan;
        Applier.Outcome outcome;
        // Planned against the objects this process applied last when the cluster's record is that commit;
        // else against the cluster (one LIST per kind).
        boolean incremental = diffBase != null && diffBase.equals(lastCommit) && diffBase.equals(appliedDesiredCommit);
        List<Plan.LiveObject> live = null;
        long t2;
        long tList;
        try {
            if (incremental) {
                live = appliedDesired.stream().map(d -> new Plan.LiveObject(d.key(), d.apiVersion(), d.body())).toList();
            } else {
                Set<Kind> kinds = new HashSet<>();
                desired.forEach(d -> kinds.add(Kind.of(d.key())));
                live = kube.listManaged(kinds);
            }
            tList = System.nanoTime();
            plan = planner.plan(desired, live);
            t2 = System.nanoTime();
            diffBase = null; // until this apply has completed
            outcome = applier.execute(plan, options.prune());
        } catch (KubernetesClientException e) {
            String msg = "not applied: cluster unreachable (" + shortMessage(e) + "); cluster stays at "
                    + (lastCommit == null ? "nothing" : lastCommit.substring(0, 7));
            LOG.warn("sync {}: {}", options.name(), msg);
            publish(sha, CommitStatus.SYNC, State.ERROR, msg);
            return new SyncResult(sha, SyncResult.Phase.APPLY_FAILED, msg, 0, 0, 0, List.of());
        }
        if (!outcome.ok()) {
            lastReport = outcome.failures().stream().map(Applier.Failure::toString).collect(Collectors.joining("\n"));
            String msg = "partial: " + outcome.applied().size() + "/" + plan.applyCount() + " applied, "
                    + outcome.failures().size() + " failed (" + outcome.failures().get(0) + "); last good "
                    + (lastCommit == null ? "none" : lastCommit.substring(0, 7));
            LOG.warn("sync {}: apply of {} failed:\n{}", options.name(), sha, lastReport);
            publish(sha, CommitStatus.SYNC, State.FAILURE, msg);
            return new SyncResult(sha, SyncResult.Phase.APPLY_FAILED, msg, outcome.applied().size(),
                    outcome.pruned().size(), plan.unchanged().size(), List.of());
        }
        try {
            store.save(new SyncStateStore.State(sha, options.branch(), git.safeUrl(), clock.instant(), desired.size()));
        } catch (KubernetesClientException e) {
            String msg = "applied but not recorded: " + shortMessage(e);
            publish(sha, CommitStatus.SYNC, State.ERROR, msg);
            return new SyncResult(sha, SyncResult.Phase.APPLY_FAILED, msg, outcome.applied().size(),
                    outcome.pruned().size(), plan.unchanged().size(), List.of());
        }
        appliedDesired = desired;
        appliedDesiredCommit = sha;
        lastAppliedCommit = sha;
        diffBase = sha;
        String msg = "applied " + outcome.applied().size() + ", pruned " + outcome.pruned().size() + ", unchanged "
                + plan.unchanged().size() + note;
        long t3 = System.nanoTime();
        LOG.info("sync {}: {} {} (compile {} ms, desired {} ms, {} {} ms, plan {} ms, apply and record {} ms)",
                options.name(), sha, msg, ms(t1 - t0), ms(tDesired - t1), incremental ? "diff base" : "list",
                ms(tList - tDesired), ms(t2 - tList), ms(t3 - t2));
        publish(sha, CommitStatus.SYNC, State.SUCCESS, msg);
        // Drift, from the live objects already in hand: the apply answers, and the LIST the plan was made from.
        Map<ResourceKey, ObjectNode> seen = new HashMap<>();
        List<Drift> drift;
        if (incremental) {
            // Only the applied objects were seen; a reconcile of the same commit checks (and reports) them all:
            // SyncLoop runs one right away (driftCheckDue), so this sync's report is not held up by it.
            drift = findDrift(desired.stream().filter(d -> outcome.live().containsKey(d.key())).toList(),
                    outcome.live());
            driftCheckDue = true;
        } else {
            live.forEach(l -> seen.put(l.key(), l.body()));
            seen.putAll(outcome.live());
            drift = checkDrift(sha, seen);
        }
        return new SyncResult(sha, SyncResult.Phase.SYNCED, msg, outcome.applied().size(), outcome.pruned().size(),
                plan.unchanged().size(), drift);
    }

    /**
     * With {@code --require-signed-by}: null when the head commit carries a valid signature by a trusted key;
     * otherwise the refusal, reported once per commit as a failing {@code meshcd/sync} status. The commit is
     * neither compiled nor applied, and the recorded (last applied) commit stays.
     */
    private SyncResult checkSignature(ObjectId head, String lastCommit) {
        String sha = head.name();
        String stays = "; cluster stays at " + (lastCommit == null ? "nothing" : lastCommit.substring(0, 7));
        CommitSignatures.Verdict verdict;
        try {
            verdict = CommitSignatures.verify(git.repository(), head, options.trustedKeys());
        } catch (IOException | RuntimeException e) {
            String msg = "not applied: cannot verify the signature (" + e.getMessage() + ")" + stays;
            publishOnce(sha, CommitStatus.SYNC, State.ERROR, msg);
            return new SyncResult(sha, SyncResult.Phase.UNTRUSTED, msg, 0, 0, 0, List.of());
        }
        if (verdict.trusted()) {
            LOG.debug("sync {}: {} {}", options.name(), sha, verdict.description());
            return null;
        }
        String msg = "not applied: " + verdict.description() + stays;
        if (!sha.equals(refusedCommit)) {
            refusedCommit = sha;
            LOG.warn("sync {}: refusing {}: {} (trusted: {})", options.name(), sha, verdict.description(),
                    options.trustedKeys());
            lastReport = msg;
        }
        publishOnce(sha, CommitStatus.SYNC, State.FAILURE, msg);
        return new SyncResult(sha, SyncResult.Phase.UNTRUSTED, msg, 0, 0, 0, List.of());
    }

    /**
     * Compiles a commit as {@code meshcd check} compiles the directory: under the {@code meshcd.yaml} at the
     * synced path's root (default namespace, domain suffix, outside workloads, excludes, suppressions; its
     * own errors fail the compile). Incrementally (only the files that differ from the commit compiled last,
     * by a Git diff) when the workspace holds an earlier commit's tree (a changed meshcd.yaml makes the
     * workspace compile the whole tree again), else the whole tree.
     */
    private CompileResult compileCommit(String sha) throws IOException {
        String base = compiledCommit;
        compiledCommit = null; // unknown until this compile has finished
        CompileResult result = null;
        if (base != null) {
            try {
                GitTreeSource.Changes changes = GitTreeSource.changes(git.repository(), base, sha, options.path());
                result = workspace.update(changes.changed(), changes.removed(), Compiler.Mode.CHECK);
            } catch (IOException e) {
                LOG.debug("sync {}: no diff from {} to {} ({}), compiling the whole tree", options.name(), base, sha,
                        e.getMessage());
            }
        }
        if (result == null) {
            result = workspace.compile(GitTreeSource.read(git.repository(), sha, options.path()), Compiler.Mode.CHECK);
        }
        compiledCommit = sha;
        return result;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** Compares the live objects with the applied commit's desired ones; self-heals when enabled. */
    List<Drift> checkDrift(String sha) {
        return checkDrift(sha, null);
    }

    /** @param seen live objects already in hand (keyed), or null to list them */
    private List<Drift> checkDrift(String sha, Map<ResourceKey, ObjectNode> seen) {
        driftCheckDue = false;
        try {
            if (appliedDesired == null || !sha.equals(appliedDesiredCommit)) {
                appliedDesired = planner.desired(compileCommit(sha).resources(), sha);
                appliedDesiredCommit = sha;
            }
            List<Drift> drift = findDrift(appliedDesired, seen);
            if (!drift.isEmpty() && options.selfHeal()) {
                Set<ResourceKey> keys = drift.stream().map(Drift::resource).collect(Collectors.toSet());
                for (DesiredObject d : appliedDesired) {
                    if (keys.contains(d.key())) {
                        applier.apply(d, true);
                    }
                }
                List<Drift> after = findDrift(appliedDesired, null);
                publishOnce(sha, CommitStatus.DRIFT, after.isEmpty() ? State.SUCCESS : State.FAILURE,
                        after.isEmpty() ? "self-healed " + keys.size() + " drifted resources" : driftSummary(after));
                return drift;
            }
            publishOnce(sha, CommitStatus.DRIFT, drift.isEmpty() ? State.SUCCESS : State.FAILURE,
                    drift.isEmpty() ? "no drift" : driftSummary(drift));
            return drift;
        } catch (IOException | KubernetesClientException e) {
            LOG.warn("sync {}: drift check failed: {}", options.name(), e.getMessage());
            return List.of();
        }
    }

    /** @param seen live objects already in hand, or null to list them (one LIST per kind) */
    private List<Drift> findDrift(List<DesiredObject> desired, Map<ResourceKey, ObjectNode> seen) {
        Map<ResourceKey, ObjectNode> live = seen;
        if (live == null) {
            Set<Kind> kinds = new HashSet<>();
            desired.forEach(d -> kinds.add(Kind.of(d.key())));
            live = new HashMap<>();
            for (Plan.LiveObject l : kube.listManaged(kinds)) {
                live.put(l.key(), l.body());
            }
        }
        List<Drift> out = new ArrayList<>();
        for (DesiredObject d : desired) {
            ObjectNode l = live.containsKey(d.key()) ? live.get(d.key()) : kube.get(d.key(), d.apiVersion());
            out.addAll(detector.compare(d.key(), d.body(), l));
        }
        if (!out.isEmpty()) {
            LOG.warn("sync {}: drift:\n{}", options.name(),
                    out.stream().map(Drift::toString).collect(Collectors.joining("\n")));
        }
        return out;
    }

    static String driftSummary(List<Drift> drift) {
        long resources = drift.stream().map(Drift::resource).distinct().count();
        Drift first = drift.get(0);
        return resources + " resource(s) drifted: " + first.resource().display() + " " + first.path()
                + (first.owner().isEmpty() || first.owner().equals(Ownership.FIELD_MANAGER) ? "" : " by " + first.owner());
    }

    /** {@code N errors: file:line: CODE message; ...} cut to the forge limit. */
    public static String diagnosticsSummary(List<Diagnostic> diagnostics) {
        List<Diagnostic> errors = diagnostics.stream().filter(Diagnostic::isError).toList();
        StringBuilder sb = new StringBuilder().append(errors.size()).append(errors.size() == 1 ? " error: " : " errors: ");
        int shown = 0;
        for (Diagnostic d : errors) {
            if (shown == SUMMARY_LINES) {
                sb.append("; …");
                break;
            }
            sb.append(shown == 0 ? "" : "; ").append(shortLine(d));
            shown++;
        }
        String s = sb.toString();
        return s.length() <= CommitStatus.MAX_DESCRIPTION ? s : s.substring(0, CommitStatus.MAX_DESCRIPTION - 1) + "…";
    }

    private static String shortLine(Diagnostic d) {
        String where = d.location().file() + (d.location().hasPosition() ? ":" + d.location().line() : "");
        return (where.isEmpty() ? "" : where + ": ") + d.code() + " " + d.message();
    }

    private static String line(Diagnostic d) {
        return d.location() + ": " + d.severity().name().toLowerCase(java.util.Locale.ROOT) + " " + d.code()
                + (d.resource().isEmpty() ? "" : " [" + d.resource() + "]") + " " + d.message()
                + (d.path().isEmpty() ? "" : " (" + d.path() + ")");
    }

    static String shortMessage(KubernetesClientException e) {
        String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : null;
        if (m == null) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            m = root == e ? e.getMessage() : root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage());
        }
        return m == null ? e.getClass().getSimpleName() : m.length() > 80 ? m.substring(0, 80) : m;
    }

    private void publish(String sha, String base, State state, String description) {
        String context = CommitStatus.context(base, options.clusterName());
        if (published.size() > 256) {
            published.keySet().removeIf(k -> !k.startsWith(sha + " "));
        }
        published.put(sha + " " + context, state + " " + description);
        try {
            statuses.publish(new CommitStatus(sha, context, state, description, options.targetUrl()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("sync {}: could not publish status {} for {}: {}", options.name(), context, sha,
                    options.credentials().redact(e.getMessage()));
        }
    }

    /** Publishes unless the same state and description were already published for this commit and context. */
    private void publishOnce(String sha, String base, State state, String description) {
        String context = CommitStatus.context(base, options.clusterName());
        if (!(state + " " + description).equals(published.get(sha + " " + context))) {
            publish(sha, base, state, description);
        }
    }

    @Override
    public void close() {
        applier.close();
        git.close();
    }
}
