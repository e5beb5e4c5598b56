package dev.meshcd.compiler.validate.cel;

import dev.cel.runtime.CelRuntime;
import dev.meshcd.compiler.validate.schema.ValidationRule;

/**
 * One CRD rule compiled for the type of its schema node.
 *
 * @param rule           the rule as the CRD states it
 * @param program        the compiled rule, or null when it did not compile
 * @param messageProgram the compiled {@code messageExpression}, or null
 * @param transition     whether the rule reads {@code oldSelf} (evaluated only on updates)
 * @param error          why the rule (or its messageExpression) did not compile, or null
 */
public record CompiledRule(ValidationRule rule, CelRuntime.Program program, CelRuntime.Program messageProgram,
                           boolean transition, String error) {
    public boolean compiled() {
        return program != null && error == null;
    }
}
