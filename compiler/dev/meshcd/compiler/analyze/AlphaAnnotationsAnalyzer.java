package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio annotations of an alpha-phase feature on Namespaces, Services, Pods and Deployments (IST0136
 * AlphaAnnotation, info), as istio's maturity.AlphaAnalyzer reports them: not those the control plane sets itself,
 * nor, on a Pod without an {@code istio-init} container (so istio-cni set them), the traffic annotations the CNI
 * plugin writes. istioctl leaves this analyzer out of its default set for its noise; meshcd runs it at info level,
 * which text output hides unless asked ({@code --show-info}).
 */
public final class AlphaAnnotationsAnalyzer extends SubjectAnalyzer {
    /** Written on every pod by istio-cni (maturity.conditionallyIgnoredAnnotations). */
    private static final Set<String> SET_BY_CNI = Set.of("sidecar.istio.io/interceptionMode",
            "traffic.sidecar.istio.io/includeInboundPorts", "traffic.sidecar.istio.io/excludeInboundPorts",
            "traffic.sidecar.istio.io/includeOutboundIPRanges");

    public AlphaAnnotationsAnalyzer() {
        super(Kind.NAMESPACE, Kind.SERVICE, Kind.POD, Kind.DEPLOYMENT);
    }

    @Override
    public String name() {
        return "annotations.alpha";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        boolean cni = r.is(Kind.POD) && !hasIstioInit(r.spec());
        for (String name : new TreeSet<>(r.annotations().keySet())) {
            if (!IstioAnnotations.isIstios(name) || AnnotationsAnalyzer.ALWAYS_IGNORED.contains(name)
                    || (cni && SET_BY_CNI.contains(name))) {
                continue;
            }
            if (IstioAnnotations.lookup(name).map(IstioAnnotations.Annotation::alpha).orElse(false)) {
                Messages.report(sink, r, "IST0136", FieldPath.of("metadata", "annotations", name), name);
            }
        }
    }

    private static boolean hasIstioInit(JsonNode podSpec) {
        for (JsonNode c : podSpec.path("initContainers")) {
            if (c.path("name").asText("").equals("istio-init")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
