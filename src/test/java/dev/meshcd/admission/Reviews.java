package dev.meshcd.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds AdmissionReview bodies and talks to the webhook server over real HTTPS. */
public final class Reviews {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Reviews() {
    }

    public static ObjectNode yaml(String yaml) {
        try {
            return (ObjectNode) new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An admission.k8s.io/v1 AdmissionReview for {@code object} (or {@code oldObject} on DELETE). */
    public static byte[] review(String operation, String user, ObjectNode object, ObjectNode oldObject, boolean dryRun) {
        ObjectNode subject = object != null ? object : oldObject;
        String apiVersion = subject.path("apiVersion").asText();
        int slash = apiVersion.indexOf('/');
        ObjectNode root = JSON.createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode req = root.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        ObjectNode kind = req.putObject("kind");
        kind.put("group", slash < 0 ? "" : apiVersion.substring(0, slash));
        kind.put("version", slash < 0 ? apiVersion : apiVersion.substring(slash + 1));
        kind.put("kind", subject.path("kind").asText());
        req.putObject("resource").put("resource", subject.path("kind").asText().toLowerCase() + "s");
        req.put("namespace", subject.path("metadata").path("namespace").asText("default"));
        req.put("name", subject.path("metadata").path("name").asText(""));
        req.put("operation", operation);
        req.putObject("userInfo").put("username", user).putArray("groups").add("system:authenticated");
        if (object != null) {
            req.set("object", object);
        }
        if (oldObject != null) {
            req.set("oldObject", oldObject);
        }
        req.put("dryRun", dryRun);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTP client that trusts only {@code ca}. */
    public static HttpClient client(X509Certificate ca) {
        return HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(30))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A TLS context that trusts only {@code ca}. */
    public static SSLContext trusting(X509Certificate ca) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> post(HttpClient client, int port, String path, byte[] body) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> get(HttpClient client, int port, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode response(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body()).path("response");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An SSL context that accepts any server certificate: for tests that inspect what the server presents. */
    public static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) { }

                public void checkServerTrusted(X509Certificate[] c, String a) { }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
