package dev.meshcd.compiler.validate.cel;

import dev.cel.runtime.CelRuntime;
import dev.meshcd.compiler.validate.schema.ValidationRule;
import java.util.Objects;
import java.util.Optional;

/**
 * One CRD rule compiled for the type of its schema node.
 *
 * @param rule           the rule as the CRD states it
 * @param program        the compiled rule, or null when it did not compile
 * @param messageProgram the compiled {@code messageExpression}, or null
 * @param transition     whether the rule reads {@code oldSelf} (evaluated only on updates)
 * @param error          why the rule (or its messageExpression) did not compile; empty when it compiled
 */
public record CompiledRule(ValidationRule rule, CelRuntime.Program program, CelRuntime.Program messageProgram,
                           boolean transition, Optional<String> error) {
    public CompiledRule {
        Objects.requireNonNull(error, "error");
    }

    /** A rule (and its messageExpression, if any) that compiled. */
    static CompiledRule ok(ValidationRule rule, CelRuntime.Program program, CelRuntime.Program messageProgram,
                           boolean transition) {
        return new CompiledRule(rule, program, messageProgram, transition, Optional.empty());
    }

    /** A rule that did not compile ({@code program} is set when only its messageExpression failed). */
    static CompiledRule failed(ValidationRule rule, CelRuntime.Program program, boolean transition, String error) {
        return new CompiledRule(rule, program, null, transition, Optional.of(error));
    }

    public boolean compiled() {
        return program != null && error.isEmpty();
    }
}
