package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.bench.WebhookAttackBench;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 120 requests of 3 MiB at once against the webhook at the install's heap (256 MiB: a quarter of the Deployment's
 * 1 GiB limit, which sets no -Xmx), served by a child JVM so the heap is the server's alone. Each is answered 200,
 * 408 (its body did not arrive within the deadline on a busy machine; the connection may close before the client
 * reads it) or 429 (beyond the bodies' share of the heap), never 500; the server never runs out of memory, and
 * afterwards answers a normal request and, its body budget all given back, a 3 MiB one.
 */
class WebhookHeapFloodTest {
    static final int REQUESTS = 120;

    @TempDir
    Path dir;

    @Test
    void threeMebibyteFloodAtTheInstallHeapGivesNo500AndNoOutOfMemory() throws Exception {
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                WebhookAttackBench.class.getName(), "serve", dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            dev.meshcd.testing.Await.until(Duration.ofSeconds(120), "the server in the child JVM listens",
                    () -> Files.exists(dir.resolve("port")) || !server.isAlive());
            assertThat(server.isAlive()).as("server started: %s", log).isTrue();
            int port = Integer.parseInt(Files.readString(dir.resolve("port")).strip());
            X509Certificate ca;
            try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
                ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            HttpClient http = Reviews.client(ca);
            URI validate = URI.create("https://127.0.0.1:" + port + "/validate");
            HttpRequest big = HttpRequest.newBuilder(validate).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(WebhookAttackBench.bigAnnotation())).build();

            // One at a time, a 3 MiB review is always handled (a body alone is always let in).
            for (int i = 0; i < 3; i++) {
                assertThat(http.send(big, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            }

            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            List<String> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                Thread t = new Thread(() -> {
                    String outcome;
                    try {
                        go.await();
                        outcome = Integer.toString(http.send(big, HttpResponse.BodyHandlers.discarding()).statusCode());
                    } catch (java.io.IOException e) {
                        outcome = "connection closed"; // a 408 for a body still being sent ends the connection
                        closed.add(String.valueOf(e.getMessage()));
                    } catch (InterruptedException e) {
                        outcome = "interrupted";
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                });
                t.start();
                clients.add(t);
            }
            go.countDown();
            for (Thread t : clients) {
                t.join(TimeUnit.MINUTES.toMillis(5));
            }
            System.out.println("120 x 3 MiB at -Xmx256m: " + outcomes + "; closed: "
                    + closed.stream().distinct().limit(3).toList());

            // How many get through depends on how fast this machine moves 360 MiB through TLS: only the kinds of
            // answer are asserted.
            assertThat(outcomes.keySet()).as("outcomes").isSubsetOf("200", "408", "429", "connection closed");
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
            assertThat(server.isAlive()).isTrue();
            HttpResponse<String> normal = http.send(HttpRequest.newBuilder(validate).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Reviews.review("CREATE", "alice", Reviews.yaml("""
                            apiVersion: networking.istio.io/v1
                            kind: VirtualService
                            metadata: {name: after, namespace: bench}
                            spec: {hosts: [svc-1], http: [{route: [{destination: {host: svc-1}}]}]}
                            """), null, false))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(normal.statusCode()).isEqualTo(200);
            // Every refused or cut-off body gave its share of the heap back: a 3 MiB review is handled again.
            assertThat(http.send(big, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
