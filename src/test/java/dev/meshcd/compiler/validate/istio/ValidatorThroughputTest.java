package dev.meshcd.compiler.validate.istio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the semantic validators over 70,000 resources (a mix of every kind, valid and invalid) and
 * prints the rate. It asserts the findings, not the time: the same inputs must give the same
 * counts on every pass (caches must not change answers).
 */
class ValidatorThroughputTest {
    private static final String MIX = String.join("---\n",
            Harness.vs("{hosts: [reviews, '*.example.com'], gateways: [ns/gw, mesh], http: [{match: [{uri: {regex: '^/api/v[0-9]+/.*'},"
                    + " headers: {x-user: {exact: a}}}], retries: {attempts: 3, perTryTimeout: 2s, retryOn: '5xx,connect-failure'},"
                    + " timeout: 10s, route: [{destination: {host: reviews, subset: v1}, weight: 90}, {destination: {host: reviews,"
                    + " subset: v2}, weight: 10}]}, {route: [{destination: {host: reviews}}]}]}"),
            Harness.vs("{hosts: [a], http: [{match: [{uri: {regex: '^(?!x).*'}}], route: [{destination: {host: a}, weight: -1},"
                    + " {destination: {host: b}, weight: 1}]}]}"),
            Harness.dr("{host: reviews, trafficPolicy: {connectionPool: {tcp: {maxConnections: 100, connectTimeout: 30ms}},"
                    + " outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m}}, subsets: [{name: v1,"
                    + " labels: {version: v1}}, {name: v2, labels: {version: v2}}]}"),
            Harness.gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 443, name: https, protocol: HTTPS},"
                    + " hosts: ['prod/*.example.com'], tls: {mode: SIMPLE, credentialName: cert}}]}"),
            Harness.se("{hosts: [api.example.com], ports: [{number: 443, name: https, protocol: TLS}], resolution: DNS}"),
            Harness.sidecar("{egress: [{hosts: ['./*', 'istio-system/*']}]}"),
            Harness.doc("security.istio.io/v1", "AuthorizationPolicy", "{selector: {matchLabels: {app: a}}, rules: [{from:"
                    + " [{source: {principals: [cluster.local/ns/default/sa/sleep]}}], to: [{operation: {methods: [GET],"
                    + " paths: ['/info*']}}], when: [{key: 'request.auth.claims[iss]', values: ['https://a']}]}]}"),
            Harness.doc("security.istio.io/v1", "RequestAuthentication", "{jwtRules: [{issuer: a, jwksUri: 'https://a/k'}]}"),
            Harness.doc("telemetry.istio.io/v1", "Telemetry", "{tracing: [{randomSamplingPercentage: 10}]}"),
            "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\nspec: {ports: [{name: http, port: 80}]}\n");
    private static final int DOCUMENTS = 70_000;
    /** CPU time of this thread: wall time means little on a shared, loaded machine. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    @Test
    void validates70kResources() {
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT);
        String[] docs = MIX.split("---\n");
        StringBuilder unique = new StringBuilder();
        for (int i = 0; i < docs.length; i++) {
            unique.append("---\n").append(docs[i].replace("{name: t,", "{name: t" + i + ","));
        }
        List<Resource> mix = compiler.compile(SourceTree.of(SourceFile.ofString("mix.yaml", unique.toString())),
                Compiler.Mode.VALIDATE).resources();
        assertThat(mix).hasSize(10);
        List<ResourceValidator> validators = IstioValidators.all("istio-system");
        long[] errors = new long[2];
        long[] millis = new long[2];
        for (int pass = 0; pass < 2; pass++) {
            Diagnostics sink = new Diagnostics();
            long start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < DOCUMENTS; i++) {
                Resource r = mix.get(i % mix.size());
                for (ResourceValidator v : validators) {
                    v.validate(r, sink);
                }
            }
            millis[pass] = (CPU.getCurrentThreadCpuTime() - start) / 1_000_000;
            errors[pass] = sink.sorted().stream().filter(d -> d.severity() == Severity.ERROR).count();
        }
        for (ResourceValidator v : validators) {
            Diagnostics sink = new Diagnostics();
            long start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < DOCUMENTS; i++) {
                v.validate(mix.get(i % mix.size()), sink);
            }
            System.out.printf("  %s: %d ms CPU%n", v.getClass().getSimpleName(), (CPU.getCurrentThreadCpuTime() - start) / 1_000_000);
        }
        System.out.printf("semantic validators: %d resources in %d ms CPU (cold), %d ms CPU (warm) -> %.0f resources/s per core%n",
                DOCUMENTS, millis[0], millis[1], DOCUMENTS * 1000.0 / Math.max(1, millis[1]));
        // the one invalid VirtualService (1 in 10) has three errors per copy: the look-ahead regex, the
        // negative weight and the resulting total weight of 0
        assertThat(errors[0]).isEqualTo(errors[1]).isEqualTo(DOCUMENTS / 10 * 3L);
    }
}
