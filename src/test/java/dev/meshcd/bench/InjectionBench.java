package dev.meshcd.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.JsonPatches;
import dev.meshcd.admission.inject.PodInjector;
import dev.meshcd.admission.webhook.AdmissionHandler;
import dev.meshcd.admission.webhook.AdmissionRequest;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.AdmissionReviews;
import dev.meshcd.admission.webhook.InjectHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A short single-thread measurement of what the webhook does per AdmissionReview beyond a no-op handler, in
 * thread CPU time (so other load on the machine matters less than wall time would):
 * <ul>
 *   <li>{@code injection}: parse the pod, inject, diff, serialise the patch; {@code baseline}: parse and write
 *       the same pod alone;</li>
 *   <li>{@code handler}: the {@code /inject} path as the server runs it: decode the AdmissionReview body,
 *       {@link InjectHandler}, encode the response (patch in base64); {@code allow}: the same with the allow-all
 *       handler;</li>
 *   <li>{@code 1 decode} .. {@code 5 encode}: the handler's stages alone (decode the review, inject,
 *       {@code 3+4 diffAsJson}: diff and serialise the patch in one as the handler does, encode the response
 *       with the patch in Base64); {@code 3 diff}: the diff alone, as a JSON tree, for comparison.</li>
 * </ul>
 * Every path is warmed up for a fixed wall time first (a fixed iteration count would leave a faster build
 * measured before the JIT is done with it), then measured in interleaved rounds; best and median of the rounds
 * are printed. Arguments: {@code [rounds, default 7] [warm-up seconds, default 12: nine paths share it, and 4 s left
 * the handler partly in C1]}.
 * Run: {@code scripts/bench.sh InjectionBench}.
 */
public final class InjectionBench {
    private InjectionBench() {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final String POD_JSON = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"web-5d8f9c7b6-","namespace":"shop",
             "labels":{"app":"web","version":"v1","pod-template-hash":"5d8f9c7b6"},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f9c7b6","controller":true}]},
             "spec":{"serviceAccountName":"web","containers":[{"name":"web","image":"nginx:1.27",
             "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
             "readinessProbe":{"httpGet":{"path":"/ready","port":"http"},"timeoutSeconds":1},
             "resources":{"requests":{"cpu":"100m"}}}],"volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}
            """;
    private static final int PER_ROUND = 500;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        double warmupSeconds = args.length > 1 ? Double.parseDouble(args[1]) : 12;
        IstioSidecarInjector injector = new IstioSidecarInjector();
        Map<String, String> ns = Map.of("istio-injection", "enabled");
        byte[] review = AdmissionBench.podReview();
        AdmissionHandler inject = new InjectHandler(injector,
                Snapshot.of(List.of(), Map.of("bench", Map.of("istio-injection", "enabled"))));
        // the handler's stages one by one, each on the previous stage's output computed once
        AdmissionRequest decoded = AdmissionReviews.parse(review);
        ObjectNode requestPod = decoded.object();
        ObjectNode injectedPod = injector.inject(requestPod, "bench", ns).pod();
        byte[] patchJson = JsonPatches.diffAsJson(requestPod, injectedPod);
        List<Map.Entry<String, ToLongFunction<Integer>>> paths = List.of(
                Map.entry("injection", i -> once(injector, POD_JSON, ns)),
                Map.entry("baseline", i -> parseAndWrite(POD_JSON)),
                Map.entry("handler", i -> serve(inject, review)),
                Map.entry("allow", i -> serve(AdmissionHandler.ALLOW_ALL, review)),
                Map.entry("1 decode", i -> decode(review)),
                Map.entry("2 inject", i -> injector.inject(requestPod, "bench", ns).pod().size()),
                Map.entry("3 diff", i -> JsonPatches.diff(requestPod, injectedPod).size()),
                Map.entry("3+4 diffAsJson", i -> JsonPatches.diffAsJson(requestPod, injectedPod).length),
                Map.entry("5 encode", i -> AdmissionReviews.write(decoded.uid(),
                        AdmissionResponse.patch("injected", patchJson, List.of())).length));
        long sink = 0;
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 1500 || System.nanoTime() < warmupEnd; i++) {
            for (var p : paths) {
                sink += p.getValue().applyAsLong(i);
            }
        }
        long[][] perRound = new long[paths.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int p = 0; p < paths.size(); p++) {
                long c0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < PER_ROUND; i++) {
                    sink += paths.get(p).getValue().applyAsLong(i);
                }
                perRound[p][round] = (THREADS.getCurrentThreadCpuTime() - c0) / PER_ROUND;
            }
        }
        long[] best = new long[paths.size()];
        long[] median = new long[paths.size()];
        for (int p = 0; p < paths.size(); p++) {
            long[] r = perRound[p];
            Arrays.sort(r);
            best[p] = r[0];
            median[p] = r[r.length / 2];
            System.out.printf("%-10s CPU per pod: best %5.1f us, median %5.1f us%n", paths.get(p).getKey(),
                    best[p] / 1e3, median[p] / 1e3);
        }
        System.out.printf("RESULT injection cpu_us_per_pod=%d baseline_cpu_us_per_pod=%d injection_median_cpu_us=%d"
                        + " handler_cpu_us=%d handler_median_cpu_us=%d allow_cpu_us=%d (%d rounds; checksum %d)%n",
                best[0] / 1000, best[1] / 1000, median[0] / 1000, best[2] / 1000, median[2] / 1000, best[3] / 1000,
                rounds, sink);
    }

    private static long once(IstioSidecarInjector injector, String podJson, Map<String, String> ns) {
        try {
            ObjectNode pod = (ObjectNode) JSON.readTree(podJson);
            PodInjector.Result r = injector.inject(pod, "shop", ns);
            return JsonPatches.diffAsJson(pod, r.pod()).length;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long decode(byte[] review) {
        try {
            return AdmissionReviews.parse(review).uid().length();
        } catch (AdmissionReviews.BadReview e) {
            throw new IllegalStateException(e);
        }
    }

    /** what any handler does: parse the pod, write a response */
    private static long parseAndWrite(String podJson) {
        try {
            return JSON.writeValueAsBytes(JSON.readTree(podJson)).length;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** WebhookServer's work per request minus HTTP: decode, handle, encode. */
    private static long serve(AdmissionHandler handler, byte[] body) {
        try {
            AdmissionRequest req = AdmissionReviews.parse(body);
            return AdmissionReviews.write(req.uid(), handler.handle(req)).length;
        } catch (AdmissionReviews.BadReview e) {
            throw new IllegalStateException(e);
        }
    }
}
