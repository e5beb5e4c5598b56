package dev.meshcd.compiler.config;

import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import java.util.ArrayList;
import java.util.List;

/** Drops the diagnostics meshcd.yaml's {@code suppress:} list names. Diagnostics about meshcd.yaml itself are kept. */
public final class SuppressionFilter implements DiagnosticFilter {
    private final List<Suppression> suppressions;

    public SuppressionFilter(List<Suppression> suppressions) {
        this.suppressions = List.copyOf(suppressions);
    }

    public List<Suppression> suppressions() {
        return suppressions;
    }

    @Override
    public List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index) {
        if (suppressions.isEmpty()) {
            return diagnostics;
        }
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            if (!suppressed(d)) {
                out.add(d);
            }
        }
        return out;
    }

    private boolean suppressed(Diagnostic d) {
        for (Suppression s : suppressions) {
            if (s.matches(d)) {
                return true;
            }
        }
        return false;
    }
}
