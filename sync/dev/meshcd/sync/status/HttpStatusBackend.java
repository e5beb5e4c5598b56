package dev.meshcd.sync.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Commit statuses through a forge's REST API with java.net.http and a token:
 * <ul>
 *   <li>GitHub: {@code POST {api}/repos/{owner}/{repo}/statuses/{sha}}, {@code Authorization: token T},
 *       states pending/success/failure/error</li>
 *   <li>Gitea/Forgejo: {@code POST {base}/api/v1/repos/{owner}/{repo}/statuses/{sha}}, same body and states</li>
 *   <li>GitLab: {@code POST {base}/api/v4/projects/{id}/statuses/{sha}}, {@code PRIVATE-TOKEN: T}, body
 *       {@code name} instead of {@code context}, states pending/running/success/failed (error → failed)</li>
 * </ul>
 * The token is sent in a header only and appears in no message.
 */
public final class HttpStatusBackend implements StatusBackend {
    public enum Forge { GITHUB, GITEA, GITLAB }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Forge forge;
    private final URI base;
    private final String project;
    private final String token;
    private final HttpClient http;

    /**
     * @param base    GitHub: the API root ({@code https://api.github.com}); Gitea and GitLab: the server root
     * @param project {@code owner/repo} (GitLab: the path or numeric id)
     */
    public HttpStatusBackend(Forge forge, URI base, String project, String token, HttpClient http) {
        this.forge = forge;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.project = project;
        this.token = token;
        this.http = http == null ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build() : http;
    }

    HttpRequest request(CommitStatus s) {
        ObjectNode body = JSON.createObjectNode();
        String path;
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(20));
        switch (forge) {
            case GITHUB, GITEA -> {
                body.put("state", s.state().name().toLowerCase(Locale.ROOT));
                if (s.targetUrl() != null) {
                    body.put("target_url", s.targetUrl());
                }
                body.put("description", s.description());
                body.put("context", s.context());
                path = (forge == Forge.GITHUB ? "" : "/api/v1") + "/repos/" + project + "/statuses/" + s.sha();
                b.header("Accept", forge == Forge.GITHUB ? "application/vnd.github.v3+json" : "application/json");
                b.header("Authorization", "token " + token);
            }
            case GITLAB -> {
                body.put("state", switch (s.state()) {
                    case PENDING -> "pending";
                    case SUCCESS -> "success";
                    case FAILURE, ERROR -> "failed";
                });
                body.put("name", s.context());
                if (s.targetUrl() != null) {
                    body.put("target_url", s.targetUrl());
                }
                body.put("description", s.description());
                path = "/api/v4/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/statuses/" + s.sha();
                b.header("Accept", "application/json");
                b.header("PRIVATE-TOKEN", token);
            }
            default -> throw new IllegalStateException();
        }
        return b.uri(URI.create(base + path))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
    }

    @Override
    public void publish(CommitStatus status) throws IOException {
        HttpRequest req = request(status);
        HttpResponse<java.io.InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted posting status " + status.context());
        }
        // Only the start of an answer is ever shown; the rest is not read (a status answer is about 1.5 KiB).
        byte[] head;
        try (java.io.InputStream in = resp.body()) {
            head = in.readNBytes(4096);
        }
        if (resp.statusCode() / 100 != 2) {
            String text = new String(head, StandardCharsets.UTF_8);
            text = text.length() > 300 ? text.substring(0, 300) : text;
            if (token != null && !token.isEmpty()) {
                text = text.replace(token, "***");
            }
            throw new IOException(forge.name().toLowerCase(Locale.ROOT) + " status API answered " + resp.statusCode()
                    + " for " + status.context() + " on " + status.sha() + ": " + text);
        }
    }
}
