package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stage 5's findings over one index, kept per analyzer and per subject so the next snapshot can be
 * analyzed incrementally: an analyzer re-runs on the changed subjects only, unless a change alters
 * what it {@linkplain Analyzer#observed observes} of a resource for other subjects' sake (then it
 * re-runs whole). The result is the same as analyzing the new snapshot from scratch.
 *
 * @param findings per analyzer (in the compiler's order), the findings by subject display name
 */
record Analysis(MeshIndex index, List<Map<String, List<Diagnostic>>> findings) {

    static Analysis full(List<Analyzer> analyzers, MeshIndex index) {
        List<Map<String, List<Diagnostic>>> out = new ArrayList<>(analyzers.size());
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
        List<Map<String, List<Diagnostic>>> out = new ArrayList<>(analyzers.size());
        for (int i = 0; i < analyzers.size(); i++) {
            Analyzer a = analyzers.get(i);
            Diagnostics sink = new Diagnostics();
            if (!othersAffected(a, previous.index(), upserts, removals)) {
                Map<String, List<Diagnostic>> kept = new HashMap<>(previous.findings().get(i));
                upserts.forEach(r -> kept.remove(r.key().display()));
                removals.forEach(k -> kept.remove(k.display()));
                run(a, sink, () -> a.analyze(index, upserts, sink));
                bySubject(sink.sorted()).forEach(kept::put);
                out.add(kept);
            } else {
                run(a, sink, () -> a.analyze(index, sink));
                out.add(bySubject(sink.sorted()));
            }
        }
        return new Analysis(index, out);
    }

    /** Whether a change alters what the analyzer observes of a resource when analyzing other subjects. */
    private static boolean othersAffected(Analyzer a, MeshIndex before, Collection<Resource> upserts,
                                          Collection<ResourceKey> removals) {
        for (Resource now : upserts) {
            Object was = before.get(now.key()).map(a::observed).orElse(null);
            if (!Objects.equals(was, a.observed(now))) {
                return true;
            }
        }
        for (ResourceKey k : removals) {
            if (before.get(k).map(a::observed).orElse(null) != null) {
                return true;
            }
        }
        return false;
    }

    /** Every finding, unsorted. */
    List<Diagnostic> all() {
        List<Diagnostic> out = new ArrayList<>();
        for (Map<String, List<Diagnostic>> m : findings) {
            m.values().forEach(out::addAll);
        }
        return out;
    }

    private static Map<String, List<Diagnostic>> bySubject(List<Diagnostic> diagnostics) {
        Map<String, List<Diagnostic>> out = new HashMap<>();
        for (Diagnostic d : diagnostics) {
            out.computeIfAbsent(d.resource(), k -> new ArrayList<>()).add(d);
        }
        return out;
    }

    /** An analyzer that fails is an internal error, never a crash. */
    private static void run(Analyzer a, Diagnostics sink, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | StackOverflowError e) {
            sink.report(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in analyzer " + a.name() + ": " + e,
                    "", null, ""));
        }
    }
}
