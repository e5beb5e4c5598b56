package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Analysis must be near-linear: over a generated mesh (7 documents per service), the whole check
 * stays within 2x of bare YAML parsing. The always-on run uses 2,000 services (14,000 documents) and
 * asserts that index + analyzers cost less than parsing; {@code -Dmeshcd.bench=true} runs the full
 * 10,000 services (70,000 documents) and also asserts the whole check within 2x of parsing.
 */
class AnalyzeBenchmarkTest {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeBenchmarkTest.class);

    @Test
    void analysisOf14000DocumentsIsCheap() {
        run(2_000, false);
    }

    @Test
    @EnabledIfSystemProperty(named = "meshcd.bench", matches = "true")
    void checkOf70000DocumentsWithinTwiceParsing() {
        run(10_000, true);
    }

    /**
     * @param wholeCheck also assert the whole check (load, decode, validate, analyze) within 2x of parsing;
     *                   on a busy shared machine only the opt-in full run asserts that
     */
    private static void run(int services, boolean wholeCheck) {
        SourceTree tree = generate(services, 100);
        // warm up both paths once (JIT), then measure the best of three
        long parse = Long.MAX_VALUE;
        long check = Long.MAX_VALUE;
        long analysis = Long.MAX_VALUE;
        CompileResult result = null;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            YamlLoader loader = new YamlLoader();
            int docs = tree.files().parallelStream().mapToInt(f -> loader.load(f).documents().size()).sum();
            long t1 = System.nanoTime();
            assertThat(docs).isEqualTo(services * 7);
            Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT);
            result = compiler.compile(tree, Compiler.Mode.CHECK);
            long t2 = System.nanoTime();
            compiler.analyze(result.resources(), new Diagnostics());
            long t3 = System.nanoTime();
            parse = Math.min(parse, t1 - t0);
            check = Math.min(check, t2 - t1);
            analysis = Math.min(analysis, t3 - t2);
        }
        LOG.warn("benchmark: {} services, {} documents: parse {} ms, check {} ms ({}x), index+analyze {} ms",
                services, services * 7, parse / 1_000_000, check / 1_000_000,
                String.format("%.2f", (double) check / parse), analysis / 1_000_000);
        assertThat(result.diagnostics()).filteredOn(d -> d.severity().atLeast(Severity.WARNING))
                .extracting(Diagnostic::code).isEmpty();
        assertThat(result.resources()).hasSize(services * 7);
        assertThat(analysis).as("index + analyzers vs parsing").isLessThan(parse);
        if (wholeCheck) {
            assertThat(check).as("whole check vs bare parsing").isLessThan(2 * parse);
        }
    }

    /** {@code services} services spread over {@code namespaces} namespaces, each with 7 documents. */
    static SourceTree generate(int services, int namespaces) {
        List<SourceFile> files = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            String ns = "ns-" + (i % namespaces);
            String name = "svc-" + i;
            String peer = "svc-" + ((i + namespaces) % services) + "." + "ns-" + (((i + namespaces) % services) % namespaces)
                    + ".svc.cluster.local";
            StringBuilder b = new StringBuilder(4096);
            b.append("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ").append(name).append(", namespace: ")
                    .append(ns).append("}\n---\n");
            b.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: ").append(name).append("\n  namespace: ").append(ns)
                    .append("\nspec:\n  selector: {app: ").append(name).append("}\n  ports:\n  - name: http\n    port: 80\n"
                            + "    targetPort: 8080\n---\n");
            for (String v : new String[] {"v1", "v2"}) {
                b.append("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ").append(name).append('-').append(v)
                        .append("\n  namespace: ").append(ns).append("\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: ")
                        .append(name).append(", version: ").append(v).append("}\n  template:\n    metadata:\n      labels: {app: ")
                        .append(name).append(", version: ").append(v).append("}\n    spec:\n      serviceAccountName: ")
                        .append(name).append("\n      containers:\n      - name: app\n        image: registry.example.com/")
                        .append(name).append(':').append(v).append("\n        ports: [{containerPort: 8080, name: http}]\n---\n");
            }
            b.append("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: ").append(name)
                    .append("\n  namespace: ").append(ns).append("\nspec:\n  host: ").append(name).append("\n  trafficPolicy:\n"
                            + "    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}\n"
                            + "  subsets:\n  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}\n---\n");
            b.append("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ").append(name)
                    .append("\n  namespace: ").append(ns).append("\nspec:\n  hosts: [").append(name).append("]\n  http:\n"
                            + "  - match: [{headers: {x-canary: {exact: \"true\"}}}]\n    route:\n    - destination: {host: ")
                    .append(name).append(", subset: v2}\n  - route:\n    - destination: {host: ").append(name)
                    .append(", subset: v1}\n      weight: 90\n    - destination: {host: ").append(name)
                    .append(", subset: v2}\n      weight: 10\n    mirror: {host: ").append(peer).append("}\n    timeout: 3s\n---\n");
            b.append("apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ").append(name)
                    .append("\n  namespace: ").append(ns).append("\nspec:\n  selector:\n    matchLabels: {app: ").append(name)
                    .append("}\n  rules:\n  - from:\n    - source:\n        principals: [cluster.local/ns/").append(ns)
                    .append("/sa/").append(name).append("]\n");
            files.add(SourceFile.ofString(ns + "/" + name + ".yaml", b.toString()));
        }
        return new SourceTree(files);
    }
}
