package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshcd review --repo R BASE HEAD --post github --pr N} against a recording forge on 127.0.0.1. */
class ReviewPostCommandTest {
    static final String TOKEN = "ghp_reviewposttoken0123456789";

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run meshcd(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    String commit(Path repo, String message, int weight) throws Exception {
        String[] files = RunRepoClusterTest.files("shop", weight);
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(repo.resolve(files[i]), files[i + 1]);
        }
        GitServer.git(repo, "add", "-A");
        GitServer.git(repo, "commit", "-q", "-m", message);
        return GitServer.git(repo, "rev-parse", "HEAD").strip();
    }

    @Test
    void postsOnceThenEditsAndSetsTheStatusOnHead() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        GitServer.git(repo, "init", "-q", "-b", "main");
        GitServer.git(repo, "config", "user.name", "Test");
        GitServer.git(repo, "config", "user.email", "test@example.com");
        String base = commit(repo, "base", 90);
        String head1 = commit(repo, "50/50", 50);
        Path token = tmp.resolve("token");
        Files.writeString(token, TOKEN + "\n");
        try (RecordingForge forge = new RecordingForge(TOKEN)) {
            String[] post = {"--post", "github", "--pr", "7", "--forge-url", forge.base.toString(), "--forge-repo",
                    "acme/mesh", "--forge-token-file", token.toString()};
            Run first = meshcd(concat(new String[]{"review", "--repo", repo.toString(), base, head1}, post));
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.err()).contains("posted the review on github acme/mesh #7")
                    .contains("meshcd/review success on " + head1.substring(0, 12));
            assertThat(forge.comments()).hasSize(1);
            assertThat(forge.comments().values().iterator().next().getValue()).isEqualTo(first.out())
                    .startsWith("<!-- meshcd-review -->");

            String head2 = commit(repo, "60/40", 60);
            Run second = meshcd(concat(new String[]{"review", "--repo", repo.toString(), base, head2}, post));
            assertThat(second.code()).as(second.err()).isZero();
            assertThat(second.err()).contains("updated the review on github acme/mesh #7");
            assertThat(forge.comments()).hasSize(1);
            assertThat(forge.comments().values().iterator().next().getValue()).isEqualTo(second.out());
            assertThat(forge.statuses("meshcd/review")).containsExactly(head1 + " success", head2 + " success");

            Files.writeString(token, "ghp_wrong_token_value\n");
            Run refused = meshcd(concat(new String[]{"review", "--repo", repo.toString(), base, head2}, post));
            assertThat(refused.code()).isEqualTo(2);
            assertThat(refused.err()).contains("posting to github failed: github answered 401 GET "
                    + "/repos/acme/mesh/issues/7/comments").contains("Bad credentials")
                    .doesNotContain("ghp_wrong_token_value");
            assertThat(forge.comments()).hasSize(1);
        }
    }

    @Test
    void withoutATokenNothingIsReviewedOrPosted() throws Exception {
        Run r = meshcd("review", "--post", "gitlab", "--pr", "3", "--forge-repo", "17", tmp.toString(), tmp.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--post gitlab needs a token");
        assertThat(r.out()).isEmpty();
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
