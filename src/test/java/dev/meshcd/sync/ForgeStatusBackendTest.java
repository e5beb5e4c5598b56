package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.status.HttpStatusBackend;
import dev.meshcd.sync.status.HttpStatusBackend.Forge;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP status backends against recorded exchanges (see src/test/resources/forge-recordings/README.md:
 * GitHub's are real recordings from @octokit/fixtures; Gitea's and GitLab's are derived from their API
 * documentation). A replay server on 127.0.0.1 serves the recorded response only when method, path,
 * the recorded request headers and the JSON body all match; otherwise it answers 599 with the mismatch.
 */
class ForgeStatusBackendTest {
    static final ObjectMapper JSON = new ObjectMapper();

    HttpServer server;
    final List<String> mismatches = new ArrayList<>();
    final AtomicInteger served = new AtomicInteger();

    static JsonNode recording(String name) throws IOException {
        try (InputStream in = ForgeStatusBackendTest.class.getResourceAsStream("/forge-recordings/" + name)) {
            return JSON.readTree(in);
        }
    }

    URI replay(JsonNode exchanges) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger next = new AtomicInteger();
        server.createContext("/", ex -> {
            JsonNode rec = exchanges.get(next.getAndIncrement());
            List<String> problems = new ArrayList<>();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (rec == null) {
                problems.add("unexpected request " + ex.getRequestURI());
            } else {
                if (!ex.getRequestMethod().equalsIgnoreCase(rec.path("method").asText())) {
                    problems.add("method " + ex.getRequestMethod());
                }
                if (!ex.getRequestURI().getRawPath().equals(rec.path("path").asText())) {
                    problems.add("path " + ex.getRequestURI().getRawPath() + " != " + rec.path("path").asText());
                }
                Iterator<Map.Entry<String, JsonNode>> h = rec.path("reqheaders").fields();
                while (h.hasNext()) {
                    Map.Entry<String, JsonNode> e = h.next();
                    if (e.getKey().equals("host")) {
                        continue; // the replay server is not api.github.com
                    }
                    String actual = ex.getRequestHeaders().getFirst(e.getKey());
                    if (!e.getValue().asText().equals(actual)) {
                        problems.add("header " + e.getKey() + ": " + actual + " != " + e.getValue().asText());
                    }
                }
                JsonNode sent = JSON.readTree(new String(body, StandardCharsets.UTF_8));
                if (!rec.path("body").equals(sent)) {
                    problems.add("body " + sent + " != " + rec.path("body"));
                }
            }
            byte[] out;
            int status;
            if (problems.isEmpty()) {
                served.incrementAndGet();
                status = rec.path("status").asInt();
                out = JSON.writeValueAsBytes(rec.path("response"));
            } else {
                mismatches.addAll(problems);
                status = 599;
                out = String.join("\n", problems).getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void githubRecordedCreateStatus() throws IOException {
        JsonNode rec = recording("github-create-status.json");
        URI base = replay(rec);
        String token = rec.get(0).path("reqheaders").path("authorization").asText().substring("token ".length());
        HttpStatusBackend backend = new HttpStatusBackend(Forge.GITHUB, base, "octokit-fixture-org/create-status",
                token, null);
        String sha = "0000000000000000000000000000000000000001";
        backend.publish(new CommitStatus(sha, "example/1", State.FAILURE, "create-status failure test", "https://example.com"));
        backend.publish(new CommitStatus(sha, "example/2", State.SUCCESS, "create-status success test", "https://example.com"));
        assertThat(mismatches).isEmpty();
        assertThat(served.get()).isEqualTo(2);
    }

    @Test
    void giteaDocDerivedCreateStatus() throws IOException {
        JsonNode rec = recording("gitea-create-status.json");
        HttpStatusBackend backend = new HttpStatusBackend(Forge.GITEA, replay(rec), "gitea-org/mesh-config",
                "65eaa9c8ef52460d22a93307fe0aee76289dc675", null);
        backend.publish(new CommitStatus("5f8c0a7e2e6b1c4d9a3b7e1f0c2d4e6a8b9c1d3e",
                CommitStatus.context(CommitStatus.SYNC, "prod-eu"), State.SUCCESS, "applied 12, pruned 1, unchanged 40",
                "https://meshcd.example.com/syncs/prod"));
        assertThat(mismatches).isEmpty();
        assertThat(served.get()).isEqualTo(1);
    }

    @Test
    void gitlabDocDerivedCreateStatusMapsStateNames() throws IOException {
        JsonNode rec = recording("gitlab-create-status.json");
        HttpStatusBackend backend = new HttpStatusBackend(Forge.GITLAB, replay(rec), "17",
                "glpat-0000000000000000000000", null);
        backend.publish(new CommitStatus("18f3e63d05582537db6d183d9d557be09e1f90c8", CommitStatus.COMPILE,
                State.FAILURE, "1 error: mesh/cart.yaml:4: MCD0001 bad YAML", "https://meshcd.example.com/syncs/prod"));
        assertThat(mismatches).isEmpty();
        assertThat(served.get()).isEqualTo(1);
    }

    @Test
    void nonSuccessAnswerIsAnErrorWithoutTheToken() throws IOException {
        JsonNode rec = recording("github-create-status.json");
        URI base = replay(rec);
        HttpStatusBackend backend = new HttpStatusBackend(Forge.GITHUB, base, "octokit-fixture-org/create-status",
                "wrong-token-value", null);
        assertThatThrownBy(() -> backend.publish(new CommitStatus("0000000000000000000000000000000000000001",
                "example/1", State.FAILURE, "create-status failure test", "https://example.com")))
                .isInstanceOf(IOException.class).hasMessageContaining("599").hasMessageNotContaining("wrong-token-value");
    }

    @Test
    void contextsAndDescriptionLimit() {
        assertThat(CommitStatus.context(CommitStatus.SYNC, "prod-eu")).isEqualTo("meshcd/sync (prod-eu)");
        assertThat(CommitStatus.context(CommitStatus.DRIFT, null)).isEqualTo("meshcd/drift");
        CommitStatus s = new CommitStatus("a", "c", State.PENDING, "x".repeat(500), null);
        assertThat(s.description()).hasSize(CommitStatus.MAX_DESCRIPTION).endsWith("…");
    }
}
