package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Findings name their subject by a typed key (group, kind, namespace, name): two resources that display alike
 * ("Gateway shop/gw" of Istio and of the Kubernetes Gateway API) are never confused.
 */
class TypedSubjectTest {
    private static final ResourceKey ISTIO_GW = new ResourceKey("networking.istio.io", "Gateway", "shop", "gw");
    private static final ResourceKey K8S_GW = new ResourceKey("gateway.networking.k8s.io", "Gateway", "shop", "gw");

    @Test
    void aSuppressionAnnotationSilencesItsOwnResourceOnlyNotOneThatDisplaysAlike() {
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT).compile(SourceTree.of(SourceFile.ofString("gw.yaml", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata:
                  name: gw
                  namespace: shop
                  annotations: {galley.istio.io/analyze-suppress: IST0101}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["*"]
                """)), Compiler.Mode.VALIDATE);
        Diagnostic istio = new Diagnostic(Severity.ERROR, "IST0101", "m", ISTIO_GW, SourceLocation.NONE, "spec");
        Diagnostic other = new Diagnostic(Severity.ERROR, "IST0101", "m", K8S_GW, SourceLocation.NONE, "spec");
        assertThat(istio.resource()).isEqualTo(other.resource()).isEqualTo("Gateway shop/gw");

        List<Diagnostic> kept = new AnnotationSuppressionFilter().apply(List.of(istio, other), r.index());

        assertThat(kept).containsExactly(other);
    }

    @Test
    void aFindingAboutNoResourceHasNoSubject() {
        Diagnostic d = new Diagnostic(Severity.ERROR, "MCD1001", "invalid YAML", null, SourceLocation.NONE, "");
        assertThat(d.subject()).isNull();
        assertThat(d.resource()).isEmpty();
    }
}
