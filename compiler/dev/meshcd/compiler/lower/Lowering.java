package dev.meshcd.compiler.lower;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.model.Resource;
import java.util.List;

/**
 * The lowering stage: one meshcd policy → the Istio resources it stands for (networking.istio.io/v1,
 * security.istio.io/v1, telemetry.istio.io/v1). Pure: the result depends only on the policy and the
 * {@link LoweringContext}. A policy with errors lowers to nothing (its errors are reported instead).
 * Each output carries the managed-by label and the source annotation, and an origin that locates
 * its fields in the policy's file.
 */
public final class Lowering {
    private Lowering() {
    }

    /** Lowers one policy that passed schema validation; reports policy-level mistakes to {@code sink}. */
    public static List<Resource> lower(Resource policy, LoweringContext ctx, DiagnosticSink sink) {
        String kind = policy.key().kind();
        if (kind.equals(PolicyKinds.SERVICE_POLICY.kind())) {
            ServicePolicyLowering l = new ServicePolicyLowering(policy, ctx);
            return l.check(sink) ? l.lower() : List.of();
        }
        if (kind.equals(PolicyKinds.MESH_DEFAULTS.kind())) {
            return OtherLowerings.meshDefaults(policy, ctx);
        }
        if (kind.equals(PolicyKinds.INGRESS.kind())) {
            return OtherLowerings.ingress(policy, ctx);
        }
        if (kind.equals(PolicyKinds.EXTERNAL_SERVICE.kind())) {
            return OtherLowerings.externalService(policy, ctx);
        }
        return List.of();
    }

    /** The Service a ServicePolicy governs ({@code spec.service}, or its name). */
    public static String serviceOf(Resource servicePolicy) {
        return ServicePolicyLowering.service(servicePolicy);
    }
}
