package dev.meshcd.compiler.validate.istio;

import dev.meshcd.compiler.analyze.Messages;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Optional;

/**
 * Where one validator run reports to, always with a field path: errors as IST0106, warnings with their kind's code
 * (MCD2002-MCD2034, {@link ValidationWarning}), and the unreachable-rule findings istioctl analyze maps to its own
 * codes (IST0130, IST0131).
 */
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

    void warn(ValidationWarning kind, FieldPath path, String message) {
        sink.report(resource.diagnostic(Severity.WARNING, kind.code(), path, message));
    }

    /** A finding of Istio's catalogue (its level and message template), as istioctl analyze reports it. */
    void istio(String code, FieldPath path, Object... args) {
        Messages.report(sink, resource, code, path, args);
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
