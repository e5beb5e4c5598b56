package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.sync.forge.ForgeTarget;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where {@code meshcd review --post} posts: the forge, server, project and token, from options, CI env and origin. */
class ReviewPostOptionsTest {
    @TempDir
    Path tmp;

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static ReviewPostOptions options(String post, Long pr, String url, String repo) {
        ReviewPostOptions o = new ReviewPostOptions();
        o.post = post;
        o.pr = pr;
        o.forgeUrl = url == null ? null : URI.create(url);
        o.forgeRepo = repo;
        return o;
    }

    static Stream<Arguments> resolved() {
        return Stream.of(
                // post, url, repo, env, origin remote, expected "forge base project"
                Arguments.of("github", null, null, env("GITHUB_TOKEN", "t", "GITHUB_REPOSITORY", "acme/mesh"), null,
                        "github https://api.github.com acme/mesh"),
                Arguments.of("github", null, null, env("MESHCD_FORGE_TOKEN", "t", "GITHUB_API_URL",
                        "https://ghe.example.com/api/v3"), "git@ghe.example.com:acme/mesh.git",
                        "github https://ghe.example.com/api/v3 acme/mesh"),
                Arguments.of("gitlab", null, null, env("MESHCD_FORGE_TOKEN", "t", "CI_SERVER_URL",
                        "https://gitlab.example.com", "CI_PROJECT_ID", "17"), null, "gitlab https://gitlab.example.com 17"),
                Arguments.of("gitlab", null, null, env("MESHCD_FORGE_TOKEN", "t"), "https://gitlab.com/group/sub/mesh.git",
                        "gitlab https://gitlab.com group/sub/mesh"),
                Arguments.of("gitea", null, null, env("MESHCD_FORGE_TOKEN", "t"), "https://gitea.example.com/org/mesh.git",
                        "gitea https://gitea.example.com org/mesh"),
                Arguments.of("GitHub", "https://api.github.com/", "o/r", env("MESHCD_FORGE_TOKEN", "t"), null,
                        "github https://api.github.com o/r"));
    }

    @ParameterizedTest(name = "{0} {3}")
    @MethodSource("resolved")
    void resolvesTheTarget(String post, String url, String repo, Map<String, String> env, String origin, String expected)
            throws Exception {
        Path dir = null;
        if (origin != null) {
            dir = tmp.resolve("repo");
            org.eclipse.jgit.api.Git.init().setDirectory(dir.toFile()).call().close();
            Files.writeString(dir.resolve(".git/config"), "[remote \"origin\"]\n\turl = " + origin + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        }
        ForgeTarget t = options(post, 5L, url, repo).target(dir, env);
        assertThat(t.toString()).isEqualTo(expected);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("bitbucket", 5L, null, "o/r", env("MESHCD_FORGE_TOKEN", "t"), "github, gitea or gitlab"),
                Arguments.of("github", null, null, "o/r", env("MESHCD_FORGE_TOKEN", "t"), "--pr N"),
                Arguments.of("github", 0L, null, "o/r", env("MESHCD_FORGE_TOKEN", "t"), "--pr N"),
                Arguments.of("gitlab", 5L, null, "o/r", env("GITHUB_TOKEN", "t"), "needs a token"),
                Arguments.of("gitea", 5L, null, "o/r", env("MESHCD_FORGE_TOKEN", "t"), "--forge-url"),
                Arguments.of("github", 5L, null, null, env("MESHCD_FORGE_TOKEN", "t"), "--forge-repo"),
                Arguments.of("github", 5L, "ftp://x.example", "o/r", env("MESHCD_FORGE_TOKEN", "t"), "http(s)"));
    }

    @ParameterizedTest(name = "{0} pr={1} -> {5}")
    @MethodSource("refused")
    void refusesWhatCannotBePosted(String post, Long pr, String url, String repo, Map<String, String> env,
                                   String message) {
        assertThatThrownBy(() -> options(post, pr, url, repo).target(null, env))
                .isInstanceOf(MeshLoading.UsageException.class).hasMessageContaining(message);
    }

    @Test
    void tokenFileWinsAndIsNeverInTheTarget() throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, "file-token-value\n");
        ReviewPostOptions o = options("github", 5L, null, "o/r");
        o.tokenFile = file;
        ForgeTarget t = o.target(null, env("MESHCD_FORGE_TOKEN", "env-token-value"));
        assertThat(t.scrub("x file-token-value y")).isEqualTo("x *** y");
        assertThat(t.toString()).doesNotContain("token-value");
    }
}
