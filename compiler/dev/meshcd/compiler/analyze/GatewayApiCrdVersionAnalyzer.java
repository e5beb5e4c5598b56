package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Gateway API CRD installed at a bundle version below the one istiod needs (IST0176): istiod then ignores the
 * kind. Read from the CRDs given as input (their {@code gateway.networking.k8s.io/bundle-version} annotation), as
 * istio's k8sgateway/crdversion.go does; a CRD without the annotation or with an unparsable one is left alone.
 */
public final class GatewayApiCrdVersionAnalyzer extends SubjectAnalyzer {
    static final String BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version";
    /** istio's pkg/config/schema/gatewayapi MinimumCRDVersions: CRD name → {major, minor, patch}. */
    static final Map<String, int[]> MINIMUM = Map.of(
            "grpcroutes.gateway.networking.k8s.io", new int[]{1, 1, 0},
            "backendtlspolicies.gateway.networking.k8s.io", new int[]{1, 4, 0},
            "tlsroutes.gateway.networking.k8s.io", new int[]{1, 5, 0});
    /** Masterminds/semver's loose form: an optional "v", up to three numbers, then prerelease/metadata. */
    private static final Pattern SEMVER = Pattern.compile(
            "^v?(0|[1-9][0-9]*)(?:\\.(0|[1-9][0-9]*))?(?:\\.(0|[1-9][0-9]*))?(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");

    public GatewayApiCrdVersionAnalyzer() {
        super(Kind.CUSTOM_RESOURCE_DEFINITION);
    }

    @Override
    public String name() {
        return "k8sgateway.crdversion";
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }

    @Override
    protected void check(MeshIndex index, Resource crd, DiagnosticSink sink) {
        int[] minimum = MINIMUM.get(crd.name());
        String bv = crd.annotations().get(BUNDLE_VERSION);
        if (minimum == null || bv == null) {
            return;
        }
        Matcher m = SEMVER.matcher(bv);
        if (!m.matches()) {
            return;
        }
        int[] installed = {Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
        if (compare(installed, minimum) < 0) {
            String shown = installed[0] + "." + installed[1] + "." + installed[2]
                    + (m.group(4) == null ? "" : m.group(4)) + (m.group(5) == null ? "" : m.group(5));
            Messages.report(sink, crd, "IST0176", FieldPath.of("metadata", "annotations", BUNDLE_VERSION), crd.name(),
                    shown, minimum[0] + "." + minimum[1] + "." + minimum[2]);
        }
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }
}
