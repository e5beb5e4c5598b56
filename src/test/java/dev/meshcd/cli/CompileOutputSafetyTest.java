package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compile -o} on hostile or careless input: names never become paths outside OUT, files meshcd did not
 * write are never deleted, an output inside the input tree is never read back, and a failure midway leaves the
 * previous output whole.
 */
class CompileOutputSafetyTest {
    @TempDir
    Path tmp;

    private static final String VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: %s, namespace: %s}
            spec:
              hosts: [cart]
              http:
              - route:
                - destination: {host: cart}
            """;

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec:
              ports: [{name: http, port: 80}]
            """;

    private Path repo(String name, String namespace) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("svc.yaml"), SERVICE);
        Files.writeString(repo.resolve("vs.yaml"), VS.formatted(name, namespace));
        return repo;
    }

    private static EnvoyCommandsTest.Run compile(Path repo, Path out) {
        return EnvoyCommandsTest.run("compile", repo.toString(), "-o", out.toString());
    }

    /** Every regular file under {@code dir}, relative. */
    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aNamespaceThatClimbsOutOfOutIsAnErrorAndNothingIsWritten() throws Exception {
        Path repo = repo("cart", "\"../../escape\"");
        Path out = tmp.resolve("a/b/out");
        EnvoyCommandsTest.Run r = compile(repo, out);
        assertThat(r.code()).isNotZero();
        assertThat(out).doesNotExist();
        assertThat(files(tmp)).containsExactly("repo/svc.yaml", "repo/vs.yaml");
    }

    @Test
    void theInputTreeIsNeverAnOutput() throws Exception {
        Path repo = repo("cart", "shop");
        assertThat(compile(repo, repo).code()).isEqualTo(ExitCodes.USAGE);
        assertThat(compile(repo, tmp).code()).as("an ancestor of the input").isEqualTo(ExitCodes.USAGE);
        assertThat(files(repo)).containsExactly("svc.yaml", "vs.yaml");
    }

    @Test
    void filesMeshcdDidNotWriteAreNeverDeleted() throws Exception {
        Path repo = repo("cart", "shop");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("notes.yaml"), "keep me");
        assertThat(compile(repo, out).code()).isEqualTo(ExitCodes.USAGE);
        assertThat(out.resolve("notes.yaml")).hasContent("keep me");
        assertThat(files(out)).containsExactly("notes.yaml");
    }

    @Test
    void anOutputInsideTheInputTreeIsNotReadBack() throws Exception {
        Path repo = repo("cart", "shop");
        Path out = repo.resolve("rendered");
        assertThat(compile(repo, out).code()).isZero();
        assertThat(out.resolve("istio/shop/virtualservice-cart.yaml")).exists();
        EnvoyCommandsTest.Run again = compile(repo, out);
        assertThat(again.code()).as(again.out()).isZero();
        assertThat(again.out()).contains("wrote 1 Istio resources");
        EnvoyCommandsTest.Run check = EnvoyCommandsTest.run("check", repo.toString());
        assertThat(check.out()).doesNotContain("MCD1012").contains("in 2 resources from 2 files");
    }

    @Test
    void aRecompileReplacesTheOutputWholeAndAFailureKeepsThePreviousOne() throws Exception {
        Path repo = repo("cart", "shop");
        Path out = tmp.resolve("out");
        assertThat(compile(repo, out).code()).isZero();
        List<String> first = files(out);
        assertThat(first).contains("istio/shop/virtualservice-cart.yaml", ".meshcd-output");

        // Renamed: the old file goes, the new one comes (meshcd's own output is replaced whole).
        Files.writeString(repo.resolve("vs.yaml"), VS.formatted("basket", "shop"));
        assertThat(compile(repo, out).code()).isZero();
        assertThat(files(out)).contains("istio/shop/virtualservice-basket.yaml")
                .doesNotContain("istio/shop/virtualservice-cart.yaml");
        List<String> second = files(out);
        String content = Files.readString(out.resolve("istio/shop/virtualservice-basket.yaml"));

        // A valid name too long for the file system: the write fails midway (ENAMETOOLONG).
        String longName = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
        Files.writeString(repo.resolve("vs.yaml"), VS.formatted("basket", "shop") + "---\n"
                + VS.formatted(longName, "shop").replace("hosts: [cart]", "hosts: [cart.example.com]"));
        EnvoyCommandsTest.Run failed = compile(repo, out);
        assertThat(failed.code()).as(failed.out()).isEqualTo(ExitCodes.USAGE);
        assertThat(files(out)).isEqualTo(second);
        assertThat(out.resolve("istio/shop/virtualservice-basket.yaml")).hasContent(content);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary directory left")
                    .containsExactlyInAnyOrder("repo", "out");
        }
    }
}
