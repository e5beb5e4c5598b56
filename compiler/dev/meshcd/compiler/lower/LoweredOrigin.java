package dev.meshcd.compiler.lower;

import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;
import java.util.Map;

/**
 * Origin of a generated resource: a field of the output maps to the policy field it came from (its
 * nearest traced ancestor), so a diagnostic on {@code spec.http[1].route[0]} of a generated
 * VirtualService points at {@code spec.routes[1]} of the ServicePolicy in its own file.
 */
public final class LoweredOrigin implements Origin {
    private final Resource policy;
    private final Map<FieldPath, FieldPath> trace;
    private final Map<FieldPath, Resource> elsewhere;

    /**
     * @param trace     output field → the policy field it came from
     * @param elsewhere output fields that came from another resource (a MeshDefaults' timeout) instead
     */
    LoweredOrigin(Resource policy, Map<FieldPath, FieldPath> trace, Map<FieldPath, Resource> elsewhere) {
        this.policy = policy;
        this.trace = Map.copyOf(trace);
        this.elsewhere = Map.copyOf(elsewhere);
    }

    public Resource policy() {
        return policy;
    }

    /** The policy field an output field was generated from. */
    public FieldPath source(FieldPath outputPath) {
        FieldPath p = outputPath;
        while (true) {
            FieldPath src = trace.get(p);
            if (src != null) {
                return src;
            }
            if (p.isRoot()) {
                return FieldPath.ROOT;
            }
            p = p.parent();
        }
    }

    @Override
    public String fileName() {
        return policy.origin().fileName();
    }

    @Override
    public SourceLocation locate(FieldPath path) {
        for (FieldPath p = path; ; p = p.parent()) {
            if (trace.containsKey(p)) {
                Resource from = elsewhere.getOrDefault(p, policy);
                return from.locate(trace.get(p));
            }
            if (p.isRoot()) {
                return policy.locate(FieldPath.ROOT);
            }
        }
    }

    @Override
    public String toString() {
        return policy.origin() + " (" + policy.key().display() + ")";
    }
}
