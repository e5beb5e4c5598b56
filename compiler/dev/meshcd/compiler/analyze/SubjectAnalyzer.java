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
    private final Kind kind;

    protected SubjectAnalyzer(Kind kind) {
        this.kind = kind;
    }

    @Override
    public final Set<Kind> subjects() {
        return Set.of(kind);
    }

    /** Reports the findings about one subject. */
    protected abstract void check(MeshIndex index, Resource subject, DiagnosticSink sink);

    @Override
    public final void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Resource r : index.ofKind(kind)) {
            check(index, r, sink);
        }
    }

    @Override
    public final void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        for (Resource r : subjects) {
            if (r.is(kind)) {
                check(index, r, sink);
            }
        }
    }
}
