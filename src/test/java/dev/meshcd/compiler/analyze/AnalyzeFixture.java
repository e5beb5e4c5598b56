package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.Map;

/** A small mesh (namespace shop) that analyzer cases add resources to, compiled with the standard stages. */
final class AnalyzeFixture {
    /** Lines are referred to by tests only through case.yaml, so this file's length does not matter. */
    static final String BASE = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: shop}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080, targetPort: 9080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ratings, namespace: shop}
            spec:
              selector: {app: ratings}
              ports: [{name: http, port: 9080}, {name: grpc, port: 9090}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1, namespace: shop}
            spec:
              selector: {matchLabels: {app: reviews, version: v1}}
              template:
                metadata: {labels: {app: reviews, version: v1}}
                spec: {containers: [{name: app, image: reviews:1}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ratings-v1, namespace: shop}
            spec:
              selector: {matchLabels: {app: ratings, version: v1}}
              template:
                metadata: {labels: {app: ratings, version: v1}}
                spec: {containers: [{name: app, image: ratings:1}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext, namespace: shop}
            spec:
              hosts: [api.partner.io, "*.wild.io"]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: 443, name: tls, protocol: TLS}]
            """;

    static final Workload INGRESS = new Workload("istio-system", "istio-ingressgateway", "Deployment",
            Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"), Map.of(),
            "istio-ingressgateway-service-account", null);

    private AnalyzeFixture() {
    }

    /** Diagnostics of a full CHECK over base.yaml + case.yaml, the external ingress workload declared. */
    static List<Diagnostic> check(String caseYaml) {
        return check(caseYaml, List.of());
    }

    static List<Diagnostic> check(String caseYaml, List<DiagnosticFilter> extraFilters) {
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop")
                .withExternalWorkloads(List.of(INGRESS)), extraFilters);
        return c.compile(new SourceTree(List.of(SourceFile.ofString("base.yaml", BASE),
                SourceFile.ofString("case.yaml", caseYaml))), Compiler.Mode.CHECK).diagnostics();
    }

    /** Analyzer findings (Istio codes other than the validation ones) as "file:line CODE path". */
    static List<String> findings(List<Diagnostic> diagnostics) {
        return diagnostics.stream()
                .filter(d -> d.code().startsWith("IST") && !d.code().equals("IST0106") && !d.code().equals("IST0133"))
                .map(d -> d.location().file() + ":" + d.location().line() + " " + d.code() + " " + d.path())
                .sorted().toList();
    }
}
