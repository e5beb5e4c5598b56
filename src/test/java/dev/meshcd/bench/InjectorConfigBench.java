package dev.meshcd.bench;

import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * How soon a change of istiod's injector ConfigMap is in force for the next /inject (target: within 1 s of the API
 * server's watch event), against a real kube-apiserver: {@code scripts/bench.sh InjectorConfigBench [CHANGES=200]}.
 *
 * <p>The {@code istio-sidecar-injector} ConfigMap (Istio's rendering, src/test/resources/inject/istio-rendered: 112 KB
 * of templates in {@code config}, the chart values) is updated CHANGES times with a new image tag, one at a time.
 * Per change: the watch event to the settings swap (the informer handing the update to meshcd, both ConfigMaps read
 * into settings, a new injector built and swapped in), and the update request sent to the swap (the API server's
 * write and watch delivery included). The baseline in the same run: the update request's own round trip.
 */
public final class InjectorConfigBench {
    private InjectorConfigBench() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path dir = Path.of("src/test/resources/inject/istio-rendered");
        String values = Files.readString(dir.resolve("values.json"));
        String config = Files.readString(dir.resolve("config.yaml"));
        String mesh = Files.readString(dir.resolve("mesh.yaml"));
        try (LocalCluster cluster = LocalCluster.start()) {
            KubernetesClient client = cluster.client();
            String ns = "istio-bench-" + ProcessHandle.current().pid();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
            try {
                client.resource(new ConfigMapBuilder().withNewMetadata().withName("istio").withNamespace(ns)
                        .endMetadata().withData(Map.of("mesh", mesh)).build()).create();
                client.resource(injector(ns, values, config, 0)).create();
                InjectorConfigWatch watch = new InjectorConfigWatch(client, new InjectorConfigWatch.Options(ns,
                        "default", null, null));
                LinkedBlockingQueue<long[]> applied = new LinkedBlockingQueue<>();
                watch.onApplied(() -> applied.add(new long[] {watch.lastEventNanos(), System.nanoTime()}));
                watch.start();
                while (!watch.synced() || !watch.status().source().startsWith("ConfigMap")) {
                    Thread.sleep(10);
                }
                Thread.sleep(1000); // the initial list's events, delivered after the list itself was read
                applied.clear();
                List<Long> eventToSwap = new ArrayList<>();
                List<Long> requestToSwap = new ArrayList<>();
                List<Long> request = new ArrayList<>();
                for (int i = 1; i <= changes; i++) {
                    long sent = System.nanoTime();
                    client.resource(injector(ns, values, config, i)).update();
                    long answered = System.nanoTime();
                    long[] a = applied.poll(30, TimeUnit.SECONDS);
                    if (a == null || !watch.injector().settings().images().tag().equals("1.28." + i)
                            || !applied.isEmpty()) {
                        throw new IllegalStateException("change " + i + " not applied alone: " + watch.status());
                    }
                    if (i > changes / 10) { // the first tenth warms up
                        eventToSwap.add(a[1] - a[0]);
                        requestToSwap.add(a[1] - sent);
                        request.add(answered - sent);
                    }
                }
                watch.close();
                System.out.printf("ConfigMap changes applied: %d (%d measured after warm-up)%n", changes,
                        eventToSwap.size());
                report("watch event -> settings swapped", eventToSwap);
                report("update sent -> settings swapped", requestToSwap);
                report("baseline: update round trip", request);
                System.out.printf("p99 (update sent -> swapped) / 1 s target: %.3f%n",
                        percentile(requestToSwap, 0.99) / 1e9);
            } finally {
                client.namespaces().withName(ns).delete();
            }
        }
    }

    static ConfigMap injector(String ns, String values, String config, int i) {
        return new ConfigMapBuilder().withNewMetadata().withName("istio-sidecar-injector").withNamespace(ns)
                .endMetadata().withData(Map.of("values", values.replace("\"tag\": \"latest\"", "\"tag\": \"1.28." + i
                        + "\""), "config", config)).build();
    }

    static void report(String what, List<Long> nanos) {
        System.out.printf("%-34s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%n", what, percentile(nanos, 0.5) / 1e6,
                percentile(nanos, 0.99) / 1e6, Collections.max(nanos) / 1e6);
    }

    static double percentile(List<Long> nanos, double p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
