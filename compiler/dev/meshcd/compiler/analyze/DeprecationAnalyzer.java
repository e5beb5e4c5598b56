package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Set;

/**
 * Deprecated fields still in use (IST0002 Deprecated), as istio's deprecation.FieldAnalyzer lists them by hand: a
 * VirtualService fault delay's integer {@code percent} (use {@code percentage}) and a Sidecar's
 * {@code outboundTrafficPolicy.egressProxy} (ignored). Istio also reports the CustomResourceDefinitions of the removed
 * rbac.istio.io kinds; meshcd does not read CRDs.
 */
public final class DeprecationAnalyzer extends SubjectAnalyzer {
    public DeprecationAnalyzer() {
        super(Kind.VIRTUAL_SERVICE, Kind.SIDECAR);
    }

    @Override
    public String name() {
        return "deprecation.fields";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        if (r.is(Kind.SIDECAR)) {
            JsonNode proxy = r.spec().path("outboundTrafficPolicy").path("egressProxy");
            if (proxy.isObject()) {
                Messages.report(sink, r, "IST0002", FieldPath.of("spec", "outboundTrafficPolicy", "egressProxy"),
                        "OutboundTrafficPolicy.EgressProxy ignored");
            }
            return;
        }
        JsonNode http = r.spec().path("http");
        for (int i = 0; i < http.size(); i++) {
            JsonNode percent = http.path(i).path("fault").path("delay").path("percent");
            if (percent.isNumber() && percent.asInt() > 0) {
                Messages.report(sink, r, "IST0002", FieldPath.of("spec", "http", i, "fault", "delay", "percent"),
                        "HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage");
            }
        }
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
