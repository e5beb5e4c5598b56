package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.admission.webhook.WebhookServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook under clients that are slow or greedy, over real TLS on loopback: a body dripped byte by byte
 * is cut off instead of holding a thread, requests beyond capacity get 429 with Retry-After (never a 500), and
 * normal requests go on being answered while 300 slow clients are connected.
 */
class WebhookCapacityTest {
    static ServingCertificates certs;
    static HttpClient http;

    static final byte[] VS = Reviews.review("CREATE", "alice", Reviews.yaml("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart]
              http:
              - route:
                - destination: {host: cart}
            """), null, false);

    @BeforeAll
    static void certificates() {
        certs = ServingCertificates.create(CertStore.memory(), List.of("localhost", "127.0.0.1"));
        certs.initialize();
        http = Reviews.client(certs.current().ca().cert());
    }

    @AfterAll
    static void close() {
        certs.close();
    }

    private static WebhookServer.Builder server() {
        return WebhookServer.builder(certs).host("127.0.0.1").port(0).handler("validate",
                new ValidatingHandler(TestValidators.compiler(), Snapshot.of(List.of(), Map.of()), OwnershipGuard.standard()));
    }

    /** A TLS connection that sends a request's headers and then its body one byte at a time. */
    private static SSLSocket dripping(int port) throws IOException {
        SSLSocket s = (SSLSocket) Reviews.trusting(certs.current().ca().cert()).getSocketFactory()
                .createSocket("127.0.0.1", port);
        s.startHandshake();
        s.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + VS.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    @Test
    void slowBodiesAreCutOffAndNormalRequestsAreStillAnswered() throws Exception {
        WebhookServer server = server().build().start();
        List<SSLSocket> slow = new ArrayList<>();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 300; i++) {
                slow.add(dripping(server.port()));
            }
            int[] offset = {0};
            drip.scheduleAtFixedRate(() -> {
                for (SSLSocket s : slow) {
                    try {
                        OutputStream o = s.getOutputStream();
                        o.write(VS[offset[0] % VS.length]);
                        o.flush();
                    } catch (IOException e) {
                        // cut off by the server: what this test wants
                    }
                }
                offset[0]++;
            }, 0, 1, TimeUnit.SECONDS);

            // While all of them drip, the API server's requests are answered (each well within its 10 s timeout).
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = Reviews.post(http, server.port(), "/validate", VS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat((System.nanoTime() - t0) / 1_000_000).as("request %d answered in ms", i).isLessThan(5_000);
            }

            // A slow body is refused (408: not received within the deadline) or its connection closed, long
            // before the body would have been complete.
            SSLSocket first = slow.get(0);
            first.setSoTimeout(20_000);
            String answer = readSome(first.getInputStream());
            assertThat(answer).satisfiesAnyOf(a -> assertThat(a).startsWith("HTTP/1.1 408 "), a -> assertThat(a).isEmpty());
        } finally {
            drip.shutdownNow();
            for (SSLSocket s : slow) {
                s.close();
            }
            server.close();
        }
    }

    /**
     * More clients mid-body than the server has threads, and a normal request is still answered while they all
     * are: a body being received holds no thread (before, each dripping client held one until it was cut off).
     */
    @Test
    void bodiesStillArrivingHoldNoThread() throws Exception {
        int threads = 16;
        WebhookServer server = server().threads(threads).build().start();
        List<SSLSocket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * threads; i++) {
                SSLSocket s = dripping(server.port());
                s.getOutputStream().write(VS[0]); // the body has started: the request is dispatched
                s.getOutputStream().flush();
                slow.add(s);
            }
            HttpResponse<String> r = Reviews.post(http, server.port(), "/validate", VS);
            assertThat(r.statusCode()).isEqualTo(200);
            long stillWaiting = slow.stream().filter(WebhookCapacityTest::noAnswerYet).count();
            assertThat(stillWaiting).as("clients still mid-body when the normal request was answered")
                    .isGreaterThan(threads);
        } finally {
            for (SSLSocket s : slow) {
                s.close();
            }
            server.close();
        }
    }

    /** True when the server has neither answered nor closed the connection (a read times out). */
    private static boolean noAnswerYet(SSLSocket s) {
        try {
            s.setSoTimeout(1);
            s.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readSome(InputStream in) throws IOException {
        byte[] buf = new byte[64];
        try {
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return "still open after 20 s";
        } catch (IOException e) {
            return ""; // reset by the server
        }
    }

    @Test
    void requestsBeyondCapacityGet429WithRetryAfter() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        WebhookServer server = WebhookServer.builder(certs).host("127.0.0.1").port(0).maxInFlight(2)
                .handler("validate", req -> {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return AdmissionResponse.allow("held");
                }).build().start();
        try {
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(CompletableFuture.supplyAsync(() -> Reviews.post(http, server.port(), "/validate", VS)));
            }
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> third = Reviews.post(http, server.port(), "/validate", VS);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).contains("1");
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            // The slots are released just after the answers are written: capacity is back at once.
            dev.meshcd.testing.Await.until(java.time.Duration.ofSeconds(5), "capacity is back",
                    () -> Reviews.post(http, server.port(), "/validate", VS).statusCode() == 200);
        } finally {
            release.countDown();
            server.close();
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> server().maxBody(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server().maxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
