package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.Collection;
import java.util.Set;

/**
 * An analyzer whose findings about a resource come from that resource and index lookups alone, so
 * analyzing a few subjects costs only those subjects.
 */
public abstract class SubjectAnalyzer implements Analyzer {
    private final java.util.List<Kind> kinds;

    /** Subjects of {@code kind} and of {@code more} kinds, analyzed in that order. */
    protected SubjectAnalyzer(Kind kind, Kind... more) {
        java.util.List<Kind> all = new java.util.ArrayList<>(java.util.List.of(more));
        all.add(0, kind);
        this.kinds = java.util.List.copyOf(all);
    }

    @Override
    public final Set<Kind> subjects() {
        return Set.copyOf(kinds);
    }

    /** Reports the findings about one subject. */
    protected abstract void check(MeshIndex index, Resource subject, DiagnosticSink sink);

    @Override
    public final void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Kind kind : kinds) {
            for (Resource r : index.ofKind(kind)) {
                check(index, r, sink);
            }
        }
    }

    @Override
    public final void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        for (Resource r : subjects) {
            if (kinds.contains(r.kind())) {
                check(index, r, sink);
            }
        }
    }
}
