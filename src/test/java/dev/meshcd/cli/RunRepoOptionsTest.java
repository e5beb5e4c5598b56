package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code meshcd run --repo} option handling: durations, forge projects from URLs, usage errors (exit 2). */
class RunRepoOptionsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "2s, PT2S", "5m, PT5M", "1h, PT1H", "30, PT30S", "PT2S, PT2S", "pt1m, PT1M"})
    void durations(String text, String iso) {
        assertThat(SyncWiring.parseDuration(text)).isEqualTo(Duration.parse(iso));
    }

    @Test
    void badDurationIsAUsageError() {
        assertThatThrownBy(() -> SyncWiring.parseDuration("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("not a duration");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "https://github.com/acme/mesh-config.git,  false, acme/mesh-config",
            "https://github.com/acme/mesh-config/,     false, acme/mesh-config",
            "git@github.com:acme/mesh-config.git,      false, acme/mesh-config",
            "ssh://git@git.example.com:2222/acme/mesh, false, acme/mesh",
            "https://gitlab.com/platform/mesh/prod.git, true, platform/mesh/prod",
            "https://gitlab.com/platform/mesh/prod.git, false, mesh/prod",
            "git://127.0.0.1:9418/mesh.git,            false, -",
            "/srv/git/mesh,                            false, -",
            "file:///srv/git/acme/mesh,                false, -"})
    void forgeProjectFromRepoUrl(String url, boolean wholePath, String project) {
        assertThat(SyncArgs.projectOf(url, wholePath)).isEqualTo(project);
    }

    /** A kubeconfig for an API server that is not there (port 1): commands must stop before needing it. */
    static Path unreachableKubeconfig(Path dir) throws java.io.IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """);
        return kubeconfig;
    }

    /** {@code meshcd run ARGS} that must stop before serving. */
    CliTest.Run run(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", "--kubeconfig", unreachableKubeconfig(tmp).toString(),
                "--port", "0", "--repo", tmp.resolve("repo").toString(), "--cache-dir", tmp.resolve("cache").toString()));
        all.addAll(List.of(args));
        return CliTest.run(all.toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--status bogus                                | --status must be notes, github, gitea, gitlab or none",
            "--status github                               | --status github needs --status-token-file",
            "--name Not_A_Label                            | --name: sync name must be a DNS label",
            "--interval 0s                                 | --interval must be positive",
            "--git-ssh-key /nonexistent/id_ed25519         | --git-ssh-key /nonexistent/id_ed25519: not readable",
            "--webhook-secret-file /nonexistent/secret     | cannot read --webhook-secret-file",
            "--require-signed-by /nonexistent/keys.asc     | --require-signed-by: ",
            "--pr-reviews -1                               | --pr-reviews must be 0 or more",
            "--pr-review-queue 0                           | --pr-review-queue must be 1 or more"})
    void usageErrorsStopBeforeServing(String args, String message) throws Exception {
        CliTest.Run o = run(args.strip().split(" +"));
        assertThat(o.exit()).as(o.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd run: " + message);
    }

    @Test
    void forgeStatusesNeedAServerWhenTheRepoUrlHasNone() throws Exception {
        Path token = tmp.resolve("token");
        Files.writeString(token, "ghp_abcdef0123456789\n");
        CliTest.Run o = run("--status", "gitea", "--status-token-file", token.toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("--status gitea needs --status-url").doesNotContain("ghp_abcdef0123456789");
    }

    @Test
    void aKeyringWithoutPublicKeysIsAUsageError() throws Exception {
        Path keys = tmp.resolve("keys.asc");
        Files.writeString(keys, "not a keyring\n");
        CliTest.Run o = run("--require-signed-by", keys.toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd run: --require-signed-by: ").contains(keys.toString());
    }

    @Test
    void repoNeedsACluster() throws Exception {
        CliTest.Run o = run("--no-cluster");
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("--repo needs a cluster");
    }
}
