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
import dev.meshcd.kube.Faults;
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
 * <p>Guarantees: with trusted keys set ({@link SyncOptions.Builder#trustedKeys}), a head commit without a valid
 * signature by one of them is neither compiled nor applied; a commit that does not compile applies nothing; {@code meshcd/sync} is success only
 * after every object of the plan was applied and the commit recorded; a failed or partial apply leaves
 * the recorded (last-known-good) commit untouched and is retried on the next run.
 *
 * <p>What a pass leaves for the next (the commit compiled, the one that failed to compile, the applied objects,
 * the statuses published, ...) is one immutable {@link SyncState}. {@link #reconcile} runs the pass as steps that
 * each take the state and return the next one with their outcome ({@link Step}), and it is the only writer of
 * the current state.
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

    /** The state carried from one pass to the next: written only by {@link #reconcile} (one pass at a time). */
    private volatile SyncState state = SyncState.INITIAL;

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
        return workspaceFor(options, () -> dev.meshcd.compiler.context.MeshContext.NONE);
    }

    /**
     * Likewise, each commit analyzed against {@code context}: the live cluster the sync applies to, so that a
     * repository referring to Services and gateways that only the cluster holds is not refused.
     */
    public static Workspace workspaceFor(SyncOptions options,
                                         java.util.function.Supplier<dev.meshcd.compiler.context.MeshContext> context) {
        return Workspace.builder().options(options.compileOptions()).configName(Workspaces.configName(options.path()))
                .context(context).build();
    }

    public GitRemote git() {
        return git;
    }

    /** The state carried between passes, as the last step of the last pass left it. */
    public SyncState state() {
        return state;
    }

    /**
     * True after a sync planned by diff: only the objects it applied were compared with Git, and the
     * {@code meshcd/drift} status of the commit waits for the full check of the next reconcile.
     */
    public boolean driftCheckDue() {
        return state.driftCheckDue();
    }

    /** The full text of the last compile or apply report (what the status target URL should show). */
    public String lastReport() {
        return state.lastReport();
    }

    /**
     * The head commit a pass works on, and what the cluster's record says.
     *
     * @param recorded         the commit the cluster's record names (this process's last applied commit when the
     *                         record could not be read), or null
     * @param clusterReachable whether the record could be read
     * @param note             what the {@code meshcd/sync} description adds: a rewritten history
     */
    record Head(ObjectId id, String recorded, boolean clusterReachable, String note) {
        String sha() {
            return id.name();
        }

        boolean upToDate() {
            return clusterReachable && sha().equals(recorded);
        }

        /** {@code "; cluster stays at <recorded>"}. */
        String stays() {
            return "; cluster stays at " + abbreviated(recorded, "nothing");
        }

        Head withNote(String n) {
            return new Head(id, recorded, clusterReachable, n);
        }
    }

    /** The compile of a commit: its result, or why there is none (the commit could not be read). */
    record Compiled(CompileResult result, Exception failure, long millis) {
    }

    /** What the plan step hands on: the desired objects, the live ones planned against and the plan. */
    record Planned(List<DesiredObject> desired, List<Plan.LiveObject> live, Plan plan, boolean incremental,
                   long compileMs, long desiredMs, long listMs, long planMs) {
    }

    /** What the apply step hands on. */
    record Applied(Planned planned, Applier.Outcome outcome, long startNanos) {
        SyncResult result(String sha, SyncResult.Phase phase, String message, List<Drift> drift) {
            return new SyncResult(sha, phase, message, outcome.applied().size(), outcome.pruned().size(),
                    planned.plan().unchanged().size(), drift);
        }
    }

    /**
     * One step of a pass: the state after it and its outcome, or, when the pass ends there, the pass's result.
     * Steps take the state and return the next one; {@link #reconcile} writes each into {@link #state}.
     */
    record Step<T>(SyncState state, T value, SyncResult result) {
        static <T> Step<T> next(SyncState state, T value) {
            return new Step<>(state, value, null);
        }

        static <T> Step<T> end(SyncState state, SyncResult result) {
            return new Step<>(state, null, result);
        }

        boolean ended() {
            return result != null;
        }
    }

    /**
     * One pass: fetch → verify (known not to compile, signature, ancestry) → compile → plan → apply → record →
     * report → drift. Each step takes the state the previous one left and returns the next; the pass ends at the
     * first step that says so, with that step's result.
     */
    public synchronized SyncResult reconcile() {
        Step<Head> fetched = fetch(state);
        if (!advance(fetched)) {
            return fetched.result();
        }
        if (fetched.value().upToDate()) {
            String sha = fetched.value().sha();
            return new SyncResult(sha, SyncResult.Phase.UP_TO_DATE, "up to date", 0, 0, 0, checkDrift(sha, null));
        }
        Step<Head> verified = verify(state, fetched.value());
        if (!advance(verified)) {
            return verified.result();
        }
        Head head = verified.value();
        Step<Compiled> compiled = compile(state, head);
        if (!advance(compiled)) {
            return compiled.result();
        }
        Step<Planned> planned = plan(state, head, compiled.value());
        if (!advance(planned)) {
            return planned.result();
        }
        Step<Applied> applied = apply(state, head, planned.value());
        if (!advance(applied)) {
            return applied.result();
        }
        Step<Applied> recorded = record(state, head, applied.value());
        if (!advance(recorded)) {
            return recorded.result();
        }
        Step<String> reported = report(state, head, recorded.value());
        advance(reported);
        return recorded.value().result(head.sha(), SyncResult.Phase.SYNCED, reported.value(),
                driftAfterSync(head.sha(), recorded.value()));
    }

    /** Makes the step's state the current one; false when the pass ends there. */
    private boolean advance(Step<?> step) {
        state = step.state();
        return !step.ended();
    }

    /** Step: fetches the head and reads the cluster's record of the applied commit. */
    private Step<Head> fetch(SyncState s) {
        ObjectId head;
        try {
            head = git.fetch();
        } catch (GitException e) {
            return Step.end(s, ended(null, SyncResult.Phase.FETCH_FAILED, e.getMessage()));
        }
        try {
            return Step.next(s, new Head(head, store.load().map(SyncStateStore.State::commit).orElse(null), true, ""));
        } catch (KubernetesClientException e) {
            // Compile anyway (the compile status does not need the cluster); applying will report it.
            LOG.warn("sync {}: cannot read the applied commit: {}", options.name(), shortMessage(e));
            return Step.next(s, new Head(head, s.lastAppliedCommit(), false, ""));
        }
    }

    /**
     * Step: whether the head may be compiled. Not when it is known not to compile (already reported), nor, with
     * trusted keys, without a valid signature by one of them ({@link #verifySignature}); notes a rewritten history.
     */
    private Step<Head> verify(SyncState s, Head head) {
        String sha = head.sha();
        if (sha.equals(s.compileFailedCommit())) {
            return Step.end(s, ended(sha, SyncResult.Phase.COMPILE_FAILED, "does not compile (already reported)"));
        }
        if (options.trustedKeys() != null) {
            Step<Head> signed = verifySignature(s, head);
            if (signed.ended()) {
                return signed;
            }
            s = signed.state();
        }
        String note = "";
        String last = head.recorded();
        if (last != null) {
            try {
                if (!git.isAncestor(ObjectId.fromString(last), head.id())) {
                    note = " (history rewritten: " + last.substring(0, 7) + " no longer in " + options.branch() + ")";
                    LOG.warn("sync {}: previously applied {} is not an ancestor of {}: force-push; applying {} normally",
                            options.name(), last, sha, sha);
                }
            } catch (IOException | IllegalArgumentException e) {
                note = " (previously applied commit unknown)";
            }
        }
        return Step.next(s, head.withNote(note));
    }

    /**
     * With {@code --require-signed-by}: goes on when the head commit carries a valid signature by a trusted key;
     * otherwise ends the pass with the refusal, reported once per commit as a failing {@code meshcd/sync} status.
     * The commit is neither compiled nor applied, and the recorded (last applied) commit stays.
     */
    private Step<Head> verifySignature(SyncState s, Head head) {
        String sha = head.sha();
        CommitSignatures.Verdict verdict;
        try {
            verdict = CommitSignatures.verify(git.repository(), head.id(), options.trustedKeys());
        } catch (IOException | RuntimeException e) {
            String msg = "not applied: cannot verify the signature (" + e.getMessage() + ")" + head.stays();
            return Step.end(publishOnce(s, sha, CommitStatus.SYNC, State.ERROR, msg),
                    ended(sha, SyncResult.Phase.UNTRUSTED, msg));
        }
        if (verdict.trusted()) {
            LOG.debug("sync {}: {} {}", options.name(), sha, verdict.description());
            return Step.next(s, head);
        }
        String msg = "not applied: " + verdict.description() + head.stays();
        if (!sha.equals(s.refusedCommit())) {
            s = s.refused(sha, msg);
            LOG.warn("sync {}: refusing {}: {} (trusted: {})", options.name(), sha, verdict.description(),
                    options.trustedKeys());
        }
        return Step.end(publishOnce(s, sha, CommitStatus.SYNC, State.FAILURE, msg),
                ended(sha, SyncResult.Phase.UNTRUSTED, msg));
    }

    /**
     * Step: compiles the head ({@link #compileTree}) with its {@code meshcd/compile} statuses. A commit with an
     * error diagnostic ends the pass: nothing is applied, and it is not compiled again.
     */
    private Step<Compiled> compile(SyncState s, Head head) {
        String sha = head.sha();
        // a retry after a failed apply: the compile statuses stand
        if (s.lastPublished(sha, CommitStatus.context(CommitStatus.COMPILE, options.clusterName())) == null) {
            s = publish(s, sha, CommitStatus.COMPILE, State.PENDING, "compiling");
        }
        Step<Compiled> compiled = compileTree(s, sha);
        s = compiled.state();
        if (compiled.value().failure() != null) {
            String msg = "cannot read commit: " + compiled.value().failure().getMessage();
            return Step.end(publish(s, sha, CommitStatus.COMPILE, State.ERROR, msg),
                    ended(sha, SyncResult.Phase.COMPILE_FAILED, msg));
        }
        CompileResult result = compiled.value().result();
        if (result.hasErrors()) {
            String report = result.diagnostics().stream().map(Reconciler::line).collect(Collectors.joining("\n"));
            String summary = diagnosticsSummary(result.diagnostics());
            LOG.warn("sync {}: {} does not compile, nothing applied:\n{}", options.name(), sha, report);
            s = publish(s.compileFailed(sha, report), sha, CommitStatus.COMPILE, State.FAILURE, summary);
            s = publish(s, sha, CommitStatus.SYNC, State.FAILURE, "not applied: compile failed" + head.stays());
            return Step.end(s, ended(sha, SyncResult.Phase.COMPILE_FAILED, summary));
        }
        long warnings = result.count(dev.meshcd.compiler.diag.Severity.WARNING);
        return Step.next(publishOnce(s, sha, CommitStatus.COMPILE, State.SUCCESS, result.resources().size()
                + " resources, " + warnings + " warnings"), compiled.value());
    }

    /**
     * Compiles a commit as {@code meshcd check} compiles the directory: under the {@code meshcd.yaml} at the
     * synced path's root (default namespace, domain suffix, outside workloads, excludes, suppressions; its
     * own errors fail the compile). Incrementally (only the files that differ from the commit compiled last,
     * by a Git diff) when the workspace holds an earlier commit's tree (a changed meshcd.yaml makes the
     * workspace compile the whole tree again), else the whole tree. Never throws for an unreadable commit: that
     * is the outcome's {@link Compiled#failure}, and the workspace then holds no known commit.
     */
    private Step<Compiled> compileTree(SyncState s, String sha) {
        String base = s.compiledCommit();
        long t0 = System.nanoTime();
        try {
            CompileResult result = null;
            if (base != null) {
                try {
                    GitTreeSource.Changes changes = GitTreeSource.changes(git.repository(), base, sha, options.path(),
                            workspace.maxFileBytes());
                    result = workspace.update(changes.changed(), changes.removed(), Compiler.Mode.CHECK);
                } catch (IOException e) {
                    LOG.debug("sync {}: no diff from {} to {} ({}), compiling the whole tree", options.name(), base,
                            sha, e.getMessage());
                }
            }
            if (result == null) {
                result = workspace.compile(Workspaces.readRevision(git.repository(), sha, options.path(), workspace),
                        Compiler.Mode.CHECK);
            }
            return Step.next(s.compiled(sha), new Compiled(result, null, ms(System.nanoTime() - t0)));
        } catch (IOException | RuntimeException e) {
            return Step.next(s.compiled(null), new Compiled(null, e, ms(System.nanoTime() - t0)));
        }
    }

    /**
     * Step: the head's desired objects, and the plan from the live ones: those this process applied last when the
     * cluster's record is that commit ({@link SyncState#diffBaseFor}), else the cluster's (one LIST per kind).
     * Ends the pass when the cluster cannot be listed.
     */
    private Step<Planned> plan(SyncState s, Head head, Compiled compiled) {
        long t0 = System.nanoTime();
        s = publish(s, head.sha(), CommitStatus.SYNC, State.PENDING, "applying" + head.note());
        List<DesiredObject> desired = planner.desired(compiled.result().resources(), head.sha());
        long tDesired = System.nanoTime();
        List<DesiredObject> base = s.diffBaseFor(head.recorded());
        try {
            List<Plan.LiveObject> live;
            if (base != null) {
                live = base.stream().map(d -> new Plan.LiveObject(d.key(), d.apiVersion(), d.body())).toList();
            } else {
                Set<Kind> kinds = new HashSet<>();
                desired.forEach(d -> kinds.add(Kind.of(d.key())));
                live = kube.listManaged(kinds);
            }
            long tList = System.nanoTime();
            Plan plan = planner.plan(desired, live);
            return Step.next(s, new Planned(desired, live, plan, base != null, compiled.millis(), ms(tDesired - t0),
                    ms(tList - tDesired), ms(System.nanoTime() - tList)));
        } catch (KubernetesClientException e) {
            return unreachable(s, head, e);
        }
    }

    /**
     * Step: applies the plan (server-side apply, then prune). The diff base is dropped until the apply has
     * completed and is recorded. A failed or partial apply ends the pass; the recorded commit stays.
     */
    private Step<Applied> apply(SyncState s, Head head, Planned planned) {
        long t0 = System.nanoTime();
        s = s.applying();
        Applier.Outcome outcome;
        try {
            outcome = applier.execute(planned.plan(), options.prune());
        } catch (KubernetesClientException e) {
            return unreachable(s, head, e);
        }
        Applied applied = new Applied(planned, outcome, t0);
        if (!outcome.ok()) {
            String report = outcome.failures().stream().map(Applier.Failure::toString).collect(Collectors.joining("\n"));
            String msg = "partial: " + outcome.applied().size() + "/" + planned.plan().applyCount() + " applied, "
                    + outcome.failures().size() + " failed (" + outcome.failures().get(0) + "); last good "
                    + abbreviated(head.recorded(), "none");
            LOG.warn("sync {}: apply of {} failed:\n{}", options.name(), head.sha(), report);
            return Step.end(publish(s.applyFailed(report), head.sha(), CommitStatus.SYNC, State.FAILURE, msg),
                    applied.result(head.sha(), SyncResult.Phase.APPLY_FAILED, msg, List.of()));
        }
        return Step.next(s, applied);
    }

    /** The pass ends: the cluster did not answer (planning or applying). */
    private <T> Step<T> unreachable(SyncState s, Head head, KubernetesClientException e) {
        String msg = "not applied: cluster unreachable (" + shortMessage(e) + ")" + head.stays();
        LOG.warn("sync {}: {}", options.name(), msg);
        return Step.end(publish(s, head.sha(), CommitStatus.SYNC, State.ERROR, msg),
                ended(head.sha(), SyncResult.Phase.APPLY_FAILED, msg));
    }

    /**
     * Step: records the applied commit in the cluster (ConfigMap {@code meshcd-sync-<name>}); only then is it the
     * last applied commit and its objects the next commit's diff base.
     */
    private Step<Applied> record(SyncState s, Head head, Applied applied) {
        List<DesiredObject> desired = applied.planned().desired();
        try {
            store.save(new SyncStateStore.State(head.sha(), options.branch(), git.safeUrl(), clock.instant(),
                    desired.size()));
        } catch (KubernetesClientException e) {
            String msg = "applied but not recorded: " + shortMessage(e);
            return Step.end(publish(s, head.sha(), CommitStatus.SYNC, State.ERROR, msg),
                    applied.result(head.sha(), SyncResult.Phase.APPLY_FAILED, msg, List.of()));
        }
        return Step.next(s.recorded(head.sha(), desired), applied);
    }

    /** Step: {@code meshcd/sync} success, with what was done; the outcome is its description. */
    private Step<String> report(SyncState s, Head head, Applied applied) {
        Planned p = applied.planned();
        String msg = "applied " + applied.outcome().applied().size() + ", pruned " + applied.outcome().pruned().size()
                + ", unchanged " + p.plan().unchanged().size() + head.note();
        LOG.info("sync {}: {} {} (compile {} ms, desired {} ms, {} {} ms, plan {} ms, apply and record {} ms)",
                options.name(), head.sha(), msg, p.compileMs(), p.desiredMs(), p.incremental() ? "diff base" : "list", p.listMs(),
                p.planMs(), ms(System.nanoTime() - applied.startNanos()));
        return Step.next(publish(s, head.sha(), CommitStatus.SYNC, State.SUCCESS, msg), msg);
    }

    /** Drift after a sync, from the live objects already in hand: the apply answers, and the LIST the plan was made from. */
    private List<Drift> driftAfterSync(String sha, Applied applied) {
        Map<ResourceKey, ObjectNode> answers = applied.outcome().live();
        if (applied.planned().incremental()) {
            // Only the applied objects were seen; a reconcile of the same commit checks (and reports) them all:
            // SyncLoop runs one right away (driftCheckDue), so this sync's report is not held up by it.
            List<Drift> drift = findDrift(applied.planned().desired().stream()
                    .filter(d -> answers.containsKey(d.key())).toList(), answers);
            state = state.withDriftCheckDue(true);
            return drift;
        }
        Map<ResourceKey, ObjectNode> seen = new HashMap<>();
        applied.planned().live().forEach(l -> seen.put(l.key(), l.body()));
        seen.putAll(answers);
        return checkDrift(sha, seen);
    }

    /**
     * The full drift check of the applied commit {@code sha}: its desired objects (compiled when this process
     * does not have them, after a restart) compared with the live ones, self-healed when enabled.
     *
     * @param seen live objects already in hand (keyed), or null to list them
     */
    private List<Drift> checkDrift(String sha, Map<ResourceKey, ObjectNode> seen) {
        state = state.withDriftCheckDue(false);
        List<DesiredObject> desired = state.desiredOf(sha);
        if (desired == null) {
            Step<Compiled> compiled = compileTree(state, sha);
            advance(compiled);
            Exception failure = compiled.value().failure();
            if (failure instanceof RuntimeException e && !(e instanceof KubernetesClientException)) {
                throw e;
            }
            if (failure != null) {
                LOG.warn("sync {}: drift check failed: {}", options.name(), failure.getMessage());
                return List.of();
            }
            desired = planner.desired(compiled.value().result().resources(), sha);
            state = state.withDesired(sha, desired);
        }
        Step<List<Drift>> drift = drift(state, sha, desired, seen);
        advance(drift);
        return drift.value();
    }

    /** Step: compares, self-heals when enabled, and reports {@code meshcd/drift}; the outcome is the drift found. */
    private Step<List<Drift>> drift(SyncState s, String sha, List<DesiredObject> desired,
                                    Map<ResourceKey, ObjectNode> seen) {
        try {
            List<Drift> drift = findDrift(desired, seen);
            if (!drift.isEmpty() && options.selfHeal()) {
                Set<ResourceKey> keys = drift.stream().map(Drift::resource).collect(Collectors.toSet());
                for (DesiredObject d : desired) {
                    if (keys.contains(d.key())) {
                        applier.apply(d, true);
                    }
                }
                List<Drift> after = findDrift(desired, null);
                return Step.next(publishOnce(s, sha, CommitStatus.DRIFT, after.isEmpty() ? State.SUCCESS : State.FAILURE,
                        after.isEmpty() ? "self-healed " + keys.size() + " drifted resources" : driftSummary(after)), drift);
            }
            return Step.next(publishOnce(s, sha, CommitStatus.DRIFT, drift.isEmpty() ? State.SUCCESS : State.FAILURE,
                    drift.isEmpty() ? "no drift" : driftSummary(drift)), drift);
        } catch (KubernetesClientException e) {
            LOG.warn("sync {}: drift check failed: {}", options.name(), e.getMessage());
            return Step.next(s, List.of());
        }
    }

    private static SyncResult ended(String sha, SyncResult.Phase phase, String message) {
        return new SyncResult(sha, phase, message, 0, 0, 0, List.of());
    }

    /** The first 7 characters of {@code sha}, or {@code none} when there is none. */
    private static String abbreviated(String sha, String none) {
        return sha == null ? none : sha.substring(0, 7);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
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
        String m = Faults.brief(e);
        return m.length() > 80 ? m.substring(0, 80) : m;
    }

    /** Publishes a commit status; the next state remembers it. */
    private SyncState publish(SyncState s, String sha, String base, State state, String description) {
        String context = CommitStatus.context(base, options.clusterName());
        SyncState next = s.published(sha, context, state + " " + description);
        try {
            statuses.publish(new CommitStatus(sha, context, state, description, options.targetUrl()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("sync {}: could not publish status {} for {}: {}", options.name(), context, sha,
                    options.credentials().redact(e.getMessage()));
        }
        return next;
    }

    /** Publishes unless the same state and description were already published for this commit and context. */
    private SyncState publishOnce(SyncState s, String sha, String base, State state, String description) {
        String context = CommitStatus.context(base, options.clusterName());
        return (state + " " + description).equals(s.lastPublished(sha, context)) ? s
                : publish(s, sha, base, state, description);
    }

    @Override
    public void close() {
        applier.close();
        git.close();
    }
}
