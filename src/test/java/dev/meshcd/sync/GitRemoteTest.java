package dev.meshcd.sync;

import static dev.meshcd.sync.MeshDocs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.GitException;
import dev.meshcd.sync.git.GitRemote;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitRemote and GitTreeSource against a real git daemon, local paths and the OpenSSH transport. */
class GitRemoteTest {

    @TempDir
    Path tmp;
    GitServer server;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        server = new GitServer(tmp.resolve("srv"));
        work = server.createRepo("mesh", tmp.resolve("work"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void fetchesOverGitDaemonAndReadsSubPathWithoutCheckout() throws Exception {
        String c1 = GitServer.commit(work, "first",
                "clusters/prod/shop/cart.yaml", VS_SIMPLE,
                "clusters/prod/README.md", "not config",
                "clusters/prod/.hidden/x.yaml", VS_SIMPLE,
                "clusters/dev/other.yaml", VS_SIMPLE);
        try (GitRemote remote = new GitRemote(server.url("mesh"), "main", tmp.resolve("cache"), GitCredentials.NONE)) {
            ObjectId head = remote.fetch();
            assertThat(head.name()).isEqualTo(c1);
            SourceTree tree = GitTreeSource.read(remote.repository(), head.name(), "clusters/prod");
            assertThat(tree.files()).extracting(SourceFile::name).containsExactly("clusters/prod/shop/cart.yaml");
            assertThat(new String(tree.files().get(0).content(), StandardCharsets.UTF_8)).isEqualTo(VS_SIMPLE);
            assertThat(GitTreeSource.read(remote.repository(), head.name(), "").files()).extracting(SourceFile::name)
                    .containsExactly("clusters/dev/other.yaml", "clusters/prod/shop/cart.yaml");
            assertThat(Files.exists(tmp.resolve("cache/clusters"))).as("no checkout").isFalse();

            String c2 = GitServer.commit(work, "second", "clusters/prod/shop/cart.yaml", VS_SIMPLE.replace("cart]", "cart, shop]"));
            ObjectId head2 = remote.fetch();
            assertThat(head2.name()).isEqualTo(c2);
            assertThat(remote.isAncestor(head, head2)).isTrue();

            // Force-push: rewrite history; the old head is no longer an ancestor.
            GitServer.git(work, "reset", "-q", "--hard", c1);
            String c3 = GitServer.commit(work, "rewritten", "clusters/prod/x.yaml", VS_SIMPLE.replace("cart", "pay"));
            ObjectId head3 = remote.fetch();
            assertThat(head3.name()).isEqualTo(c3);
            assertThat(remote.isAncestor(head2, head3)).isFalse();
            assertThat(remote.isAncestor(head, head3)).isTrue();
        }
    }

    @Test
    void fetchesOverSmartHttpWithAToken() throws Exception {
        String c1 = GitServer.commit(work, "first", "a.yaml", VS_SIMPLE);
        String token = "glpat-HttpToken0987654321";
        try (GitHttpBackend http = new GitHttpBackend(server.base, "bot", token)) {
            try (GitRemote remote = new GitRemote(http.url("mesh"), "main", tmp.resolve("c1"),
                    GitCredentials.token("bot", token))) {
                assertThat(remote.fetch().name()).isEqualTo(c1);
            }
            try (GitRemote anonymous = new GitRemote(http.url("mesh"), "main", tmp.resolve("c2"), GitCredentials.NONE)) {
                assertThatThrownBy(anonymous::fetch).isInstanceOf(GitException.class).hasMessageContaining("127.0.0.1");
            }
            try (GitRemote wrong = new GitRemote(http.url("mesh"), "main", tmp.resolve("c3"),
                    GitCredentials.token("bot", "wrong-" + token))) {
                assertThatThrownBy(wrong::fetch).isInstanceOf(GitException.class)
                        .hasMessageNotContaining(token);
            }
        }
    }

    @Test
    void tracksTheConfiguredBranchAndRejectsAMissingOne() throws Exception {
        GitServer.commit(work, "main", "a.yaml", VS_SIMPLE);
        GitServer.git(work, "checkout", "-q", "-b", "staging");
        GitServer.commit(work, "staging only", "b.yaml", VS_SIMPLE.replace("cart", "pay"));
        GitServer.git(work, "push", "-q", "origin", "staging");
        String staging = GitServer.git(work, "rev-parse", "HEAD").strip();
        try (GitRemote remote = new GitRemote(server.url("mesh"), "staging", tmp.resolve("c1"), GitCredentials.NONE)) {
            assertThat(remote.fetch().name()).isEqualTo(staging);
        }
        try (GitRemote remote = new GitRemote(server.url("mesh"), "nope", tmp.resolve("c2"), GitCredentials.NONE)) {
            assertThatThrownBy(remote::fetch).isInstanceOf(GitException.class);
        }
    }

    @Test
    void fetchesFromLocalPathAndFileUrl() throws Exception {
        String c1 = GitServer.commit(work, "first", "a.yaml", VS_SIMPLE);
        Path bare = server.base.resolve("mesh.git");
        try (GitRemote byPath = new GitRemote(bare.toString(), "main", tmp.resolve("c1"), GitCredentials.NONE);
             GitRemote byUrl = new GitRemote(bare.toUri().toString(), "main", tmp.resolve("c2"), GitCredentials.NONE)) {
            assertThat(byPath.fetch().name()).isEqualTo(c1);
            assertThat(byUrl.fetch().name()).isEqualTo(c1);
        }
    }

    @Test
    void sshTransportRunsOpenSshWithTheConfiguredKey() throws Exception {
        String c1 = GitServer.commit(work, "first", "a.yaml", VS_SIMPLE);
        // A stand-in for the ssh client that records its arguments and runs the remote command locally
        // (git-upload-pack '<path>'): the Git protocol over the process pipes is real.
        Path argsFile = tmp.resolve("ssh-args");
        Path ssh = tmp.resolve("fake-ssh");
        Files.writeString(ssh, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\n"
                + "for last; do :; done\nexec sh -c \"$last\"\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path key = tmp.resolve("id_ed25519");
        Files.writeString(key, "not a real key\n");
        Path knownHosts = tmp.resolve("known_hosts");
        Files.writeString(knownHosts, "");
        String url = "ssh://git@gitserver.example:2222" + server.base.resolve("mesh.git");
        try (GitRemote remote = new GitRemote(url, "main", tmp.resolve("c"), GitCredentials.sshKey(key, knownHosts),
                ssh.toString())) {
            assertThat(remote.fetch().name()).isEqualTo(c1);
        }
        assertThat(Files.readAllLines(argsFile)).containsSubsequence("-i", key.toString())
                .contains("IdentitiesOnly=yes", "UserKnownHostsFile=" + knownHosts, "StrictHostKeyChecking=yes",
                        "git@gitserver.example")
                .containsSubsequence("-p", "2222");
    }

    @Test
    void tokenNeverAppearsInLogsOrExceptionMessages() throws Exception {
        String token = "ghp_SuperSecretToken1234567890";
        // A real HTTP server that refuses every credential, so JGit tries the token and fails.
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> seenAuth = new AtomicReference<>();
        http.createContext("/", ex -> {
            if (ex.getRequestHeaders().getFirst("Authorization") != null) {
                seenAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
            }
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            ex.sendResponseHeaders(401, -1);
            ex.close();
        });
        http.start();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        GitException failure;
        try (GitRemote remote = new GitRemote("http://127.0.0.1:" + http.getAddress().getPort() + "/mesh.git", "main",
                tmp.resolve("c"), GitCredentials.fromEnvironment(Map.of("MESHCD_GIT_TOKEN", token,
                "MESHCD_GIT_USERNAME", "bot")))) {
            failure = org.junit.jupiter.api.Assertions.assertThrows(GitException.class, remote::fetch);
            assertThat(remote.toString()).doesNotContain(token);
        } finally {
            System.setErr(originalErr);
            http.stop(0);
        }
        // The token was sent (basic auth) but shows up nowhere else.
        assertThat(seenAuth.get()).isEqualTo("Basic " + java.util.Base64.getEncoder()
                .encodeToString(("bot:" + token).getBytes(StandardCharsets.UTF_8)));
        assertThat(failure.getMessage()).contains("127.0.0.1").doesNotContain(token);
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("fetch").doesNotContain(token);
        assertThat(GitCredentials.token("bot", token).toString()).doesNotContain(token);
        assertThat(GitCredentials.token("bot", token).redact("https://bot:" + token + "@host/x failed " + token))
                .doesNotContain(token).contains("https://***@host/x");
    }

    @Test
    void credentialsFromFiles(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "abc123\n");
        GitCredentials c = GitCredentials.fromEnvironment(Map.of("MESHCD_GIT_TOKEN_FILE", tokenFile.toString(),
                "MESHCD_GIT_SSH_KEY_FILE", "/keys/id", "MESHCD_GIT_KNOWN_HOSTS", "/keys/known_hosts"));
        assertThat(c.tokenValue()).isEqualTo("abc123");
        assertThat(c.username()).isEqualTo("git");
        assertThat(c.sshKeyFile()).isEqualTo(Path.of("/keys/id"));
        assertThat(c.knownHostsFile()).isEqualTo(Path.of("/keys/known_hosts"));
        assertThat(GitCredentials.tokenFile("u", tokenFile).tokenValue()).isEqualTo("abc123");
    }
}
