package dev.meshcd.compiler.gatewayapi;

import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;
import java.util.Map;

/**
 * Origin of an Istio resource istiod would derive from a Gateway API resource: a field of the derived resource
 * points at the field of the Gateway API resource it came from (its nearest traced ancestor), so what the Envoy
 * translation says about {@code spec.http[2]} of a derived VirtualService lands on {@code spec.rules[2]} of the
 * HTTPRoute.
 */
public final class ConvertedOrigin implements Origin {
    private final Resource from;
    private final Map<FieldPath, FieldPath> trace;

    ConvertedOrigin(Resource from, Map<FieldPath, FieldPath> trace) {
        this.from = from;
        this.trace = Map.copyOf(trace);
    }

    /** The Gateway API resource this one was derived from. */
    public Resource from() {
        return from;
    }

    @Override
    public String fileName() {
        return from.origin().fileName();
    }

    @Override
    public SourceLocation locate(FieldPath path) {
        for (FieldPath p = path; ; p = p.parent()) {
            FieldPath src = trace.get(p);
            if (src != null) {
                return from.locate(src);
            }
            if (p.isRoot()) {
                return from.locate(FieldPath.ROOT);
            }
        }
    }

    @Override
    public String toString() {
        return "derived from " + from.key().display();
    }
}
