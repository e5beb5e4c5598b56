package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.gatewayapi.GatewayApiConversion;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A compilation together with the Envoy configuration of every proxy and the diagnostics of the
 * Envoy checks: what {@code meshcd compile}, {@code simulate} and {@code diff} all start from.
 */
public record EffectiveMesh(CompileResult result, EnvoyTranslator translator, Map<String, ProxyConfig> proxies,
                            List<Diagnostic> diagnostics) {

    public static EffectiveMesh of(CompileResult result) {
        // Gateway API routing as istiod derives it (Istio Gateways and VirtualServices), for the translator only
        EnvoyTranslator t = new EnvoyTranslator(GatewayApiConversion.translationIndex(result.index()));
        List<Diagnostic> ds = new ArrayList<>(result.diagnostics());
        Map<String, ProxyConfig> proxies;
        try {
            proxies = t.translateAll();
            for (Diagnostic d : EnvoyChecks.check(proxies)) {
                // a context object's translation is not the repository's to fix
                if (d.subject() == null || !ContextOrigin.isContext(result.index().get(d.subject()).orElse(null))) {
                    ds.add(d);
                }
            }
        } catch (RuntimeException e) {
            proxies = new TreeMap<>();
            ds.add(new Diagnostic(Severity.ERROR, Codes.INTERNAL, "internal error in Envoy translation: " + e, null, null, ""));
        }
        ds.sort(Diagnostic.ORDER);
        return new EffectiveMesh(result, t, proxies, List.copyOf(ds));
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    /** The compile result with the Envoy diagnostics added (for the standard renderers). */
    public CompileResult withDiagnostics() {
        return new CompileResult(result.resources(), result.index(), diagnostics, result.files(), result.documents());
    }
}
