package dev.meshcd.compiler.review;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diff.DiffReport;
import dev.meshcd.compiler.diff.MeshDiff;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.EnvoyTranslator;
import dev.meshcd.compiler.envoy.Proxy;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.output.IstioOutput;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import org.eclipse.jgit.lib.Repository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reviews a change: compares two compilations of a repository (BASE and HEAD) and says what a pull request
 * needs to know (pure: no I/O; the shells read the revisions and ask the cluster). Only the proxies the change
 * can affect are translated to Envoy configuration ({@link AffectedProxies}), and of a change to routing only the
 * hosts it reaches ({@link MeshSlice}).
 */
public final class Review {
    private Review() {
    }

    /** BASE's and HEAD's compilations. */
    public record Sides(CompileResult base, CompileResult head) {
    }

    /**
     * Compiles two revisions of a Git repository (files under {@code subPath}) through one fresh workspace: BASE
     * whole, then HEAD as an update with only the files that differ between the two commits, as the sync loop goes
     * from one commit to the next. {@code workspace} must not have compiled yet (its settings: meshcd.yaml at
     * {@code subPath}, the cluster as context, ...); it holds HEAD afterwards.
     *
     * @throws java.io.IOException an unknown revision ({@link GitTreeSource.UnknownRevisionException}) or an
     *                             unreadable repository
     */
    public static Sides compileRevisions(Workspace workspace, Repository git, String base, String head,
                                         String subPath) throws java.io.IOException {
        CompileResult b = workspace.compile(Workspaces.readRevision(git, base, subPath, workspace), Compiler.Mode.CHECK);
        return withHead(b, workspace, git, base, head, subPath);
    }

    /** Likewise, for a workspace opened on BASE's revision ({@link Workspaces#atRevision}: its tree already read). */
    public static Sides compileRevisions(Workspaces.Opened base, Repository git, String baseRevision, String head,
                                         String subPath) throws java.io.IOException {
        return withHead(base.compile(Compiler.Mode.CHECK), base.workspace(), git, baseRevision, head, subPath);
    }

    /** HEAD as an update of the workspace that holds BASE: only the files that differ between the commits. */
    private static Sides withHead(CompileResult base, Workspace workspace, Repository git, String baseRevision,
                                  String head, String subPath) throws java.io.IOException {
        GitTreeSource.Changes changes = GitTreeSource.changes(git, baseRevision, head, subPath,
                workspace.maxFileBytes());
        return new Sides(base, workspace.update(changes.changed(), changes.removed(), Compiler.Mode.CHECK));
    }

    /** Reviews the last compilations of two workspaces (each must have compiled: {@link Workspace#last}). */
    public static ReviewReport review(Workspace base, Workspace head, Optional<DryRun> dryRun) {
        CompileResult b = Objects.requireNonNull(base.last(), "BASE's workspace has not compiled");
        CompileResult h = Objects.requireNonNull(head.last(), "HEAD's workspace has not compiled");
        return review(b, h, dryRun);
    }

    /** Reviews HEAD against BASE, with the live cluster's dry run of HEAD when there is one. */
    public static ReviewReport review(CompileResult base, CompileResult head, Optional<DryRun> dryRun) {
        Set<ResourceKey> changed = AffectedProxies.changed(base, head);
        MeshSlice.Pair slice = changed.isEmpty() ? new MeshSlice.Pair(base.index(), head.index(), false)
                : MeshSlice.of(base.index(), head.index(), changed);
        EnvoyTranslator tb = new EnvoyTranslator(slice.base());
        EnvoyTranslator th = new EnvoyTranslator(slice.head());
        Set<String> affected = AffectedProxies.between(changed, tb, th);
        List<Diagnostic> internalBase = new ArrayList<>();
        List<Diagnostic> internalHead = new ArrayList<>();
        Map<String, ProxyConfig> pb = translate(tb, affected, internalBase);
        Map<String, ProxyConfig> ph = translate(th, affected, internalHead);
        // the findings check reports (the verdict is check's); Envoy's checks of the translation belong to compile
        List<Diagnostic> baseDiagnostics = merged(base.diagnostics(), internalBase);
        List<Diagnostic> headDiagnostics = merged(head.diagnostics(), internalHead);
        // diff compares the Istio resources by their YAML: only the changed ones need writing out
        DiffReport diff = MeshDiff.diff(new EffectiveMesh(only(base, changed), tb, pb, baseDiagnostics),
                new EffectiveMesh(only(head, changed), th, ph, headDiagnostics));
        List<ResourceKey> applied = new ArrayList<>();
        List<ResourceKey> removed = new ArrayList<>();
        changedIstioResources(base, head, applied, removed);
        return new ReviewReport(
                ReviewReport.Counts.of(baseDiagnostics, base.resources().size(), base.files()),
                ReviewReport.Counts.of(headDiagnostics, head.resources().size(), head.files()),
                DiagnosticDelta.between(baseDiagnostics, headDiagnostics), diff, RouteChanges.between(pb, ph),
                applied, removed, dryRun);
    }

    private static CompileResult only(CompileResult r, Set<ResourceKey> keys) {
        return new CompileResult(r.resources().stream().filter(x -> keys.contains(x.key())).toList(), r.index(),
                r.diagnostics(), r.files(), r.documents());
    }

    /** The affected proxies' configuration; a translation that fails is an internal error, never a crash. */
    private static Map<String, ProxyConfig> translate(EnvoyTranslator t, Set<String> ids, List<Diagnostic> diagnostics) {
        Map<String, ProxyConfig> out = new TreeMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try {
            for (Proxy p : t.proxies()) {
                if (ids.contains(p.id())) {
                    out.put(p.id(), t.translate(p));
                }
            }
        } catch (RuntimeException e) {
            out.clear();
            diagnostics.add(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in Envoy translation: " + e,
                    null, null, ""));
        }
        return out;
    }

    private static List<Diagnostic> merged(List<Diagnostic> compiled, List<Diagnostic> internal) {
        if (internal.isEmpty()) {
            return compiled;
        }
        List<Diagnostic> all = new ArrayList<>(compiled);
        all.addAll(internal);
        all.sort(Diagnostic.ORDER);
        return List.copyOf(all);
    }

    /** Istio resources HEAD adds or changes, and those it removes (by their byte-stable YAML, as diff compares). */
    static void changedIstioResources(CompileResult base, CompileResult head, List<ResourceKey> applied,
                                      List<ResourceKey> removed) {
        Map<ResourceKey, Resource> b = new TreeMap<>();
        base.istioResources().forEach(r -> b.put(r.key(), r));
        Map<ResourceKey, Resource> h = new TreeMap<>();
        head.istioResources().forEach(r -> h.put(r.key(), r));
        h.forEach((k, r) -> {
            Resource old = b.get(k);
            if (old == null || !old.object().equals(r.object()) && !IstioOutput.yaml(old).equals(IstioOutput.yaml(r))) {
                applied.add(k);
            }
        });
        b.keySet().stream().filter(k -> !h.containsKey(k)).forEach(removed::add);
    }
}
