package dev.meshcd.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: the part of GitHub's REST API meshcd posts reviews through, on 127.0.0.1, keeping what it is sent:
 * issue comments (list, create, edit) and commit statuses, with the answers shaped as in the recordings
 * (src/test/resources/forge-recordings). Requests without {@code Authorization: token TOKEN} get 401.
 */
final class RecordingForge implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COMMENTS = Pattern.compile("/repos/([^/]+/[^/]+)/issues/(\\d+)/comments");
    private static final Pattern COMMENT = Pattern.compile("/repos/([^/]+/[^/]+)/issues/comments/(\\d+)");
    private static final Pattern STATUS = Pattern.compile("/repos/([^/]+/[^/]+)/statuses/([0-9a-f]{40})");

    /** One request: method, path and query, body. */
    record Request(String method, String uri, JsonNode body) {
    }

    final URI base;
    private final HttpServer server;
    private final String token;
    final List<Request> requests = new ArrayList<>();
    /** Comment id → (issue number, body). */
    final Map<Long, Map.Entry<Long, String>> comments = new LinkedHashMap<>();
    final List<JsonNode> statuses = new ArrayList<>();
    private long nextId = 100;

    RecordingForge(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        server.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            JsonNode body = in.length == 0 ? null : JSON.readTree(in);
            int status;
            JsonNode out;
            synchronized (this) {
                requests.add(new Request(ex.getRequestMethod(), path + (query == null ? "" : "?" + query), body));
                if (!("token " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                    out = JSON.createObjectNode().put("message", "Bad credentials");
                } else {
                    Matcher list = COMMENTS.matcher(path);
                    Matcher one = COMMENT.matcher(path);
                    Matcher st = STATUS.matcher(path);
                    if (list.matches() && ex.getRequestMethod().equals("GET")) {
                        long issue = Long.parseLong(list.group(2));
                        ArrayNode a = JSON.createArrayNode();
                        comments.forEach((id, c) -> {
                            if (c.getKey() == issue) {
                                a.add(comment(id, c.getValue()));
                            }
                        });
                        status = 200;
                        out = a;
                    } else if (list.matches() && ex.getRequestMethod().equals("POST")) {
                        long id = nextId++;
                        comments.put(id, Map.entry(Long.parseLong(list.group(2)), body.path("body").asText()));
                        status = 201;
                        out = comment(id, body.path("body").asText());
                    } else if (one.matches() && ex.getRequestMethod().equals("PATCH")
                            && comments.containsKey(Long.parseLong(one.group(2)))) {
                        long id = Long.parseLong(one.group(2));
                        comments.put(id, Map.entry(comments.get(id).getKey(), body.path("body").asText()));
                        status = 200;
                        out = comment(id, body.path("body").asText());
                    } else if (st.matches() && ex.getRequestMethod().equals("POST")) {
                        ObjectNode s = ((ObjectNode) body.deepCopy()).put("sha", st.group(2));
                        statuses.add(s);
                        status = 201;
                        out = s;
                    } else {
                        status = 404;
                        out = JSON.createObjectNode().put("message", "Not Found");
                    }
                }
            }
            byte[] bytes = JSON.writeValueAsBytes(out);
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    private static ObjectNode comment(long id, String body) {
        ObjectNode c = JSON.createObjectNode().put("id", id).put("body", body);
        c.putObject("user").put("login", "meshcd-bot");
        return c;
    }

    synchronized List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.uri().startsWith(pathPrefix)).toList();
    }

    /** The statuses posted with this context, as "sha state". */
    synchronized List<String> statuses(String context) {
        return statuses.stream().filter(s -> s.path("context").asText().equals(context))
                .map(s -> s.path("sha").asText() + " " + s.path("state").asText()).toList();
    }

    synchronized Map<Long, Map.Entry<Long, String>> comments() {
        return new LinkedHashMap<>(comments);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
