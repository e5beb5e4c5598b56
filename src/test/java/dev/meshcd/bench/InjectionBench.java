package dev.meshcd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.JsonPatches;
import dev.meshcd.admission.inject.PodInjector;
import java.util.Map;

/**
 * A short single-thread measurement of what the webhook does per AdmissionReview beyond a no-op handler:
 * parse the pod, inject, diff, serialise the patch; against parsing and writing the same pod alone.
 * Run: {@code scripts/bench.sh InjectionBench}.
 */
public final class InjectionBench {
    private InjectionBench() {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        String podJson = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-5d8f9c7b6-","namespace":"shop",
                 "labels":{"app":"web","version":"v1","pod-template-hash":"5d8f9c7b6"},
                 "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f9c7b6","controller":true}]},
                 "spec":{"serviceAccountName":"web","containers":[{"name":"web","image":"nginx:1.27",
                 "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
                 "readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"timeoutSeconds":1},
                 "resources":{"requests":{"cpu":"100m"}}}],"volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}
                """;
        Map<String, String> ns = Map.of("istio-injection", "enabled");
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 1500; i++) { // warm-up
            sink += once(injector, podJson, ns);
        }
        long best = Long.MAX_VALUE;
        long bestBaseline = Long.MAX_VALUE;
        int n = 500;
        for (int round = 0; round < 3; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += once(injector, podJson, ns);
            }
            long c1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) { // what any handler does: parse the pod, write a response
                sink += JSON.writeValueAsBytes(JSON.readTree(podJson)).length;
            }
            long c2 = threads.getCurrentThreadCpuTime();
            best = Math.min(best, (c1 - c0) / n);
            bestBaseline = Math.min(bestBaseline, (c2 - c1) / n);
        }
        System.out.printf("CPU per pod: parse+inject+diff+write %d us, parse+write alone %d us%n",
                best / 1000, bestBaseline / 1000);
        System.out.printf("RESULT injection cpu_us_per_pod=%d baseline_cpu_us_per_pod=%d (checksum %d)%n",
                best / 1000, bestBaseline / 1000, sink);
    }

    private static long once(IstioSidecarInjector injector, String podJson, Map<String, String> ns) throws Exception {
        ObjectNode pod = (ObjectNode) JSON.readTree(podJson);
        PodInjector.Result r = injector.inject(pod, "shop", ns);
        JsonNode patch = JsonPatches.diff(pod, r.pod());
        return JSON.writeValueAsBytes(patch).length;
    }
}
