package dev.meshcd.compiler.prepare;

import dev.meshcd.compiler.analyze.DiagnosticFilter;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One diagnostic per mistake: a field holding an unresolved {@code ${VAR}} is not the value the cluster will get,
 * so what validation and analysis say about it (a schema error, a host not found) gives way to the placeholder's
 * own diagnostic ({@link Placeholders}), matched by resource and field path.
 */
public final class PlaceholderFieldFilter implements DiagnosticFilter {
    @Override
    public List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index) {
        Set<String> fields = new HashSet<>();
        for (Diagnostic d : diagnostics) {
            if (d.code().equals(Codes.UNRESOLVED_PLACEHOLDER) && d.subject() != null) {
                fields.add(d.subject() + "|" + d.path());
            }
        }
        if (fields.isEmpty()) {
            return diagnostics;
        }
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            if (d.code().equals(Codes.UNRESOLVED_PLACEHOLDER) || d.subject() == null
                    || !fields.contains(d.subject() + "|" + d.path())) {
                out.add(d);
            }
        }
        return out;
    }
}
