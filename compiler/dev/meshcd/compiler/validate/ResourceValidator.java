package dev.meshcd.compiler.validate;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.model.Resource;

/**
 * Stage 3: checks one resource on its own (schema, CEL rules, Istio's semantic rules).
 * Implementations are pure and thread-safe: the pipeline calls them from several threads.
 */
public interface ResourceValidator {
    void validate(Resource resource, DiagnosticSink sink);
}
