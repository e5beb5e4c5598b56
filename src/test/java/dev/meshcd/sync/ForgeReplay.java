package dev.meshcd.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support: serves recorded forge exchanges (src/test/resources/forge-recordings, in the format of
 * {@code @octokit/fixtures}) in order on 127.0.0.1. A request gets the recorded answer only when its method, path
 * with query, the recorded request headers (but host and content-length) and its JSON body match; otherwise 599
 * with the mismatch, which is also kept in {@link #mismatches}. Recorded {@code link} headers are replayed with the
 * recorded origin ({@code https://api.github.com}) replaced by this server's, as the forge would name itself.
 */
final class ForgeReplay implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final List<String> mismatches = new ArrayList<>();
    final AtomicInteger served = new AtomicInteger();
    private final HttpServer server;
    final URI base;

    static JsonNode recording(String name) throws IOException {
        try (InputStream in = ForgeReplay.class.getResourceAsStream("/forge-recordings/" + name)) {
            if (in == null) {
                throw new IOException("no recording " + name);
            }
            return JSON.readTree(in);
        }
    }

    ForgeReplay(JsonNode exchanges) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        AtomicInteger next = new AtomicInteger();
        server.createContext("/", ex -> {
            JsonNode rec = exchanges.get(next.getAndIncrement());
            List<String> problems = new ArrayList<>();
            byte[] body = ex.getRequestBody().readAllBytes();
            String uri = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            if (rec == null) {
                problems.add("unexpected request " + ex.getRequestMethod() + " " + uri);
            } else {
                if (!ex.getRequestMethod().equalsIgnoreCase(rec.path("method").asText())) {
                    problems.add("method " + ex.getRequestMethod() + " != " + rec.path("method").asText());
                }
                if (!uri.equals(rec.path("path").asText())) {
                    problems.add("path " + uri + " != " + rec.path("path").asText());
                }
                Iterator<Map.Entry<String, JsonNode>> h = rec.path("reqheaders").fields();
                while (h.hasNext()) {
                    Map.Entry<String, JsonNode> e = h.next();
                    if (e.getKey().equals("host") || e.getKey().equals("content-length")) {
                        continue; // the replay server is not the forge; bodies are compared as JSON below
                    }
                    String actual = ex.getRequestHeaders().getFirst(e.getKey());
                    if (!e.getValue().asText().equals(actual)) {
                        problems.add("header " + e.getKey() + ": " + actual + " != " + e.getValue().asText());
                    }
                }
                JsonNode recorded = rec.path("body");
                boolean noBody = recorded.isMissingNode() || (recorded.isTextual() && recorded.asText().isEmpty());
                if (noBody ? body.length != 0 : !recorded.equals(JSON.readTree(new String(body, StandardCharsets.UTF_8)))) {
                    problems.add("body " + new String(body, StandardCharsets.UTF_8) + " != " + recorded);
                }
            }
            byte[] out;
            int status;
            if (problems.isEmpty()) {
                served.incrementAndGet();
                status = rec.path("status").asInt();
                JsonNode link = rec.path("headers").path("link");
                if (link.isTextual()) {
                    ex.getResponseHeaders().add("Link", link.asText().replace("https://api.github.com", base.toString()));
                }
                out = rec.path("response").isTextual() && rec.path("response").asText().isEmpty() ? new byte[0]
                        : JSON.writeValueAsBytes(rec.path("response"));
            } else {
                synchronized (mismatches) {
                    mismatches.addAll(problems);
                }
                status = 599;
                out = String.join("\n", problems).getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
