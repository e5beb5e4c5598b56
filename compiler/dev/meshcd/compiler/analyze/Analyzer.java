package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;

/**
 * Stage 5: one cross-resource concern over the whole snapshot (compare istioctl analyze's analyzers).
 * Pure: reads the index, reports diagnostics with Istio's message codes where one fits.
 */
public interface Analyzer {
    /** A short stable name, e.g. "virtualservice.destinationhosts". */
    String name();

    void analyze(MeshIndex index, DiagnosticSink sink);
}
