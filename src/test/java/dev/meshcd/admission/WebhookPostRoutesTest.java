package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.WebhookServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Extra raw POST routes on the admission HTTPS server (what push webhooks use): headers and body in, status out. */
class WebhookPostRoutesTest {
    static final int MAX_BODY = 1024;
    static ServingCertificates certs;
    static WebhookServer server;
    static HttpClient http;
    static final List<Map<String, String>> seenHeaders = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        certs = ServingCertificates.create(CertStore.memory(), List.of("localhost", "127.0.0.1"));
        certs.initialize();
        server = WebhookServer.builder(certs).host("127.0.0.1").port(0).maxBody(MAX_BODY)
                .post("/hooks/echo", (headers, body) -> {
                    seenHeaders.add(headers);
                    String b = new String(body, StandardCharsets.UTF_8);
                    return new WebhookServer.PostHandler.Response(b.equals("secret") ? 202 : 401, "got " + body.length);
                })
                .post("/hooks/broken", (headers, body) -> {
                    throw new IllegalStateException("boom");
                })
                .build().start();
        http = Reviews.client(certs.current().ca().cert());
    }

    @AfterAll
    static void stop() {
        server.close();
        certs.close();
    }

    static HttpResponse<String> post(String path, String body, String header) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .header("X-Test-Header", header).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void handlerGetsHeadersAndBodyAndChoosesTheStatus() throws Exception {
        HttpResponse<String> ok = post("/hooks/echo", "secret", "one");
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(ok.body()).isEqualTo("got 6\n");
        assertThat(post("/hooks/echo", "wrong", "two").statusCode()).isEqualTo(401);
        assertThat(seenHeaders).anySatisfy(h -> assertThat(h).containsEntry("X-Test-Header", "one"));
    }

    @Test
    void oversizedBodyIsRefusedBeforeTheHandler() throws Exception {
        int before = seenHeaders.size();
        HttpResponse<String> r = post("/hooks/echo", "x".repeat(MAX_BODY + 1), "big");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(seenHeaders).hasSize(before);
    }

    @Test
    void failingHandlerAnswers500WithoutDetails() throws Exception {
        HttpResponse<String> r = post("/hooks/broken", "{}", "x");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("boom");
    }

    @Test
    void onlyPostIsRouted() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.port() + "/hooks/echo")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isIn(404, 405);
        assertThat(post("/hooks/unknown", "secret", "x").statusCode()).isEqualTo(404);
    }
}
