package dev.meshcd.compiler.validate.schema;

/**
 * One {@code x-kubernetes-validations} entry of a schema node, as written in the CRD. Compiled and
 * evaluated by {@code dev.meshcd.compiler.validate.cel}; the schema package only carries it.
 *
 * @param rule              the CEL expression ({@code self} is the node's value, {@code oldSelf} the old one)
 * @param message           the message when the rule fails, or null
 * @param messageExpression a CEL expression giving the message, or null
 * @param fieldPath         where the error points, relative to the node ({@code .spec.foo}), or null
 * @param reason            the Kubernetes error reason (FieldValueInvalid, ...), or null
 * @param optionalOldSelf   whether a transition rule also runs when there is no old value
 */
public record ValidationRule(String rule, String message, String messageExpression, String fieldPath,
                             String reason, boolean optionalOldSelf) {
}
