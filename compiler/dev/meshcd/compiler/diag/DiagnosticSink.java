package dev.meshcd.compiler.diag;

/** Where a stage puts what it finds. */
@FunctionalInterface
public interface DiagnosticSink {
    void report(Diagnostic diagnostic);
}
