package dev.meshcd.compiler.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs of a Git revision are refused from their size before they are inflated, under the revision's own limit. */
class GitBlobLimitTest {
    @TempDir
    Path dir;

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec:
              ports: [{name: http, port: 80}]
            """;

    private String commit(String configLimit) throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.writeString(dir.resolve("svc.yaml"), SERVICE + "#" + "x".repeat(3000) + "\n");
            Files.writeString(dir.resolve("meshcd.yaml"), "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n"
                    + (configLimit == null ? "" : "maxFileSize: " + configLimit + "\n"));
            git.add().addFilepattern(".").call();
            return git.commit().setMessage("c").setSign(false).call().name();
        }
    }

    @Test
    void aBlobOverTheLimitIsNotReadAndIsOneError() throws Exception {
        String rev = commit(null);
        SourceTree tree = GitTreeSource.read(dir, rev, "", 2048);
        SourceFile svc = tree.files().stream().filter(f -> f.name().equals("svc.yaml")).findFirst().orElseThrow();
        assertThat(svc.content()).isEmpty();
        assertThat(svc.tooLarge().size()).isGreaterThan(3000);
        assertThat(svc.tooLarge().limit()).isEqualTo(2048);
    }

    @Test
    void theRevisionsOwnMeshcdYamlSetsTheLimit() throws Exception {
        String rev = commit("2Ki");
        CompileResult small = Workspaces.atRevision(dir, rev, "", Workspaces.ConfigChoice.DISCOVER, null)
                .compile(Compiler.Mode.VALIDATE);
        assertThat(small.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.FILE_TOO_LARGE);
            assertThat(d.message()).contains("larger than the 2 KiB limit");
        });
        CompileResult flag = Workspaces.atRevision(dir, rev, "", Workspaces.ConfigChoice.DISCOVER, null, 8192)
                .compile(Compiler.Mode.VALIDATE);
        assertThat(flag.diagnostics()).as("--max-file-size wins over meshcd.yaml").isEmpty();
    }
}
