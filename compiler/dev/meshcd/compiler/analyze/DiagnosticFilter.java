package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import java.util.List;

/** The last stage: drops or rewrites diagnostics (suppressions as code). Pure. */
public interface DiagnosticFilter {
    List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index);
}
