package dev.meshcd.bench;

import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.validate.ValidationTestSupport;
import dev.meshcd.compiler.validate.cel.CelValidator;
import dev.meshcd.compiler.validate.schema.SchemaValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cost of schema + CEL validation per resource against bare YAML parsing, over the Istio documents of
 * the conformance corpus (../shared), and over Gateway API resources (the corpus' httpbin sample and a few more). Run: {@code scripts/bench.sh ValidationBench}.
 */
public final class ValidationBench {
    private ValidationBench() {
    }

    /** Thread CPU time, not wall time: the figures must not depend on what else the machine runs. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path root = ValidationTestSupport.conformance().orElse(null);
        if (root == null) {
            System.err.println("../shared/conformance/istio is absent");
            return;
        }
        List<SourceFile> files = new ArrayList<>();
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve("validation/webhook-dataset")),
                Files.walk(root.resolve("samples")))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("invalid")).toList()) {
                files.add(new SourceFile(p.toString(), Files.readAllBytes(p)));
            }
        }
        files.add(new SourceFile("gateway-api-bench.yaml", GATEWAY_API.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        YamlLoader loader = new YamlLoader();
        Decoder decoder = new Decoder(KindRegistry.standard(), "default");
        List<Resource> istio = new ArrayList<>();
        List<Resource> gatewayApi = new ArrayList<>();
        int documents = 0;
        for (SourceFile f : files) {
            ParsedFile parsed = loader.load(f);
            documents += parsed.documents().size();
            for (Resource r : decoder.decode(parsed, new Diagnostics())) {
                if (r.kind().isIstio()) {
                    istio.add(r);
                } else if (r.kind().isGatewayApi()) {
                    gatewayApi.add(r);
                }
            }
        }
        SchemaValidator schema = new SchemaValidator();
        CelValidator cel = new CelValidator();
        int rounds = Integer.getInteger("meshcd.bench.rounds", 700);
        // warm up (JIT, lazy loading and rule compilation)
        run(istio, schema, cel, 100, true, true);
        double parseUs = 0;
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < rounds / 10; i++) {
            for (SourceFile f : files) {
                loader.load(new SourceFile(f.name(), f.content()));
            }
        }
        parseUs = (CPU.getCurrentThreadCpuTime() - t0) / 1e3 / ((rounds / 10) * (double) documents);
        run(gatewayApi, schema, cel, 100, true, true);
        double gwSchemaUs = run(gatewayApi, schema, cel, rounds, true, false);
        double gwCelUs = run(gatewayApi, schema, cel, rounds, false, true);
        double schemaUs = run(istio, schema, cel, rounds, true, false);
        double celUs = run(istio, schema, cel, rounds, false, true);
        System.out.printf("benchmark: %d Istio resources x %d rounds (%d docs/round parsed)%n", istio.size(), rounds,
                documents);
        System.out.printf("  YAML parse: %.2f us/document (thread CPU time)%n", parseUs);
        System.out.printf("  schema:     %.2f us/resource%n", schemaUs);
        System.out.printf("  CEL:        %.2f us/resource%n", celUs);
        System.out.printf("  schema+CEL: %.2f us/resource = %.0f%% of parsing%n", schemaUs + celUs,
                100 * (schemaUs + celUs) / parseUs);
        System.out.printf("  Gateway API (%d resources): schema %.2f + CEL %.2f us/resource = %.0f%% of parsing%n",
                gatewayApi.size(), gwSchemaUs, gwCelUs, 100 * (gwSchemaUs + gwCelUs) / parseUs);
    }

    /** Gateway API resources beside the corpus' (which has only Istio's httpbin sample of them). */
    private static final String GATEWAY_API = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: shop}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
              - name: https
                port: 443
                protocol: HTTPS
                hostname: "*.example.com"
                tls: {mode: Terminate, certificateRefs: [{name: cert}]}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              parentRefs: [{name: gw, sectionName: https}, {group: "", kind: Service, name: web, port: 8000}]
              hostnames: [www.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /v2}, headers: [{name: x-canary, value: "true"}]}]
                filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-v, value: "2"}]}}]
                backendRefs: [{name: web-v2, port: 8000, weight: 10}, {name: web, port: 8000, weight: 90}]
                timeouts: {request: 10s}
              - matches: [{path: {type: Exact, value: /old}}]
                filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}}}]
              - backendRefs: [{name: web, port: 8000}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: rpc, namespace: shop}
            spec:
              parentRefs: [{name: gw}]
              rules:
              - matches: [{method: {service: shop.Cart, method: Get}}]
                backendRefs: [{name: cart, port: 9090}]
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: from-shop, namespace: other}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
              to: [{group: "", kind: Service}]
            """;

    private static double run(List<Resource> rs, SchemaValidator schema, CelValidator cel, int rounds, boolean s,
                              boolean c) {
        Diagnostics sink = new Diagnostics();
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < rounds; i++) {
            for (Resource r : rs) {
                if (s) {
                    schema.validate(r, sink);
                }
                if (c) {
                    cel.validate(r, sink);
                }
            }
        }
        if (sink.hasErrors()) {
            throw new AssertionError(sink.sorted().get(0));
        }
        return (CPU.getCurrentThreadCpuTime() - t0) / 1e3 / ((double) rounds * rs.size());
    }
}
