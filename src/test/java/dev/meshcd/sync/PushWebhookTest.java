package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.sync.webhook.PushWebhook;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PushWebhookTest {
    static final String SECRET = "It's a Secret to Everybody";
    static final String MAIN_PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"0123abcd\"}";
    static final String OTHER_PUSH = "{\"ref\":\"refs/heads/feature\",\"after\":\"0123abcd\"}";

    static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, String> h(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Stream<Arguments> cases() throws Exception {
        String good = hmac(SECRET, MAIN_PUSH);
        String bad = hmac("wrong", MAIN_PUSH);
        return Stream.of(
                // name, path, headers, body, expected status, triggered
                Arguments.of("github push to main", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=" + good, "X-GitHub-Event", "push"), MAIN_PUSH, 202, true),
                Arguments.of("github header names are case-insensitive", "/hooks/github",
                        h("x-hub-signature-256", "sha256=" + good, "x-github-event", "push"), MAIN_PUSH, 202, true),
                Arguments.of("github bad signature", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=" + bad, "X-GitHub-Event", "push"), MAIN_PUSH, 401, false),
                Arguments.of("github missing signature", "/hooks/github", h("X-GitHub-Event", "push"), MAIN_PUSH, 401, false),
                Arguments.of("github signature without prefix", "/hooks/github",
                        h("X-Hub-Signature-256", good, "X-GitHub-Event", "push"), MAIN_PUSH, 401, false),
                Arguments.of("github non-hex signature", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=zz", "X-GitHub-Event", "push"), MAIN_PUSH, 401, false),
                Arguments.of("github body tampered", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=" + good, "X-GitHub-Event", "push"), OTHER_PUSH, 401, false),
                Arguments.of("github ping", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=" + good, "X-GitHub-Event", "ping"), MAIN_PUSH, 200, false),
                Arguments.of("github push to another branch", "/hooks/github",
                        h("X-Hub-Signature-256", "sha256=" + hmac(SECRET, OTHER_PUSH), "X-GitHub-Event", "push"),
                        OTHER_PUSH, 200, false),
                Arguments.of("gitea push to main", "/hooks/gitea",
                        h("X-Gitea-Signature", good, "X-Gitea-Event", "push"), MAIN_PUSH, 202, true),
                Arguments.of("forgejo header", "/hooks/gitea",
                        h("X-Forgejo-Signature", good, "X-Forgejo-Event", "push"), MAIN_PUSH, 202, true),
                Arguments.of("gitea bad signature", "/hooks/gitea",
                        h("X-Gitea-Signature", bad, "X-Gitea-Event", "push"), MAIN_PUSH, 401, false),
                Arguments.of("gitlab push to main", "/hooks/gitlab",
                        h("X-Gitlab-Token", SECRET, "X-Gitlab-Event", "Push Hook"), MAIN_PUSH, 202, true),
                Arguments.of("gitlab wrong token", "/hooks/gitlab",
                        h("X-Gitlab-Token", SECRET + "x", "X-Gitlab-Event", "Push Hook"), MAIN_PUSH, 401, false),
                Arguments.of("gitlab tag push ignored", "/hooks/gitlab",
                        h("X-Gitlab-Token", SECRET, "X-Gitlab-Event", "Tag Push Hook"), MAIN_PUSH, 200, false),
                Arguments.of("signed garbage body", "/hooks/gitea",
                        h("X-Gitea-Signature", hmac(SECRET, "{not json"), "X-Gitea-Event", "push"), "{not json", 400, false),
                Arguments.of("unknown path", "/hooks/bitbucket", h(), MAIN_PUSH, 404, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verifiesAndTriggers(String name, String path, Map<String, String> headers, String body, int status,
                             boolean triggered) {
        AtomicInteger triggers = new AtomicInteger();
        PushWebhook hook = new PushWebhook(SECRET, "main", triggers::incrementAndGet);
        assertThat(hook.handle("POST", path, headers, body.getBytes(StandardCharsets.UTF_8))).isEqualTo(status);
        assertThat(triggers.get()).isEqualTo(triggered ? 1 : 0);
    }

    @Test
    void onlyPost() {
        PushWebhook hook = new PushWebhook(SECRET, "main", () -> { });
        assertThat(hook.handle("GET", "/hooks/github", Map.of(), new byte[0])).isEqualTo(405);
    }

    @Test
    void githubDocumentedExample() throws Exception {
        // The test vector from GitHub's "Validating webhook deliveries" documentation.
        PushWebhook hook = new PushWebhook(SECRET, "main", () -> { });
        assertThat(HexFormat.of().formatHex(hook.hmac("Hello, World!".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    }

    @Test
    void rejectionIsLoggedWithoutTheSecretOrSignature() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        String sent = hmac("wrong", MAIN_PUSH);
        try {
            PushWebhook hook = new PushWebhook(SECRET, "main", () -> { });
            assertThat(hook.handle("POST", "/hooks/gitlab", h("X-Gitlab-Token", SECRET + "!"),
                    MAIN_PUSH.getBytes(StandardCharsets.UTF_8))).isEqualTo(401);
            assertThat(hook.handle("POST", "/hooks/github", h("X-Hub-Signature-256", "sha256=" + sent),
                    MAIN_PUSH.getBytes(StandardCharsets.UTF_8))).isEqualTo(401);
        } finally {
            System.setErr(original);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("rejected").doesNotContain(SECRET).doesNotContain(sent)
                .doesNotContain(hmac(SECRET, MAIN_PUSH));
    }
}
