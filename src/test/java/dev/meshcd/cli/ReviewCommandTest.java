package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.review.ReviewReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshcd review} end to end through Main.run, on a Git repository holding examples/. */
class ReviewCommandTest {
    private static final Path EXAMPLES = Path.of("examples");

    @TempDir
    Path repo;

    private Git git;

    @BeforeEach
    void examplesInGit() throws Exception {
        copy(EXAMPLES, repo);
        git = Git.init().setDirectory(repo.toFile()).call();
        commit("base");
    }

    @Test
    void aCanaryWeightChangeGivesTheVerdictTheResourceAndTheRoutingChange() throws Exception {
        replace("shop/cart.yaml", "weight: 90", "weight: 50");
        replace("shop/cart.yaml", "weight: 10", "weight: 50");
        commit("split evenly");

        CliRun r = CliRun.run("review", "--repo", repo.toString(), "HEAD~1", "HEAD");

        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).startsWith(ReviewReport.MARKER + "\n")
                .contains("✅ **HEAD compiles**: 0 errors")
                .contains("**would sync**")
                .contains("No finding introduced.")
                .contains("| changed | <code>VirtualService shop/cart</code> |")
                .contains("v1 90% / v2 10% becomes v1 50% / v2 50%")
                .contains("```mermaid\nflowchart LR\n")
                .contains("-->|\"90#37; #8594; 50#37;\"|")
                .contains("```diff");
        assertThat(r.out().length()).isLessThan(65_536);
    }

    @Test
    void breakingASubsetReferenceIntroducesIst0101AtItsFileAndLine() throws Exception {
        replace("shop/cart.yaml", "subset: v2\n          weight: 10", "subset: v3\n          weight: 10");
        commit("typo");
        List<String> lines = Files.readAllLines(repo.resolve("shop/cart.yaml"));
        int line = lines.indexOf("            subset: v3") + 1;

        CliRun r = CliRun.run("review", "--repo", repo.toString(), "HEAD~1", "HEAD", "--sarif",
                repo.resolve("review.sarif").toString());

        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("❌ **HEAD does not compile**: 1 error")
                .contains("**would not sync**")
                .contains("### Findings introduced (1)")
                .contains("| error | IST0101 | <code>shop/cart.yaml:"
                        + line + ":");
        String sarif = Files.readString(repo.resolve("review.sarif"));
        assertThat(sarif).contains("\"ruleId\" : \"IST0101\"").contains("\"startLine\" : " + line);
    }

    @Test
    void deletingADestinationRuleIntroducesFindingsInTheFileThatStillUsesIt() throws Exception {
        Path cart = repo.resolve("shop/cart.yaml");
        String text = Files.readString(cart);
        int dr = text.indexOf("apiVersion: networking.istio.io/v1\nkind: DestinationRule");
        assertThat(dr).isPositive();
        Files.writeString(repo.resolve("shop/cart-destinationrule.yaml"), text.substring(dr));
        Files.writeString(cart, text.substring(0, dr));
        commit("the DestinationRule in a file of its own");
        Files.delete(repo.resolve("shop/cart-destinationrule.yaml"));
        commit("delete it");

        CliRun r = CliRun.run("review", "--repo", repo.toString(), "HEAD~1", "HEAD");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("| removed | <code>DestinationRule shop/cart</code> |")
                .contains("| error | IST0101 | <code>shop/cart.yaml:")
                .doesNotContain("| error | IST0101 | <code>shop/cart-destinationrule.yaml");
    }

    private void replace(String file, String from, String to) throws IOException {
        Path p = repo.resolve(file);
        String s = Files.readString(p);
        assertThat(s).contains(from);
        Files.writeString(p, s.replace(from, to));
    }

    private void commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("t", "t@example.com");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
