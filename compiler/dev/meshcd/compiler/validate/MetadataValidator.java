package dev.meshcd.compiler.validate;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Object names as the API server checks them, for every kind: {@code metadata.name} a DNS-1123 subdomain,
 * {@code metadata.namespace} a DNS-1123 label (lower case). A name such as {@code ../x} or {@code Bad NS!} is
 * rejected by Kubernetes, and meshcd must not turn it into a file name either.
 */
public final class MetadataValidator implements ResourceValidator {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        subdomain(r.name()).ifPresent(e -> sink.report(r.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR,
                FieldPath.of("metadata", "name"), "metadata.name \"" + r.name() + "\" " + e)));
        String ns = r.object().path("metadata").path("namespace").asText("");
        if (!ns.isEmpty()) {
            label(ns).ifPresent(e -> sink.report(r.diagnostic(Severity.ERROR, Codes.SCHEMA_VALIDATION_ERROR,
                    FieldPath.of("metadata", "namespace"), "metadata.namespace \"" + ns + "\" " + e)));
        }
    }

    /** Why {@code s} is not a DNS-1123 subdomain (Kubernetes' object names), if it is not. */
    static Optional<String> subdomain(String s) {
        if (s.length() > 253) {
            return Optional.of("is longer than 253 characters");
        }
        return SUBDOMAIN.matcher(s).matches() ? Optional.empty() : Optional.of("is not a DNS-1123 subdomain: lower-case"
                + " letters, digits, '-' and '.', starting and ending with a letter or digit");
    }

    /** Why {@code s} is not a DNS-1123 label (Kubernetes' namespace names), if it is not. */
    static Optional<String> label(String s) {
        if (s.length() > 63) {
            return Optional.of("is longer than 63 characters");
        }
        return LABEL.matcher(s).matches() ? Optional.empty() : Optional.of("is not a DNS-1123 label: lower-case letters,"
                + " digits and '-', starting and ending with a letter or digit");
    }
}
