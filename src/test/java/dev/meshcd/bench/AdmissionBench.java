package dev.meshcd.bench;

import dev.meshcd.admission.Reviews;
import dev.meshcd.admission.TestValidators;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.AdmissionHandler;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.AdmissionReviews;
import dev.meshcd.admission.webhook.InjectHandler;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.Origin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the validating webhook over loopback HTTPS (not a test; run by hand, see docs/admission.md).
 *
 * <p>Two servers on the same stack (Javalin + Jetty, TLS, AdmissionReview codec, metrics, audit): the baseline
 * answers allowed:true at once, the others run {@code /validate} on a VirtualService against a snapshot of
 * {@code SERVICES} Services with DestinationRules and VirtualServices, and {@code /inject} on a Pod of a
 * ReplicaSet in an injection-enabled namespace (Istio's template, JSON Patch out). For each: closed-loop max throughput with
 * {@code THREADS} clients, then an open-loop run at half that rate measuring latency from the scheduled send
 * time (no coordinated omission).
 *
 * <p>Arguments: {@code [seconds per phase, default 5] [client threads, default 8] [services, default 100]
 * [rounds, default 3]}.
 */
public final class AdmissionBench {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve(java.nio.file.Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 100);
            return;
        }
        if (args.length > 0 && args[0].equals("openloop")) {
            openLoopMain(java.nio.file.Path.of(args[1]), args[2], Double.parseDouble(args[3]), Integer.parseInt(args[4]));
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int services = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.setProperty("org.slf4j.simpleLogger.log.meshcd.audit", "warn");

        Compiler compiler = TestValidators.compiler();
        Snapshot snapshot = Snapshot.of(world(compiler, services), Map.of());
        ServingCertificates certs = ServingCertificates.create(CertStore.memory(), List.of("127.0.0.1"));
        certs.initialize();
        HttpClient http = Reviews.client(certs.current().ca().cert());
        byte[] body = virtualServiceReview();

        byte[] pod = podReview();
        Snapshot withLabels = Snapshot.of(snapshot.resources(), Map.of("bench", Map.of("istio-injection", "enabled")));

        System.out.printf("admission bench: %d s per phase, %d client threads, snapshot of %d resources, %d validators, %d analyzers%n",
                seconds, threads, snapshot.resources().size(), compiler.validators().size(), compiler.analyzers().size());
        // Phases interleave round by round and medians are reported, so a change in the machine's load
        // during the run hits the baseline and the handlers alike.
        Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("round %d of %d%n", round, rounds);
            results.computeIfAbsent("baseline allow-all", k -> new ArrayList<>()).add(
                    run("baseline allow-all", "validate", AdmissionHandler.ALLOW_ALL, certs, http, body, seconds, threads));
            results.computeIfAbsent("validate VirtualService", k -> new ArrayList<>()).add(run("validate VirtualService",
                    "validate", new ValidatingHandler(compiler, withLabels, OwnershipGuard.standard()), certs, http, body,
                    seconds, threads));
            results.computeIfAbsent("inject Pod", k -> new ArrayList<>()).add(run("inject Pod", "inject",
                    new InjectHandler(configMapDrivenInjector(), withLabels), certs, http, pod, seconds, threads));
        }
        Result base = median(results.get("baseline allow-all"));
        Result val = median(results.get("validate VirtualService"));
        Result inj = median(results.get("inject Pod"));
        System.out.printf("%nmedians of %d rounds:%n| | max req/s | ratio to baseline | p50 at half max | p99 at half max |%n| --- | --- | --- | --- | --- |%n", rounds);
        for (var e : List.of(Map.entry("baseline allow-all", base), Map.entry("validate VirtualService", val),
                Map.entry("inject Pod", inj))) {
            Result r = e.getValue();
            System.out.printf("| %s | %.0f | %.0f%% | %.2f ms | %.2f ms |%n", e.getKey(), r.maxRps,
                    100.0 * r.maxRps / base.maxRps, r.p50Ms, r.p99Ms);
        }
        System.out.printf("targets: throughput >= 70%% of baseline, p99 <= 5 ms at half of max%n");
        certs.close();
    }

    /** The /validate request: a canary VirtualService for svc-7 with a header match, weights, retries. */
    static byte[] virtualServiceReview() {
        return Reviews.review("CREATE", "bench", Reviews.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: svc-7-canary, namespace: bench}
                spec:
                  hosts: [svc-7]
                  http:
                  - match: [{headers: {x-canary: {exact: "1"}}}]
                    route:
                    - {destination: {host: svc-7, subset: v2}}
                  - route:
                    - {destination: {host: svc-7, subset: v1}, weight: 90}
                    - {destination: {host: svc-7, subset: v2}, weight: 10}
                    retries: {attempts: 3, perTryTimeout: 2s}
                    timeout: 10s
                """), null, false);
    }

    /** The /inject request: a ReplicaSet's Pod in an injection-enabled namespace. */
    static byte[] podReview() {
        return Reviews.review("CREATE", "system:serviceaccount:kube-system:replicaset-controller", Reviews.yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  generateName: web-5d8f9c7b6-
                  namespace: bench
                  labels: {app: web, version: v1, pod-template-hash: 5d8f9c7b6}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f9c7b6, controller: true, uid: 1}]
                spec:
                  serviceAccountName: web
                  containers:
                  - name: web
                    image: nginx:1.27
                    ports: [{name: http, containerPort: 8080, protocol: TCP}]
                    readinessProbe: {httpGet: {path: /ready, port: http}, timeoutSeconds: 1}
                    resources: {requests: {cpu: 100m}}
                  volumes: [{name: cfg, configMap: {name: web}}]
                """), null, false);
    }

    /**
     * The injector {@code meshcd run} serves: settings read from istiod's ConfigMaps (Istio's rendering of the
     * istio-sidecar-injector and istio ConfigMaps, src/test/resources/inject/istio-rendered), swapped atomically on
     * change (one volatile read per request), pods selected by revision.
     */
    static dev.meshcd.admission.inject.PodInjector configMapDrivenInjector() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/inject/istio-rendered");
        boolean nativeOn = dev.meshcd.admission.inject.InjectionSettings.defaults().mesh().nativeSidecars();
        return new dev.meshcd.admission.cluster.InjectorConfigWatch(null, new dev.meshcd.admission.cluster
                .InjectorConfigWatch.Options("istio-system", "default", dev.meshcd.admission.inject.IstioInjectorConfig
                .readInputs(dir.resolve("values.json"), dir.resolve("config.yaml"), dir.resolve("mesh.yaml")),
                st -> st.withNativeSidecars(nativeOn))).injector();
    }

    /**
     * Serves the three handlers (baseline, validate, inject) until killed, for an outside load generator
     * (scripts/admission-bench.sh drives wrk): writes their ports, the request bodies and the CA to {@code dir}.
     */
    static void serve(java.nio.file.Path dir, int services) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.meshcd.audit", "warn");
        Compiler compiler = TestValidators.compiler();
        Snapshot snapshot = Snapshot.of(world(compiler, services), Map.of("bench", Map.of("istio-injection", "enabled")));
        ServingCertificates certs = ServingCertificates.create(CertStore.memory(), List.of("127.0.0.1"));
        certs.initialize();
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.write(dir.resolve("validate.json"), virtualServiceReview());
        java.nio.file.Files.write(dir.resolve("inject.json"), podReview());
        java.nio.file.Files.writeString(dir.resolve("ca.pem"), certs.current().ca().certPem());
        StringBuilder ports = new StringBuilder();
        Map<String, AdmissionHandler> handlers = new java.util.LinkedHashMap<>();
        handlers.put("baseline", AdmissionHandler.ALLOW_ALL);
        handlers.put("validate", new ValidatingHandler(compiler, snapshot, OwnershipGuard.standard()));
        AdmissionHandler inject = new InjectHandler(configMapDrivenInjector(), snapshot);
        handlers.put("inject", inject);
        // Diagnostic: /inject's own answer (the same patch, byte for byte) without the work. Its gap to the
        // baseline is what the bigger response costs (TLS, HTTP, wrk), the rest of /inject's gap is the handler.
        AdmissionResponse injected = inject.handle(AdmissionReviews.parse(podReview()));
        handlers.put("patch-only", request -> injected);
        for (var e : handlers.entrySet()) {
            String path = e.getKey().equals("inject") || e.getKey().equals("patch-only") ? "inject" : "validate";
            WebhookServer server = WebhookServer.builder(certs).host("127.0.0.1").port(0).handler(path, e.getValue())
                    .build().start();
            ports.append(e.getKey()).append(' ').append(server.port()).append(' ').append(path).append('\n');
        }
        java.nio.file.Files.writeString(dir.resolve("ports.tmp"), ports);
        java.nio.file.Files.move(dir.resolve("ports.tmp"), dir.resolve("ports"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    /** The open loop alone, from its own process, against a server started by {@link #serve}: prints p50 and p99. */
    static void openLoopMain(java.nio.file.Path dir, String url, double rate, int seconds) throws Exception {
        java.security.cert.X509Certificate ca;
        try (var in = java.nio.file.Files.newInputStream(dir.resolve("ca.pem"))) {
            ca = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
        HttpClient http = Reviews.client(ca);
        byte[] body = java.nio.file.Files.readAllBytes(dir.resolve(url.endsWith("/inject") ? "inject.json" : "validate.json"));
        HttpRequest req = asApiServerSends(URI.create(url), body);
        openLoop(http, req, Math.max(2, seconds / 2), rate); // warm-up
        long[] all = openLoop(http, req, seconds, rate);
        long[] lat = Arrays.stream(all).filter(l -> l != FAILED).toArray();
        System.out.printf(java.util.Locale.ROOT, "p50 %.2f p99 %.2f samples %d failed %d%n", percentile(lat, 50) / 1e6,
                percentile(lat, 99) / 1e6, lat.length, all.length - lat.length);
    }

    record Result(double maxRps, double p50Ms, double p99Ms) {
    }

    /** Per field, the median over rounds. */
    static Result median(List<Result> rs) {
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Result>> med = f -> {
            double[] v = rs.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        };
        return new Result(med.applyAsDouble(Result::maxRps), med.applyAsDouble(Result::p50Ms), med.applyAsDouble(Result::p99Ms));
    }

    public static List<Resource> world(Compiler compiler, int services) {
        List<Resource> out = new ArrayList<>();
        Diagnostics d = new Diagnostics();
        for (int i = 0; i < services; i++) {
            String yaml = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: svc-%1$d, namespace: bench}
                    spec:
                      selector: {app: svc-%1$d}
                      ports: [{name: http, port: 8080}]
                    """.formatted(i);
            out.addAll(compiler.decoder().decode(Reviews.yaml(yaml), Origin.NONE, d));
            out.addAll(compiler.decoder().decode(Reviews.yaml("""
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: svc-%1$d, namespace: bench}
                    spec:
                      host: svc-%1$d
                      subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                    """.formatted(i)), Origin.NONE, d));
            out.addAll(compiler.decoder().decode(Reviews.yaml("""
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: svc-%1$d, namespace: bench}
                    spec:
                      hosts: [svc-%1$d]
                      http: [{route: [{destination: {host: svc-%1$d, subset: v1}}]}]
                    """.formatted(i)), Origin.NONE, d));
        }
        return out;
    }

    /** A webhook call with the headers kube-apiserver sends (recorded from v1.20.2; gzip is Go's default). */
    static HttpRequest asApiServerSends(URI url, byte[] body) {
        return HttpRequest.newBuilder(URI.create(url + "?timeout=10s"))
                .header("Content-Type", "application/json").header("Accept", "application/json, */*")
                .header("Accept-Encoding", "gzip").header("User-Agent", "kube-apiserver-admission")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    static Result run(String name, String path, AdmissionHandler handler, ServingCertificates certs, HttpClient http,
                      byte[] body, int seconds, int threads) throws Exception {
        try (WebhookServer server = WebhookServer.builder(certs).host("127.0.0.1").port(0)
                .handler(path, handler).build().start()) {
            HttpRequest req = asApiServerSends(URI.create("https://127.0.0.1:" + server.port() + "/" + path), body);
            closedLoop(http, req, Math.max(2, seconds / 2), threads); // warm-up (JIT, connections)
            double max = closedLoop(http, req, seconds, threads);
            double rate = max / 2;
            long[] all = openLoop(http, req, seconds, rate);
            long[] lat = Arrays.stream(all).filter(l -> l != FAILED).toArray();
            double p50 = percentile(lat, 50) / 1e6;
            double p99 = percentile(lat, 99) / 1e6;
            System.out.printf("%-24s max %8.0f req/s | at %6.0f req/s: p50 %.2f ms, p99 %.2f ms (%d samples, %d failed)%n",
                    name, max, rate, p50, p99, lat.length, all.length - lat.length);
            return new Result(max, p50, p99);
        }
    }

    /** Requests per second with {@code threads} clients sending back to back. */
    static double closedLoop(HttpClient http, HttpRequest req, int seconds, int threads) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            t.start();
            ts.add(t);
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        running.set(false);
        long n = ok.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Thread t : ts) {
            t.join();
        }
        if (failed.get() > 0) {
            System.out.println("  (failed requests: " + failed.get() + ")");
        }
        return n / elapsed;
    }

    /**
     * Latencies (ns) of requests sent at a fixed rate, measured from when each was due, so a slow answer
     * delays the ones behind it in the measurement too (no coordinated omission). A fixed set of senders
     * (so a bounded number of kept-alive connections, as the API server keeps) takes the requests in turn.
     */
    static long[] openLoop(HttpClient http, HttpRequest req, int seconds, double rate) throws Exception {
        int total = (int) (rate * seconds);
        long interval = (long) (1e9 / rate);
        long[] lat = new long[total];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        long start = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < OPEN_LOOP_SENDERS; t++) {
            Thread sender = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = start + i * interval;
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        long wait = due - now;
                        if (wait > 200_000) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait - 100_000);
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                    try {
                        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        lat[i] = r.statusCode() == 200 ? System.nanoTime() - due : FAILED;
                    } catch (Exception e) {
                        lat[i] = FAILED;
                    }
                }
            });
            sender.start();
            senders.add(sender);
        }
        for (Thread t : senders) {
            t.join();
        }
        return lat;
    }

    /** Concurrent senders of the open loop: enough that one slow answer does not stall the schedule. */
    static final int OPEN_LOOP_SENDERS = 16;

    /** Latency slot of a request that failed: counted apart, never a percentile. */
    static final long FAILED = -1;

    static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
