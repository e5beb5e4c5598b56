package dev.meshcd.compiler.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitTreeSource#changes} on a real repository, and the recompile it feeds. */
class GitTreeSourceChangesTest {
    static String vs(String name, int weight) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %1$s, namespace: shop}
                spec:
                  hosts: [%1$s]
                  http:
                  - route:
                    - {destination: {host: %1$s}, weight: %2$d}
                    - {destination: {host: %1$s-canary}, weight: %3$d}
                """.formatted(name, weight, 100 - weight);
    }

    @TempDir
    Path dir;
    Git git;
    String first;
    String second;

    @BeforeEach
    void history() throws Exception {
        git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        first = commit("first", "a.yaml", vs("a", 90), "b.yaml", vs("b", 90), "sub/c.yaml", vs("c", 90),
                ".hidden/x.yaml", vs("x", 90), "README.md", "hello");
        second = commit("second", "a.yaml", vs("a", 80), "b.yaml", null, "sub/d.yaml", vs("d", 90),
                ".hidden/x.yaml", vs("x", 80), "README.md", "hello again");
    }

    String commit(String message, String... pathsAndContents) throws Exception {
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path f = dir.resolve(pathsAndContents[i]);
            if (pathsAndContents[i + 1] == null) {
                Files.delete(f);
            } else {
                Files.createDirectories(f.getParent());
                Files.writeString(f, pathsAndContents[i + 1]);
            }
        }
        git.add().addFilepattern(".").call();
        git.add().setUpdate(true).addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("T", "t@example.com").setCommitter("T", "t@example.com")
                .setSign(false).call().name();
    }

    @Test
    void changedAddedAndRemovedConfigFilesOnly() throws Exception {
        Repository repo = git.getRepository();
        GitTreeSource.Changes all = GitTreeSource.changes(repo, first, second, "");
        assertThat(all.changed()).extracting(SourceFile::name).containsExactly("a.yaml", "sub/d.yaml");
        assertThat(new String(all.changed().get(0).content(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("weight: 80");
        assertThat(all.removed()).containsExactly("b.yaml");

        GitTreeSource.Changes sub = GitTreeSource.changes(repo, first, second, "/sub/");
        assertThat(sub.changed()).extracting(SourceFile::name).containsExactly("sub/d.yaml");
        assertThat(sub.removed()).isEmpty();

        GitTreeSource.Changes none = GitTreeSource.changes(repo, second, second, "");
        assertThat(none.changed()).isEmpty();
        assertThat(none.removed()).isEmpty();

        assertThatThrownBy(() -> GitTreeSource.changes(repo, "deadbeef", second, ""))
                .isInstanceOf(GitTreeSource.UnknownRevisionException.class);
    }

    @Test
    void recompilingTheChangesEqualsCompilingTheNewTree() throws Exception {
        Repository repo = git.getRepository();
        Workspace incremental = Workspace.builder().build();
        incremental.compile(GitTreeSource.read(repo, first, ""), Compiler.Mode.CHECK);
        GitTreeSource.Changes c = GitTreeSource.changes(repo, first, second, "");
        CompileResult patched = incremental.update(c.changed(), c.removed(), Compiler.Mode.CHECK);
        CompileResult fresh = StandardStages.compiler(CompileOptions.DEFAULT)
                .compile(GitTreeSource.read(repo, second, ""), Compiler.Mode.CHECK);
        assertThat(render(patched.resources())).isEqualTo(render(fresh.resources()));
        assertThat(patched.resources()).extracting(r -> r.key().name()).containsExactlyInAnyOrder("a", "c", "d");
    }

    static List<String> render(List<Resource> resources) {
        return resources.stream().map(r -> r.key().display() + " " + r.object()).toList();
    }
}
