package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.meshcd.sync.forge.ForgeHttp;
import dev.meshcd.sync.forge.ForgeTarget;
import dev.meshcd.sync.forge.ReviewComments;
import dev.meshcd.sync.status.HttpStatusBackend.Forge;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Posting the review comment, against recorded exchanges (src/test/resources/forge-recordings/README.md says
 * which are real GitHub recordings from @octokit/fixtures and which are derived from the forges' API docs).
 */
class ReviewCommentsTest {
    static final String NEW = "<!-- meshcd-review -->\n**meshcd review**: compiles, 0 errors, 0 warnings\n";
    static final String GH_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    static final String OCTOKIT_TOKEN = "0000000000000000000000000000000000000001";

    static ReviewComments comments(Forge forge, URI base, String project, String token) {
        return new ReviewComments(new ForgeHttp(new ForgeTarget(forge, base, project, token), null));
    }

    @Test
    void githubEditsTheMarkedCommentFoundOnTheSecondPage() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("github-review-comment-update.json"))) {
            ReviewComments.Posted p = comments(Forge.GITHUB, replay.base, "octocat/Hello-World", GH_TOKEN).post(1347, NEW);
            assertThat(replay.mismatches).isEmpty();
            assertThat(p).isEqualTo(new ReviewComments.Posted(3, false));
            assertThat(replay.served.get()).isEqualTo(3);
        }
    }

    @Test
    void githubCreatesTheCommentWhenNoneCarriesTheMarker() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("github-review-comment-create.json"))) {
            ReviewComments.Posted p = comments(Forge.GITHUB, replay.base, "octocat/Hello-World", GH_TOKEN).post(1347, NEW);
            assertThat(replay.mismatches).isEmpty();
            assertThat(p).isEqualTo(new ReviewComments.Posted(4, true));
        }
    }

    @Test
    void giteaEditsThenCreates() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("gitea-review-comment.json"))) {
            ReviewComments c = comments(Forge.GITEA, replay.base, "gitea-org/mesh-config",
                    "65eaa9c8ef52460d22a93307fe0aee76289dc675");
            assertThat(c.post(7, NEW)).isEqualTo(new ReviewComments.Posted(42, false));
            assertThat(c.post(8, NEW)).isEqualTo(new ReviewComments.Posted(43, true));
            assertThat(replay.mismatches).isEmpty();
        }
    }

    @Test
    void gitlabSkipsSystemNotesEditsCreatesAndReportsRefusals() throws IOException {
        String token = "glpat-0000000000000000000000";
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("gitlab-review-note.json"))) {
            ReviewComments c = comments(Forge.GITLAB, replay.base, "17", token);
            assertThat(c.post(1, NEW)).isEqualTo(new ReviewComments.Posted(303, false));
            assertThat(c.post(2, NEW)).isEqualTo(new ReviewComments.Posted(304, true));
            assertThatThrownBy(() -> c.post(3, NEW)).isInstanceOf(ForgeHttp.ForgeException.class)
                    .hasMessageContaining("gitlab answered 403 GET /api/v4/projects/17/merge_requests/3/notes")
                    .hasMessageContaining(": 403 Forbidden").hasMessageNotContaining(token);
            assertThat(replay.mismatches).isEmpty();
        }
    }

    @Test
    void aBodyWithoutTheMarkerGetsOneSoTheNextPostFindsIt() throws IOException {
        JsonNode rec = ForgeReplay.recording("github-review-comment-create.json");
        ((ObjectNode) rec.get(1).path("body")).put("body", ReviewComments.MARKER + "\nplain\n");
        try (ForgeReplay replay = new ForgeReplay(rec)) {
            comments(Forge.GITHUB, replay.base, "octocat/Hello-World", GH_TOKEN).post(1347, "plain\n");
            assertThat(replay.mismatches).isEmpty();
        }
    }

    /** Two clusters following one repository keep a comment each: a keyed poster leaves the plain one alone. */
    @Test
    void aKeyedPosterKeepsItsOwnComment() throws IOException {
        ArrayNode rec = ForgeReplay.JSON.createArrayNode();
        JsonNode update = ForgeReplay.recording("github-review-comment-update.json");
        rec.add(update.get(0));
        rec.add(update.get(1)); // comment 3 carries the plain marker: not this poster's
        ObjectNode create = (ObjectNode) ForgeReplay.recording("github-review-comment-create.json").get(1);
        String keyed = NEW.replace(ReviewComments.MARKER, "<!-- meshcd-review (prod-eu) -->");
        ((ObjectNode) create.path("body")).put("body", keyed);
        rec.add(create);
        try (ForgeReplay replay = new ForgeReplay(rec)) {
            ReviewComments c = new ReviewComments(new ForgeHttp(new ForgeTarget(Forge.GITHUB, replay.base,
                    "octocat/Hello-World", GH_TOKEN), null), "prod-eu");
            assertThat(c.post(1347, NEW).created()).isTrue();
            assertThat(replay.mismatches).isEmpty();
        }
        assertThatThrownBy(() -> new ReviewComments(null, "x --> <script>")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBodyOverTheForgeLimitIsRefusedBeforeAnyRequest() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.JSON.createArrayNode())) {
            assertThatThrownBy(() -> comments(Forge.GITHUB, replay.base, "octocat/Hello-World", GH_TOKEN)
                    .post(1347, NEW + "x".repeat(ReviewComments.MAX_BODY_CHARS))).hasMessageContaining("65536");
            assertThat(replay.served.get()).isZero();
            assertThat(replay.mismatches).isEmpty();
        }
    }

    /** The real recording of a paged list: GitHub's next links lead to /repositories/ID/..., followed to the end. */
    @Test
    void realGithubPagingIsFollowedThroughTheLinkHeader() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("github-paginate-issues.json"))) {
            ForgeHttp http = new ForgeHttp(new ForgeTarget(Forge.GITHUB, replay.base,
                    "octokit-fixture-org/paginate-issues", OCTOKIT_TOKEN), null);
            List<JsonNode> issues = http.list("/repos/octokit-fixture-org/paginate-issues/issues?per_page=3", "issues");
            assertThat(replay.mismatches).isEmpty();
            assertThat(replay.served.get()).isEqualTo(5);
            assertThat(issues).hasSize(13).extracting(i -> i.path("number").asInt()).doesNotHaveDuplicates();
        }
    }

    /** The real recording of a refusal: the status and GitHub's own message, field by field. */
    @Test
    void realGithubErrorSaysStatusAndMessage() throws IOException {
        try (ForgeReplay replay = new ForgeReplay(ForgeReplay.recording("github-errors.json"))) {
            ForgeHttp http = new ForgeHttp(new ForgeTarget(Forge.GITHUB, replay.base, "octokit-fixture-org/errors",
                    OCTOKIT_TOKEN), null);
            ObjectNode label = ForgeReplay.JSON.createObjectNode().put("name", "foo").put("color", "invalid");
            assertThatThrownBy(() -> http.send("POST", "/repos/octokit-fixture-org/errors/labels", label, "creating a label"))
                    .isInstanceOfSatisfying(ForgeHttp.ForgeException.class, e -> assertThat(e.status()).isEqualTo(422))
                    .hasMessage("github answered 422 POST /repos/octokit-fixture-org/errors/labels (creating a label): "
                            + "Validation Failed; color invalid");
            assertThat(replay.mismatches).isEmpty();
        }
    }

    @Test
    void aForgeEchoingTheTokenDoesNotPutItInTheError() throws IOException {
        ArrayNode rec = ForgeReplay.JSON.createArrayNode();
        rec.addObject().put("method", "get").put("path", "/repos/o/r/issues/1/comments?per_page=100").put("status", 401)
                .putObject("response").put("message", "Bad credentials: token " + GH_TOKEN);
        try (ForgeReplay replay = new ForgeReplay(rec)) {
            assertThatThrownBy(() -> comments(Forge.GITHUB, replay.base, "o/r", GH_TOKEN).post(1, NEW))
                    .hasMessageContaining("401").hasMessageContaining("Bad credentials: token ***")
                    .hasMessageNotContaining(GH_TOKEN);
        }
    }

    @Test
    void aNextLinkToAnotherServerIsNotFollowedWithTheToken() throws IOException {
        ArrayNode rec = ForgeReplay.JSON.createArrayNode();
        ObjectNode page = rec.addObject().put("method", "get").put("path", "/repos/o/r/issues/1/comments?per_page=100")
                .put("status", 200);
        page.putArray("response");
        page.putObject("headers").put("link", "<https://attacker.example/steal?page=2>; rel=\"next\"");
        try (ForgeReplay replay = new ForgeReplay(rec)) {
            assertThatThrownBy(() -> comments(Forge.GITHUB, replay.base, "o/r", GH_TOKEN).post(1, NEW))
                    .hasMessageContaining("another server (https://attacker.example)");
            assertThat(replay.served.get()).isEqualTo(1);
        }
    }

    @Test
    void anAnswerPastTheBoundIsNotRead() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i <= ForgeHttp.MAX_RESPONSE_BYTES >> 20; i++) {
                    out.write(chunk);
                }
            } catch (IOException closed) {
                // the client stopped reading: what the test wants
            }
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            assertThatThrownBy(() -> comments(Forge.GITEA, base, "o/r", "t0ken").post(1, NEW))
                    .hasMessageContaining("answer larger than 16 MiB");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void targetsRefuseWhatCannotBeSentSafely() {
        URI api = URI.create("https://api.github.com");
        assertThatThrownBy(() -> new ForgeTarget(Forge.GITHUB, URI.create("file:///etc"), "o/r", "t"))
                .hasMessageContaining("http(s)");
        assertThatThrownBy(() -> new ForgeTarget(Forge.GITHUB, URI.create("https://user:pw@github.example"), "o/r", "t"))
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> new ForgeTarget(Forge.GITHUB, api, "o/../admin", "t")).hasMessageContaining("OWNER/REPO");
        assertThatThrownBy(() -> new ForgeTarget(Forge.GITHUB, api, "o/r", "a\r\nX-Evil: 1")).hasMessageNotContaining("Evil");
        assertThatThrownBy(() -> new ForgeTarget(Forge.GITHUB, api, "o/r", " ")).hasMessageContaining("token");
        assertThat(new ForgeTarget(Forge.GITHUB, api, "o/r", "s3cret").toString()).doesNotContain("s3cret");
    }
}
