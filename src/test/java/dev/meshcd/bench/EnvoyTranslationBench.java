package dev.meshcd.bench;

import dev.meshcd.compiler.envoy.ConfigDumps;
import dev.meshcd.compiler.envoy.EnvoyTranslator;
import dev.meshcd.compiler.envoy.Proxy;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Envoy translation benchmark (documented in docs/envoy.md). Generates a mesh in memory: services
 * in namespaces of 25, each with a Deployment and a Service; every 5th service has a DestinationRule
 * with two subsets and a VirtualService with a header match and a 90/10 split. Translates for every
 * proxy and reports time per proxy and output bytes per proxy, without and with a Sidecar per
 * namespace that limits egress to the namespace itself ({@code ./*}).
 *
 * <p>Run: {@code mvn -q -B -o test-compile && java -cp target/classes:target/test-classes:$(cat cp.txt)
 * dev.meshcd.bench.EnvoyTranslationBench [sizes...]} (default sizes 250 500 1000).
 */
public final class EnvoyTranslationBench {
    static final int PER_NAMESPACE = 25;

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(250, 500, 1000);
        }
        System.out.printf("%-9s %-8s %8s %10s %10s %14s %14s %12s%n", "services", "sidecar", "proxies", "ms/proxy",
                "cpu ms/px", "cold ms/proxy", "bytes/proxy", "clusters/px");
        for (int n : sizes) {
            for (boolean scoped : new boolean[]{false, true}) {
                Result r = run(n, scoped);
                System.out.printf("%-9d %-8s %8d %10.3f %10.3f %14.3f %14d %12d%n", n, scoped ? "./*" : "none", r.proxies,
                        r.msPerProxy, r.cpuMsPerProxy, r.coldMsPerProxy, r.bytesPerProxy, r.clustersPerProxy);
            }
        }
    }

    record Result(int proxies, double msPerProxy, double cpuMsPerProxy, double coldMsPerProxy, long bytesPerProxy, long clustersPerProxy) {
    }

    static Result run(int services, boolean scoped) {
        CompileResult compiled = StandardStages.compiler(CompileOptions.DEFAULT)
                .compile(generate(services, scoped), Compiler.Mode.VALIDATE);
        if (compiled.hasErrors()) {
            throw new IllegalStateException("generated mesh has errors: " + compiled.diagnostics().get(0));
        }
        // warm up the JIT on a throw-away translator
        new EnvoyTranslator(compiled.index()).translateAll();
        EnvoyTranslator t = new EnvoyTranslator(compiled.index());
        List<Proxy> proxies = t.proxies();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = mx.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        Map<String, ProxyConfig> all = t.translateAll();
        double msPerProxy = (System.nanoTime() - start) / 1e6 / proxies.size();
        double cpuMsPerProxy = (mx.getCurrentThreadCpuTime() - cpuStart) / 1e6 / proxies.size();
        // cold: a fresh translator per proxy, so nothing is shared through the per-scope cache
        int sample = Math.min(20, proxies.size());
        long coldStart = System.nanoTime();
        for (int i = 0; i < sample; i++) {
            Proxy p = proxies.get(i * proxies.size() / sample);
            new EnvoyTranslator(compiled.index()).translate(p);
        }
        double cold = (System.nanoTime() - coldStart) / 1e6 / sample;
        long bytes = 0;
        long clusters = 0;
        List<ProxyConfig> configs = new ArrayList<>(all.values());
        for (int i = 0; i < sample; i++) {
            ProxyConfig pc = configs.get(i * configs.size() / sample);
            bytes += ConfigDumps.json(pc).getBytes(StandardCharsets.UTF_8).length;
            clusters += pc.clusters().size();
        }
        return new Result(proxies.size(), msPerProxy, cpuMsPerProxy, cold, bytes / sample, clusters / sample);
    }

    static SourceTree generate(int services, boolean scoped) {
        List<SourceFile> files = new ArrayList<>();
        int namespaces = (services + PER_NAMESPACE - 1) / PER_NAMESPACE;
        for (int i = 0; i < services; i++) {
            String ns = "ns" + (i / PER_NAMESPACE);
            String name = "svc" + i;
            StringBuilder y = new StringBuilder();
            y.append("""
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: %1$s, namespace: %2$s}
                    spec:
                      selector: {matchLabels: {app: %1$s}}
                      template:
                        metadata: {labels: {app: %1$s, version: v1}}
                        spec:
                          serviceAccountName: %1$s
                          containers: [{name: app, image: example/app:1, ports: [{name: http, containerPort: 8080}]}]
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: %1$s, namespace: %2$s}
                    spec:
                      selector: {app: %1$s}
                      ports: [{name: http, port: 8080, targetPort: 8080}]
                    """.formatted(name, ns));
            if (i % 5 == 0) {
                y.append("""
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: %1$s, namespace: %2$s}
                        spec:
                          host: %1$s
                          trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}
                          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: %1$s, namespace: %2$s}
                        spec:
                          hosts: [%1$s]
                          http:
                            - match: [{headers: {x-canary: {exact: "true"}}}]
                              route: [{destination: {host: %1$s, subset: v2}}]
                            - route:
                                - {destination: {host: %1$s, subset: v1}, weight: 90}
                                - {destination: {host: %1$s, subset: v2}, weight: 10}
                              timeout: 2s
                        """.formatted(name, ns));
            }
            files.add(SourceFile.ofString(ns + "/" + name + ".yaml", y.toString()));
        }
        if (scoped) {
            for (int n = 0; n < namespaces; n++) {
                files.add(SourceFile.ofString("ns" + n + "/sidecar.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: Sidecar
                        metadata: {name: default, namespace: ns%d}
                        spec:
                          egress: [{hosts: ["./*", "istio-system/*"]}]
                        """.formatted(n)));
            }
        }
        return new SourceTree(files);
    }

    private EnvoyTranslationBench() {
    }
}
