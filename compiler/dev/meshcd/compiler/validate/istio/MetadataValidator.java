package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.text;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.Set;

/**
 * The metadata checks istiod's webhook wraps around every kind: the test-only always-reject
 * annotation, and {@code istio.io/dry-run}, which only AuthorizationPolicy (ALLOW/DENY) supports.
 */
public final class MetadataValidator implements ResourceValidator {
    public static final String ALWAYS_REJECT = "internal.istio.io/webhook-always-reject";
    public static final String DRY_RUN = "istio.io/dry-run";
    private static final Set<String> GO_BOOLS = Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE",
            "false", "False");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.kind().isIstio()) {
            return;
        }
        Findings f = new Findings(r, sink);
        FieldPath annotations = FieldPath.of("metadata", "annotations");
        if (r.metadata().path("annotations").has(DRY_RUN)) {
            String value = r.annotation(DRY_RUN);
            FieldPath p = annotations.key(DRY_RUN);
            if (!r.is(Kind.AUTHORIZATION_POLICY)) {
                f.error(p, r.namespace() + "/" + r.name() + " has unsupported annotation " + DRY_RUN
                        + ", please remove the annotation");
                return;
            }
            String action = text(r.spec(), "action");
            if (action.isEmpty() || action.equals("ALLOW") || action.equals("DENY")) {
                if (value == null || !GO_BOOLS.contains(value)) {
                    f.error(p, r.namespace() + "/" + r.name() + " has annotation " + DRY_RUN + " with invalid value ("
                            + value + ")");
                    return;
                }
            } else {
                f.error(p, "the annotation " + DRY_RUN + " currently only supports action ALLOW/DENY, found action "
                        + action + " in " + r.namespace() + "/" + r.name());
                return;
            }
        }
        if (r.metadata().path("annotations").has(ALWAYS_REJECT)) {
            f.error(annotations.key(ALWAYS_REJECT), "\"" + ALWAYS_REJECT + "\" annotation found, rejecting");
        }
    }
}
