package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stage 5's findings over one index, kept per analyzer and per subject so the next snapshot can be
 * analyzed incrementally: an analyzer re-runs on the changed subjects only, unless a change alters
 * what it {@linkplain Analyzer#observed observes} of a resource for other subjects' sake (then it
 * re-runs whole). The result is the same as analyzing the new snapshot from scratch.
 *
 * @param findings per analyzer (in the compiler's order), the findings by subject (null: findings about no resource)
 */
record Analysis(MeshIndex index, List<Map<ResourceKey, List<Diagnostic>>> findings) {

    static Analysis full(List<Analyzer> analyzers, MeshIndex index) {
        List<Map<ResourceKey, List<Diagnostic>>> out = new ArrayList<>(analyzers.size());
        for (Analyzer a : analyzers) {
            Diagnostics sink = new Diagnostics();
            run(a, sink, () -> a.analyze(index, sink));
            out.add(bySubject(sink.sorted()));
        }
        return new Analysis(index, out);
    }

    /**
     * The analysis of {@code index}, which is {@code previous.index()} with {@code upserts} added or replaced
     * and {@code removals} gone.
     */
    static Analysis incremental(Analysis previous, List<Analyzer> analyzers, MeshIndex index,
                                Collection<Resource> upserts, Collection<ResourceKey> removals) {
        List<Map<ResourceKey, List<Diagnostic>>> out = new ArrayList<>(analyzers.size());
        for (int i = 0; i < analyzers.size(); i++) {
            Analyzer a = analyzers.get(i);
            Diagnostics sink = new Diagnostics();
            Set<ResourceKey> affected = affected(a, previous.index(), index, upserts, removals);
            if (affected != null) {
                Map<ResourceKey, List<Diagnostic>> kept = new HashMap<>(previous.findings().get(i));
                List<Resource> subjects = new ArrayList<>(upserts);
                affected.forEach(k -> index.get(k).ifPresent(subjects::add));
                // Findings are filed under their subject's key: those of every resource redone are dropped.
                affected.forEach(kept::remove);
                upserts.forEach(r -> kept.remove(r.key()));
                removals.forEach(kept::remove);
                run(a, sink, () -> a.analyze(index, new java.util.LinkedHashSet<>(subjects), sink));
                bySubject(sink.sorted()).forEach(kept::put);
                out.add(kept);
            } else {
                run(a, sink, () -> a.analyze(index, sink));
                out.add(bySubject(sink.sorted()));
            }
        }
        return new Analysis(index, out);
    }

    /**
     * Besides the changed resources themselves, the subjects whose findings a change can alter: none when
     * it leaves what the analyzer observes unchanged, the analyzer's {@link Analyzer#dependents} otherwise;
     * null when the analyzer cannot tell (then it re-runs whole).
     */
    private static Set<ResourceKey> affected(Analyzer a, MeshIndex before, MeshIndex after, Collection<Resource> upserts,
                                             Collection<ResourceKey> removals) {
        Set<ResourceKey> out = new HashSet<>();
        List<Resource[]> changes = new ArrayList<>();
        for (Resource now : upserts) {
            changes.add(new Resource[] {before.get(now.key()).orElse(null), now});
        }
        for (ResourceKey k : removals) {
            changes.add(new Resource[] {before.get(k).orElse(null), null});
        }
        for (Resource[] c : changes) {
            Object was = c[0] == null ? null : a.observed(c[0]);
            Object is = c[1] == null ? null : a.observed(c[1]);
            if (Objects.equals(was, is)) {
                continue;
            }
            Collection<ResourceKey> more = a.dependents(before, after, c[0], c[1]);
            if (more == null) {
                return null;
            }
            out.addAll(more);
        }
        return out;
    }

    /** Every finding, unsorted. */
    List<Diagnostic> all() {
        List<Diagnostic> out = new ArrayList<>();
        for (Map<ResourceKey, List<Diagnostic>> m : findings) {
            m.values().forEach(out::addAll);
        }
        return out;
    }

    private static Map<ResourceKey, List<Diagnostic>> bySubject(List<Diagnostic> diagnostics) {
        Map<ResourceKey, List<Diagnostic>> out = new HashMap<>();
        for (Diagnostic d : diagnostics) {
            out.computeIfAbsent(d.subject(), k -> new ArrayList<>()).add(d);
        }
        return out;
    }

    /** An analyzer that fails is an internal error, never a crash. */
    private static void run(Analyzer a, Diagnostics sink, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | StackOverflowError e) {
            sink.report(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in analyzer " + a.name() + ": " + e,
                    null, null, ""));
        }
    }
}
