package dev.meshcd.compiler.model;

import java.util.Set;

/**
 * What the compiler knows of a kind: the versions it accepts, whether it is namespaced, and what it
 * is for. {@code role} decides what happens to a loaded object of this kind.
 */
public record KindInfo(Kind kind, Set<String> versions, boolean namespaced, Role role) {
    public enum Role {
        /** An Istio custom resource (or a Gateway API one, which istiod reads too): validated, analyzed, applied. */
        ISTIO,
        /** A meshcd policy kind: validated, then lowered to Istio resources. */
        MESHCD,
        /** A Kubernetes object read only as context for analysis (Services, workloads, namespaces). */
        CONTEXT
    }
}
