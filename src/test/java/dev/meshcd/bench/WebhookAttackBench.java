package dev.meshcd.bench;

import dev.meshcd.admission.Reviews;
import dev.meshcd.admission.TestValidators;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.pipeline.Compiler;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The webhook under attack (issue #16), measured: the server runs in a child JVM at the install's heap (the
 * Deployment sets no -Xmx and a 1 GiB memory limit, so the JVM takes a quarter: 256 MiB) with the launcher's JVM
 * options; this JVM is the attacker and the API server.
 *
 * <ol>
 *   <li><b>Slow clients.</b> A normal {@code /validate} request, sent open-loop at RATE per second with the API
 *   server's headers, with and without 300 connections each sending its body one byte every 2 s (reconnecting
 *   whenever the server cuts one off), interleaved round by round: p50 and p99 of each phase. Target: p99 under
 *   attack &lt; 100 ms.</li>
 *   <li><b>Big bodies.</b> 120 requests of just under 3 MiB (the default --max-body) sent at once, in WAVES waves,
 *   in two shapes (one 3 MiB string; about 37,000 small routes): the status-code histogram. Target: no 500, no
 *   OutOfMemoryError in the server's log, a normal request answered after each wave (429s are fine).</li>
 * </ol>
 *
 * <p>Arguments: {@code [ROUNDS=3] [SECONDS=10] [RATE=50] [HEAP=256m] [WAVES=3]}. Not a test: run by hand,
 * {@code scripts/bench.sh WebhookAttackBench}; figures in BENCHMARKS.md.
 */
public final class WebhookAttackBench {
    static final int SLOW_CLIENTS = 300;
    static final long DRIP_EVERY_MS = 2_000;
    static final int BIG_REQUESTS = 120;
    /** Just under the default --max-body (3 MiB), so the request is read and handled, not refused with 413. */
    static final int BIG_SIZE = (int) WebhookServer.DEFAULT_MAX_BODY - 4096;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve(Path.of(args[1]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 50;
        String heap = args.length > 3 ? args[3] : "256m";
        int waves = args.length > 4 ? Integer.parseInt(args[4]) : 3;

        Path dir = Files.createTempDirectory("meshcd-attack");
        Process server = startServer(dir, heap);
        try {
            Path portFile = dir.resolve("port");
            for (int i = 0; i < 600 && !Files.exists(portFile); i++) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("server exited:\n" + Files.readString(dir.resolve("server.log")));
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readString(portFile).strip());
            X509Certificate ca;
            try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
                ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            System.out.printf(Locale.ROOT, "webhook under attack: server JVM -Xmx%s %s, %d rounds of %d s, %.0f req/s, "
                    + "%d cores%n", heap, jvmOptions(), rounds, seconds, rate, Runtime.getRuntime().availableProcessors());
            slowClients(port, ca, rounds, seconds, rate);
            bigBodies(port, ca, waves, dir.resolve("server.log"), server);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String jvmOptions() throws IOException {
        Path p = Path.of("scripts/jvm-options");
        return Files.exists(p) ? Files.readString(p).strip() : "";
    }

    static Process startServer(Path dir, String heap) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap));
        String opts = jvmOptions();
        if (!opts.isEmpty()) {
            cmd.addAll(Arrays.asList(opts.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WebhookAttackBench.class.getName(), "serve",
                dir.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile())
                .start();
    }

    /** The server's side: /validate against a snapshot of 100 services, as AdmissionBench serves it. */
    static void serve(Path dir) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.meshcd.audit", "warn");
        Compiler compiler = TestValidators.compiler();
        Snapshot snapshot = Snapshot.of(AdmissionBench.world(compiler, 100), Map.of());
        ServingCertificates certs = ServingCertificates.create(CertStore.memory(), List.of("127.0.0.1"));
        certs.initialize();
        WebhookServer server = WebhookServer.builder(certs).host("127.0.0.1").port(0)
                .handler("validate", new ValidatingHandler(compiler, snapshot, OwnershipGuard.standard())).build().start();
        Files.writeString(dir.resolve("ca.pem"), certs.current().ca().certPem());
        Files.writeString(dir.resolve("port.tmp"), Integer.toString(server.port()));
        Files.move(dir.resolve("port.tmp"), dir.resolve("port"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    // --- 1. slow clients -------------------------------------------------------------------------------------

    static void slowClients(int port, X509Certificate ca, int rounds, int seconds, double rate) throws Exception {
        HttpClient http = Reviews.client(ca);
        byte[] review = AdmissionBench.virtualServiceReview();
        HttpRequest req = AdmissionBench.asApiServerSends(URI.create("https://127.0.0.1:" + port + "/validate"), review);
        AdmissionBench.openLoop(http, req, Math.max(5, seconds), rate); // warm-up: JIT, connections
        List<double[]> quiet = new ArrayList<>();
        List<double[]> attacked = new ArrayList<>();
        System.out.println("| round | phase | p50 ms | p99 ms | max ms | answered | failed | slow clients cut off |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int r = 1; r <= rounds; r++) {
            quiet.add(phase(r, "no attack", http, req, seconds, rate, null));
            try (SlowClients attack = new SlowClients(port, Reviews.trusting(ca), review.length)) {
                attack.awaitConnected(Duration.ofSeconds(60));
                Thread.sleep(3 * DRIP_EVERY_MS); // every slow client is mid-body
                attacked.add(phase(r, "300 slow clients", http, req, seconds, rate, attack));
            }
        }
        System.out.printf(Locale.ROOT, "median of %d rounds: no attack p50 %.2f ms p99 %.2f ms; under attack p50 %.2f ms "
                        + "p99 %.2f ms (target < 100 ms); p99 ratio %.2f%n", rounds, median(quiet, 0), median(quiet, 1),
                median(attacked, 0), median(attacked, 1), median(attacked, 1) / median(quiet, 1));
    }

    static double[] phase(int round, String name, HttpClient http, HttpRequest req, int seconds, double rate,
                          SlowClients attack) throws Exception {
        long cutBefore = attack == null ? 0 : attack.cutOff.get();
        long[] all = AdmissionBench.openLoop(http, req, seconds, rate);
        long[] lat = Arrays.stream(all).filter(l -> l != AdmissionBench.FAILED).toArray();
        double p50 = AdmissionBench.percentile(lat, 50) / 1e6;
        double p99 = AdmissionBench.percentile(lat, 99) / 1e6;
        double max = AdmissionBench.percentile(lat, 100) / 1e6;
        System.out.printf(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.1f | %d | %d | %s |%n", round, name, p50, p99, max,
                lat.length, all.length - lat.length, attack == null ? "-" : attack.cutOff.get() - cutBefore);
        return new double[]{p50, p99};
    }

    static double median(List<double[]> rows, int col) {
        double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * SLOW_CLIENTS TLS connections, each having sent a request's headers and then one byte of its body every
     * DRIP_EVERY_MS. One thread does it all; a connection the server cut off (408, reset or closed) is counted
     * and opened again, so the attack keeps its size as an attacker would.
     */
    static final class SlowClients implements AutoCloseable {
        final int port;
        final SSLContext tls;
        final int declared;
        final SSLSocket[] sockets = new SSLSocket[SLOW_CLIENTS];
        final AtomicLong cutOff = new AtomicLong();
        final AtomicInteger connected = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        SlowClients(int port, SSLContext tls, int declared) {
            this.port = port;
            this.tls = tls;
            this.declared = declared;
            this.thread = new Thread(this::run, "slow-clients");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitConnected(Duration d) throws InterruptedException {
            long deadline = System.nanoTime() + d.toNanos();
            while (connected.get() < SLOW_CLIENTS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        private SSLSocket open() throws IOException {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
            s.startHandshake();
            s.getOutputStream().write(("POST /validate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout(1);
            return s;
        }

        /** Whether the server has answered (a 408) or closed the connection. */
        private static boolean cut(SSLSocket s) {
            try {
                s.getInputStream().read(); // a byte (the 408) or the end of the stream: cut off either way
                return true;
            } catch (SocketTimeoutException e) {
                return false; // nothing yet: still open
            } catch (IOException e) {
                return true;
            }
        }

        private void run() {
            while (running.get()) {
                long tick = System.nanoTime();
                for (int i = 0; i < sockets.length && running.get(); i++) {
                    try {
                        if (sockets[i] == null) {
                            sockets[i] = open();
                            connected.incrementAndGet();
                            continue;
                        }
                        if (cut(sockets[i])) {
                            cutOff.incrementAndGet();
                            sockets[i].close();
                            sockets[i] = open();
                            continue;
                        }
                        sockets[i].getOutputStream().write('{');
                        sockets[i].getOutputStream().flush();
                    } catch (IOException e) {
                        cutOff.incrementAndGet();
                        close(i);
                    }
                }
                long left = DRIP_EVERY_MS - (System.nanoTime() - tick) / 1_000_000;
                if (left > 0) {
                    try {
                        Thread.sleep(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        private void close(int i) {
            if (sockets[i] != null) {
                try {
                    sockets[i].close();
                } catch (IOException ignored) {
                    // closing what the server already closed
                }
                sockets[i] = null;
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(10_000);
            for (int i = 0; i < sockets.length; i++) {
                close(i);
            }
        }
    }

    // --- 2. big bodies ---------------------------------------------------------------------------------------

    static void bigBodies(int port, X509Certificate ca, int waves, Path serverLog, Process server) throws Exception {
        Map<String, byte[]> shapes = new java.util.LinkedHashMap<>();
        shapes.put("one 3 MiB annotation", bigAnnotation());
        shapes.put("many routes", manyRoutes());
        HttpClient http = Reviews.client(ca);
        HttpRequest normal = AdmissionBench.asApiServerSends(URI.create("https://127.0.0.1:" + port + "/validate"),
                AdmissionBench.virtualServiceReview());
        System.out.println();
        System.out.println("| shape | body bytes | wave | statuses | slowest s | normal request after |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (var shape : shapes.entrySet()) {
            HttpRequest big = AdmissionBench.asApiServerSends(URI.create("https://127.0.0.1:" + port + "/validate"),
                    shape.getValue());
            for (int w = 1; w <= waves; w++) {
                Map<String, Integer> statuses = new TreeMap<>();
                AtomicLong slowest = new AtomicLong();
                flood(http, big, statuses, slowest);
                String after;
                try {
                    after = Integer.toString(http.send(normal, HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (IOException e) {
                    after = e.getClass().getSimpleName();
                }
                System.out.printf(Locale.ROOT, "| %s | %,d | %d | %s | %.1f | %s |%n", shape.getKey(),
                        shape.getValue().length, w, statuses, slowest.get() / 1e9, after);
            }
        }
        String log = Files.readString(serverLog);
        System.out.printf("server alive: %s; OutOfMemoryError in its log: %d; HTTP 500s above: see statuses%n",
                server.isAlive(), log.split("OutOfMemoryError", -1).length - 1);
    }

    /** BIG_REQUESTS requests released at once; their statuses (or exception names) counted. */
    static void flood(HttpClient http, HttpRequest big, Map<String, Integer> statuses, AtomicLong slowest)
            throws InterruptedException {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < BIG_REQUESTS; i++) {
            Thread t = new Thread(() -> {
                String outcome;
                try {
                    go.await();
                    long t0 = System.nanoTime();
                    outcome = Integer.toString(http.send(big, HttpResponse.BodyHandlers.discarding()).statusCode());
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                } catch (Exception e) {
                    String m = String.valueOf(e.getMessage());
                    outcome = e.getClass().getSimpleName() + " (" + m.substring(0, Math.min(40, m.length())) + ")";
                }
                counts.merge(outcome, 1, Integer::sum);
            });
            t.start();
            ts.add(t);
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        statuses.putAll(counts);
    }

    /** A VirtualService carrying one annotation that brings the review to BIG_SIZE bytes. */
    public static byte[] bigAnnotation() {
        byte[] small = review("x");
        return review("x".repeat(BIG_SIZE - small.length + 1));
    }

    private static byte[] review(String annotation) {
        var vs = Reviews.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: big, namespace: bench}
                spec:
                  hosts: [svc-1]
                  http: [{route: [{destination: {host: svc-1}}]}]
                """);
        ((com.fasterxml.jackson.databind.node.ObjectNode) vs.path("metadata")).putObject("annotations")
                .put("note", annotation);
        return Reviews.review("CREATE", "bench", vs, null, false);
    }

    /** A VirtualService of as many small, valid routes as fit in BIG_SIZE bytes: the most JSON nodes per byte. */
    static byte[] manyRoutes() {
        int routes = 1000;
        byte[] body = routes(routes);
        // grow to just under BIG_SIZE (sizes are close to linear in the count)
        routes = (int) ((long) routes * (BIG_SIZE - 2000) / body.length);
        body = routes(routes);
        while (body.length > BIG_SIZE) {
            routes -= 50;
            body = routes(routes);
        }
        return body;
    }

    private static byte[] routes(int n) {
        var vs = Reviews.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: many, namespace: bench}
                spec:
                  hosts: [svc-1]
                """);
        var http = ((com.fasterxml.jackson.databind.node.ObjectNode) vs.path("spec")).putArray("http");
        for (int i = 0; i < n; i++) {
            var route = http.addObject();
            route.putArray("match").addObject().putObject("uri").put("prefix", "/p" + i + "/"); // no prefix of another: no overlap warnings
            route.putArray("route").addObject().putObject("destination").put("host", "svc-1");
        }
        return Reviews.review("CREATE", "bench", vs, null, false);
    }
}
