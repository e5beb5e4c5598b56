package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import dev.meshcd.admission.webhook.InjectHandler;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.admission.webhook.WebhookServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook server over real HTTPS on loopback, without a cluster: bad input, verdicts, guard, metrics. */
class WebhookHttpsTest {
    static final long MAX_BODY = 64 * 1024;
    static ServingCertificates certs;
    static WebhookServer server;
    static HttpClient http;

    @BeforeAll
    static void start() {
        certs = ServingCertificates.create(CertStore.memory(), List.of("localhost", "127.0.0.1"));
        certs.initialize();
        Snapshot snapshot = Snapshot.of(List.of(), Map.of("mesh", Map.of("istio-injection", "enabled")));
        server = WebhookServer.builder(certs).host("127.0.0.1").port(0).maxBody(MAX_BODY)
                .handler("validate", new ValidatingHandler(TestValidators.compiler(), snapshot,
                        new OwnershipGuard(Set.of("system:serviceaccount:meshcd-system:meshcd"))))
                .handler("inject", new InjectHandler(new TestInjector(), snapshot))
                .handler("inject-istio", new InjectHandler(new dev.meshcd.admission.inject.IstioSidecarInjector(), snapshot))
                .build().start();
        http = Reviews.client(certs.current().ca().cert());
    }

    @AfterAll
    static void stop() {
        server.close();
        certs.close();
    }

    /** A pod in the injection-enabled namespace. */
    static final String MESH_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: mesh}
            spec:
              containers: [{name: app, image: nginx}]
            """;

    static final String VALID_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ok, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
            """;

    static Stream<Arguments> badBodies() {
        byte[] big = new byte[(int) MAX_BODY + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        return Stream.of(
                Arguments.of("malformed JSON", "{\"apiVersion\": ".getBytes(StandardCharsets.UTF_8), 400, "malformed JSON"),
                Arguments.of("not an object", "[1,2]".getBytes(StandardCharsets.UTF_8), 400, "not a JSON object"),
                Arguments.of("wrong apiVersion", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\"}}"
                        .getBytes(StandardCharsets.UTF_8), 400, "expected admission.k8s.io/v1 AdmissionReview"),
                Arguments.of("wrong kind", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}"
                        .getBytes(StandardCharsets.UTF_8), 400, "kind=\"Pod\""),
                Arguments.of("no request", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}"
                        .getBytes(StandardCharsets.UTF_8), 400, "has no request"),
                Arguments.of("no uid", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}"
                        .getBytes(StandardCharsets.UTF_8), 400, "no uid"),
                Arguments.of("trailing garbage", (new String(Reviews.review("CREATE", "u", Reviews.yaml(VALID_VS), null, false),
                        StandardCharsets.UTF_8) + " }").getBytes(StandardCharsets.UTF_8), 400, "malformed JSON"),
                Arguments.of("too large", big, 413, "exceeds the limit"),
                Arguments.of("empty", new byte[0], 400, "malformed JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesGetA4xxWithAReasonNeverA500(String name, byte[] body, int status, String message) {
        for (String path : List.of("/validate", "/inject")) {
            HttpResponse<String> r = Reviews.post(http, server.port(), path, body);
            assertThat(r.statusCode()).as(name + " " + path).isEqualTo(status);
            assertThat(r.body()).contains(message);
        }
        // the server is still serving
        assertThat(Reviews.get(http, server.port(), "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void validVirtualServiceIsAllowedAndTheUidEchoed() throws Exception {
        byte[] body = Reviews.review("CREATE", "alice", Reviews.yaml(VALID_VS), null, false);
        String uid = Reviews.JSON.readTree(body).path("request").path("uid").asText();
        HttpResponse<String> r = Reviews.post(http, server.port(), "/validate", body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode root = Reviews.JSON.readTree(r.body());
        assertThat(root.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(root.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(root.path("response").path("uid").asText()).isEqualTo(uid);
        assertThat(root.path("response").path("allowed").asBoolean()).isTrue();
    }

    /**
     * The API server's client asks for gzip (Go's default) and sends a length; other clients may stream the
     * body chunked. Either way the answer (Istio's sidecar as a patch, big enough that a server would compress
     * it) is plain JSON of its declared length.
     */
    @Test
    void answersAreNeverCompressedAndChunkedBodiesAreRead() throws Exception {
        ObjectNode pod = Reviews.yaml(MESH_POD);
        byte[] body = Reviews.review("CREATE", "alice", pod, null, false);
        for (boolean chunked : new boolean[] {false, true}) {
            HttpRequest.BodyPublisher publisher = chunked
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))
                    : HttpRequest.BodyPublishers.ofByteArray(body);
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + server.port() + "/inject-istio"))
                    .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                    .POST(publisher).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as("chunked=%s", chunked).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(r.body().length);
            assertThat(r.body().length).as("big enough to be worth compressing").isGreaterThan(4096);
            JsonNode resp = Reviews.JSON.readTree(r.body()).path("response");
            assertThat(resp.path("allowed").asBoolean()).isTrue();
            assertThat(resp.path("patch").asText()).isNotEmpty();
        }
    }

    @Test
    void invalidVirtualServiceIsDeniedListingEachError() {
        for (boolean dryRun : new boolean[]{false, true}) {
            JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/validate",
                    Reviews.review("CREATE", "alice", Reviews.yaml(TestValidators.BAD_WEIGHT_VS), null, dryRun)));
            assertThat(resp.path("allowed").asBoolean()).isFalse();
            assertThat(resp.path("status").path("code").asInt()).isEqualTo(403);
            assertThat(resp.path("status").path("message").asText())
                    .startsWith("meshcd denied VirtualService default/bad-weight: ")
                    .contains("IST0106 spec.http[0].route[0].weight: ");
        }
    }

    static Stream<Arguments> undecodable() {
        return Stream.of(
                Arguments.of("""
                        apiVersion: networking.istio.io/v9
                        kind: VirtualService
                        metadata: {name: v9, namespace: default}
                        spec: {}
                        """, "unknown version \"v9\""),
                Arguments.of("""
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {namespace: default}
                        spec: {}
                        """, "no metadata.name"));
    }

    @ParameterizedTest
    @MethodSource("undecodable")
    void undecodableIstioObjectIsDeniedWithAClearMessage(String yaml, String message) {
        JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/validate",
                Reviews.review("CREATE", "alice", Reviews.yaml(yaml), null, false)));
        assertThat(resp.path("allowed").asBoolean()).isFalse();
        assertThat(resp.path("status").path("code").asInt()).isEqualTo(400);
        assertThat(resp.path("status").path("message").asText()).contains(message);
    }

    @Test
    void kindsMeshcdDoesNotHandleAreAllowedUntouched() {
        ObjectNode cm = Reviews.yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x, namespace: default}
                data: {a: b}
                """);
        JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/validate", Reviews.review("CREATE", "u", cm, null, false)));
        assertThat(resp.path("allowed").asBoolean()).isTrue();
        assertThat(resp.has("patch")).isFalse();
        ObjectNode other = Reviews.yaml("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: x, namespace: default}
                spec: {whatever: [1]}
                """);
        resp = Reviews.response(Reviews.post(http, server.port(), "/validate", Reviews.review("CREATE", "u", other, null, false)));
        assertThat(resp.path("allowed").asBoolean()).isTrue();
    }

    static final String MANAGED_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: managed
              namespace: default
              labels: {app.kubernetes.io/managed-by: meshcd}
              annotations: {meshcd.dev/repo: "https://git.example.com/mesh.git", meshcd.dev/source: "shop/cart.yaml"}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
            """;

    static Stream<Arguments> ownership() {
        String sync = "system:serviceaccount:meshcd-system:meshcd";
        return Stream.of(
                Arguments.of("sync identity updates", "UPDATE", sync, false, true),
                Arguments.of("sync identity deletes", "DELETE", sync, false, true),
                Arguments.of("user updates", "UPDATE", "alice", false, false),
                Arguments.of("user creates", "CREATE", "alice", false, false),
                Arguments.of("user deletes", "DELETE", "alice", false, false),
                Arguments.of("user updates with break-glass", "UPDATE", "alice", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ownership")
    void gitManagedObjectsChangeOnlyThroughGit(String name, String op, String user, boolean breakGlass, boolean allowed) {
        ObjectNode obj = Reviews.yaml(MANAGED_VS);
        if (breakGlass) {
            obj.withObject("metadata").withObject("annotations").put("meshcd.dev/break-glass", "INC-42 outage");
        }
        byte[] body = switch (op) {
            case "CREATE" -> Reviews.review(op, user, obj, null, false);
            case "DELETE" -> Reviews.review(op, user, null, obj, false);
            default -> Reviews.review(op, user, obj, Reviews.yaml(MANAGED_VS), false);
        };
        JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/validate", body));
        assertThat(resp.path("allowed").asBoolean()).as(name).isEqualTo(allowed);
        if (!allowed) {
            assertThat(resp.path("status").path("message").asText())
                    .contains("managed by Git: https://git.example.com/mesh.git shop/cart.yaml; change it there");
        }
    }

    @Test
    void removingTheManagedLabelDoesNotEscapeTheGuard() {
        ObjectNode unlabelled = Reviews.yaml(MANAGED_VS);
        unlabelled.withObject("metadata").remove("labels");
        JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/validate",
                Reviews.review("UPDATE", "alice", unlabelled, Reviews.yaml(MANAGED_VS), false)));
        assertThat(resp.path("allowed").asBoolean()).isFalse();
    }

    @Test
    void injectAnswersWithAJsonPatchOrARefusal() throws Exception {
        ObjectNode pod = Reviews.yaml(MESH_POD);
        JsonNode resp = Reviews.response(Reviews.post(http, server.port(), "/inject", Reviews.review("CREATE", "u", pod, null, false)));
        assertThat(resp.path("allowed").asBoolean()).isTrue();
        assertThat(resp.path("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = Reviews.JSON.readTree(Base64.getDecoder().decode(resp.path("patch").asText()));
        JsonNode patched = io.fabric8.zjsonpatch.JsonPatch.apply(patch, pod);
        assertThat(patched.path("spec").path("containers").findValuesAsText("name")).containsExactly("app", "istio-proxy");

        pod.withObject("metadata").put("namespace", "plain");
        resp = Reviews.response(Reviews.post(http, server.port(), "/inject", Reviews.review("CREATE", "u", pod, null, false)));
        assertThat(resp.path("allowed").asBoolean()).isTrue();
        assertThat(resp.has("patch")).isFalse();

        pod.withObject("metadata").put("namespace", "mesh");
        pod.withObject("metadata").putObject("annotations").put("test.meshcd.dev/refuse", "proxyCPU=lots");
        resp = Reviews.response(Reviews.post(http, server.port(), "/inject", Reviews.review("CREATE", "u", pod, null, false)));
        assertThat(resp.path("allowed").asBoolean()).isFalse();
        assertThat(resp.path("status").path("message").asText()).contains("bad annotation: proxyCPU=lots");
    }

    @Test
    void probesAndMetrics() {
        assertThat(Reviews.get(http, server.port(), "/healthz").body()).isEqualTo("ok");
        assertThat(Reviews.get(http, server.port(), "/readyz").statusCode()).isEqualTo(200);
        Reviews.post(http, server.port(), "/validate", Reviews.review("CREATE", "u", Reviews.yaml(TestValidators.BAD_WEIGHT_VS), null, false));
        Reviews.post(http, server.port(), "/validate", Reviews.review("CREATE", "u", Reviews.yaml(VALID_VS), null, false));
        String metrics = Reviews.get(http, server.port(), "/metrics").body();
        assertThat(metrics)
                .containsPattern("meshcd_admission_requests_total\\{kind=\"VirtualService\",outcome=\"denied\",webhook=\"validate\"} [1-9]")
                .containsPattern("meshcd_admission_requests_total\\{kind=\"VirtualService\",outcome=\"allowed\",webhook=\"validate\"} [1-9]")
                .containsPattern("meshcd_admission_denials_total\\{kind=\"VirtualService\",reason=\"invalid\",webhook=\"validate\"} [1-9]")
                .contains("meshcd_admission_latency_seconds_bucket{kind=\"VirtualService\",outcome=\"allowed\",webhook=\"validate\",le=\"0.005\"}");
    }

    @Test
    void onlyTls12AndNewerAndNoPlainHttp() throws Exception {
        javax.net.ssl.SSLContext ctx = Reviews.trustAll();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setEnabledProtocols(new String[]{"TLSv1.1"});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
        } catch (IllegalArgumentException unsupportedByJdk) {
            // the JDK itself refuses TLSv1.1: nothing weaker can be negotiated either
        }
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setEnabledProtocols(new String[]{"TLSv1.2"});
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        HttpClient plain = HttpClient.newHttpClient();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void untrustedClientsFailTheHandshake() {
        HttpClient other = Reviews.client(dev.meshcd.admission.tls.Certificates.newCa("other", java.time.Duration.ofDays(1)).cert());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("https://127.0.0.1:" + server.port() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path building failed");
    }

    @Test
    void rotatingTheServingCertificateDropsNoRequest() throws Exception {
        java.util.List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        byte[] body = Reviews.review("CREATE", "alice", Reviews.yaml(VALID_VS), null, false);
        java.util.List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < 3; t++) {
            boolean freshConnections = t == 0; // one worker opens a new connection (new handshake) per request
            Thread w = new Thread(() -> {
                HttpClient c = Reviews.client(certs.current().ca().cert());
                while (running.get()) {
                    try {
                        HttpClient use = freshConnections ? Reviews.client(certs.current().ca().cert()) : c;
                        HttpResponse<String> r = Reviews.post(use, server.port(), "/validate", body);
                        if (r.statusCode() != 200 || !Reviews.response(r).path("allowed").asBoolean()) {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                        done.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        java.math.BigInteger first = certs.current().serving().cert().getSerialNumber();
        for (int k = 1; k <= 6; k++) {
            int target = k * 4;
            // requests keep flowing between rotations (however slow the machine is)
            dev.meshcd.testing.Await.until(java.time.Duration.ofSeconds(60), target + " requests", () -> done.get() >= target);
            if (k < 6) {
                certs.rotate();
            }
        }
        running.set(false);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        java.security.cert.X509Certificate served = AdmissionClusterTest.servedCertificate(server.port());
        assertThat(served.getSerialNumber()).isNotEqualTo(first)
                .isEqualTo(certs.current().serving().cert().getSerialNumber());
    }
}
