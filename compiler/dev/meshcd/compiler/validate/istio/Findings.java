package dev.meshcd.compiler.validate.istio;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Optional;

/** Where one validator run reports to: errors as IST0106, warnings as MCD2001, always with a field path. */
final class Findings {
    private final Resource resource;
    private final DiagnosticSink sink;
    private int errors;

    Findings(Resource resource, DiagnosticSink sink) {
        this.resource = resource;
        this.sink = sink;
    }

    Resource resource() {
        return resource;
    }

    void error(FieldPath path, String message) {
        errors++;
        sink.report(resource.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR, path, message));
    }

    void warn(FieldPath path, String message) {
        sink.report(resource.diagnostic(Severity.WARNING, Codes.VALIDATION_WARNING, path, message));
    }

    /**
     * Reports the outcome of a check (one of {@link Checks}, or any helper returning an error message or
     * nothing) as an error at {@code path}; true when there was no error.
     */
    boolean check(FieldPath path, Optional<String> problem) {
        problem.ifPresent(message -> error(path, message));
        return problem.isEmpty();
    }

    int errors() {
        return errors;
    }
}
