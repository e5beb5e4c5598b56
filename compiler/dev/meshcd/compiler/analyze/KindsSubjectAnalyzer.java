package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link SubjectAnalyzer} over several kinds: the findings about a resource come from that resource and index
 * lookups alone, so analyzing a few subjects costs only those subjects. Kinds are analyzed in the order given.
 */
public abstract class KindsSubjectAnalyzer implements Analyzer {
    private final Set<Kind> kinds;

    protected KindsSubjectAnalyzer(Kind... kinds) {
        this.kinds = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(kinds)));
    }

    @Override
    public final Set<Kind> subjects() {
        return kinds;
    }

    /** Reports the findings about one subject. */
    protected abstract void check(MeshIndex index, Resource subject, DiagnosticSink sink);

    @Override
    public final void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Kind k : kinds) {
            for (Resource r : index.ofKind(k)) {
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
