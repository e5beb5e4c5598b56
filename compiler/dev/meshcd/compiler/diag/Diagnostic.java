package dev.meshcd.compiler.diag;

import dev.meshcd.compiler.model.ResourceKey;
import java.util.Comparator;
import java.util.Objects;

/**
 * One finding of the compiler, as a plain value (compare javac's {@code Diagnostic}).
 *
 * @param severity error, warning or info
 * @param code     an Istio analyzer code (IST0101) or one of meshcd's own (MCD1001)
 * @param message  human text, no trailing period, never containing secrets
 * @param subject  the resource concerned (typed: group, kind, namespace, name), or null for a finding about a
 *                 file or no resource at all; {@link #resource()} is its display form
 * @param location file, line and column the finding points at
 * @param path     the field path inside the resource, e.g. {@code spec.http[0].route[1].weight}, or ""
 */
public record Diagnostic(Severity severity, String code, String message, ResourceKey subject,
                         SourceLocation location, String path) {

    public static final Comparator<Diagnostic> ORDER = Comparator
            .comparing((Diagnostic d) -> d.location().file())
            .thenComparingInt(d -> d.location().line())
            .thenComparingInt(d -> d.location().column())
            .thenComparing(Diagnostic::code)
            .thenComparing(Diagnostic::resource)
            .thenComparing(d -> d.subject() == null ? "" : d.subject().group())
            .thenComparing(Diagnostic::path)
            .thenComparing(Diagnostic::message);

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        location = location == null ? SourceLocation.NONE : location;
        path = path == null ? "" : path;
    }

    /** "Kind namespace/name" of the subject (as every renderer shows it), or "" when there is none. */
    public String resource() {
        return subject == null ? "" : subject.display();
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    public Diagnostic withSeverity(Severity newSeverity) {
        return new Diagnostic(newSeverity, code, message, subject, location, path);
    }
}
