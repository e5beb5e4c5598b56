package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.cli.Main;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.GitRemote;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.sync.status.GitNotesStatusBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git-notes status backend against a real git daemon, read back from a fresh clone. */
class GitNotesStatusBackendTest {
    @TempDir
    Path tmp;

    @Test
    void statusesArePushedAsNotesAndReadBackFromAClone() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "first", "a.yaml", "kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n");
            try (GitRemote one = new GitRemote(server.url("mesh"), "main", tmp.resolve("cache1"), GitCredentials.NONE);
                 GitRemote two = new GitRemote(server.url("mesh"), "main", tmp.resolve("cache2"), GitCredentials.NONE)) {
                one.fetch();
                two.fetch();
                GitNotesStatusBackend a = new GitNotesStatusBackend(one, null);
                GitNotesStatusBackend b = new GitNotesStatusBackend(two, null);
                a.publish(new CommitStatus(c1, CommitStatus.COMPILE, State.PENDING, "compiling", null));
                a.publish(new CommitStatus(c1, CommitStatus.COMPILE, State.SUCCESS, "3 resources, 0 warnings", null));
                // A second writer (another cluster's meshcd) with a stale notes ref: entries merge, none lost.
                b.publish(new CommitStatus(c1, CommitStatus.context(CommitStatus.SYNC, "prod-eu"), State.SUCCESS,
                        "applied 3, pruned 0, unchanged 0", "https://meshcd.example.com/prod"));
                a.publish(new CommitStatus(c1, CommitStatus.SYNC, State.SUCCESS, "applied 3, pruned 0, unchanged 0", null));
            }

            Path clone = tmp.resolve("clone");
            GitServer.git(tmp, "clone", "-q", server.url("mesh"), clone.toString());
            GitServer.git(clone, "fetch", "-q", "origin", "refs/notes/meshcd:refs/notes/meshcd");
            JsonNode note = new ObjectMapper().readTree(GitServer.git(clone, "notes", "--ref", "meshcd", "show", c1));
            assertThat(note.path("meshcd/compile").path("state").asText()).isEqualTo("success");
            assertThat(note.path("meshcd/compile").path("description").asText()).isEqualTo("3 resources, 0 warnings");
            assertThat(note.path("meshcd/sync (prod-eu)").path("targetUrl").asText()).isEqualTo("https://meshcd.example.com/prod");
            assertThat(note.path("meshcd/sync").path("state").asText()).isEqualTo("success");

            // meshcd status reads the same notes.
            String out = runCli("status", "--repo", clone.toString(), c1);
            assertThat(out).contains("commit " + c1).contains("meshcd/compile").contains("meshcd/sync (prod-eu)")
                    .contains("applied 3, pruned 0, unchanged 0");
            assertThat(Main.run("status", "--repo", clone.toString(), c1)).isZero();

            try (GitRemote one = new GitRemote(server.url("mesh"), "main", tmp.resolve("cache1"), GitCredentials.NONE)) {
                new GitNotesStatusBackend(one, null).publish(new CommitStatus(c1, CommitStatus.DRIFT, State.FAILURE,
                        "1 resource(s) drifted", null));
            }
            GitServer.git(clone, "fetch", "-q", "-f", "origin", "refs/notes/meshcd:refs/notes/meshcd");
            assertThat(Main.run("status", "--repo", clone.toString(), c1)).as("a failure status exits 1").isEqualTo(1);
            assertThat(Main.run("status", "--repo", tmp.resolve("nope").toString())).isEqualTo(2);
        }
    }

    static String runCli(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Main.run(args);
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
