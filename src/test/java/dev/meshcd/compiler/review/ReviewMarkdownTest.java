package dev.meshcd.compiler.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.bench.MeshRepoGenerator;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.diff.DiffReport;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewMarkdownTest {
    /** What users' YAML can put in names, hosts, header values and messages: markup of every kind. */
    private static final String HOSTILE = "x\"] --> evil[\"pwn\n```\n<!-- meshcd-review --><script>alert(1)</script>"
            + " @octocat #1 [link](http://evil) | cell | *bold* `tick` ~~~ %% comment";

    @Test
    void hostileNamesStayTextInTheMarkdownAndTheDiagram() {
        ResourceKey key = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");
        Diagnostic d = new Diagnostic(Severity.ERROR, "IST0101", HOSTILE, key,
                new SourceLocation("shop/" + HOSTILE + ".yaml", 3, 5), "spec.http[0]." + HOSTILE);
        DiffReport diff = new DiffReport(
                List.of(new DiffReport.ResourceChange(DiffReport.Change.CHANGED, HOSTILE, HOSTILE, "--- a\n+++ b\n-" + HOSTILE + "\n+````\n")),
                Map.of("shop/frontend", List.of("shop/frontend → " + HOSTILE)));
        RouteChange route = new RouteChange(List.of(HOSTILE), HOSTILE, HOSTILE,
                List.of(new RouteChange.Target(HOSTILE, 90)), List.of(new RouteChange.Target(HOSTILE + "2", 10)));
        ReviewReport r = new ReviewReport(new ReviewReport.Counts(0, 0, 0, 1, 1), new ReviewReport.Counts(1, 0, 0, 1, 1),
                new DiagnosticDelta(List.of(d), List.of(d)), diff, List.of(route), List.of(key), List.of(),
                Optional.of(new DryRun(HOSTILE, List.of(new DryRun.ObjectResult(HOSTILE, DryRun.Outcome.REJECTED,
                        List.of(), HOSTILE)), List.of(HOSTILE), null)));

        String md = r.markdown();
        String outsideFences = withoutFencedBlocks(md);
        assertThat(md).startsWith(ReviewReport.MARKER + "\n");
        assertThat(outsideFences).doesNotContain("<script").doesNotContain("@octocat").doesNotContain("[link]")
                .doesNotContain("[link](").doesNotContain("*bold*").doesNotContain("`tick`")
                .doesNotContain("--> evil");
        assertThat(outsideFences.split(java.util.regex.Pattern.quote(ReviewReport.MARKER), -1)).hasSize(2);
        // every table row keeps its column count: no cell's content adds a | to it
        for (String line : outsideFences.split("\n")) {
            if (line.startsWith("| error |")) {
                assertThat(line.chars().filter(c -> c == '|').count()).as(line).isEqualTo(6);
            }
        }
        String mermaid = Mermaid.flowchart(List.of(route));
        assertThat(mermaid.lines().skip(1)).allSatisfy(l -> assertThat(l).matches(
                "  [a-z0-9]+(\\[\"[^\"`\\n]*\"\\]| --> [a-z0-9]+| (-->|-\\.->|==>)\\|\"[^\"`\\n]*\"\\| [a-z0-9]+)"));
    }

    @Test
    void aThousandServiceChangeStaysUnderTheCommentLimitWithNotes(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Path head = tmp.resolve("head");
        for (Path side : List.of(base, head)) {
            MeshRepoGenerator.generate(side, 1000);
            // each namespace's proxies see their own namespace (as large meshes scope them): 100 hosts a proxy
            StringBuilder sidecars = new StringBuilder();
            for (int ns = 0; ns < 10; ns++) {
                sidecars.append("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: default\n"
                        + "  namespace: team-").append(ns).append("\nspec:\n  egress:\n  - hosts: [\"./*\"]\n---\n");
            }
            java.nio.file.Files.writeString(side.resolve("sidecars.yaml"), sidecars);
        }
        assertThat(ReviewFixtures.replaceAll(head, "weight: 90", "weight: 50")).isEqualTo(1000);
        ReviewFixtures.replaceAll(head, "weight: 10", "weight: 50");
        CompileResult b = ReviewFixtures.check(base);
        CompileResult h = ReviewFixtures.check(head);

        ReviewReport r = Review.review(b, h, Optional.empty());

        assertThat(r.diff().resources()).hasSize(1000);
        assertThat(r.routes()).hasSize(1000);
        String md = r.markdown();
        assertThat(md.length()).isLessThanOrEqualTo(ReviewReport.DEFAULT_MAX_CHARS);
        assertThat(md).startsWith(ReviewReport.MARKER)
                .contains("✅ **HEAD compiles**")
                .contains("Istio resources: 0 added, 0 removed, 1,000 changed")
                .contains("### Istio resources (1,000)")
                .contains("### Effective routing (2,000 proxies)")
                .contains("### Changed routes")
                .contains("more not shown (the comment is limited to 65,000 characters");
        assertThat(countFences(md) % 2).isZero();
        String chart = fenced(md, "mermaid");
        assertThat(Mermaid.edges(chart)).as("GitHub's Mermaid draws at most 500 edges").isBetween(1, 500);
        assertThat(chart.length()).as("and at most 50,000 characters").isLessThanOrEqualTo(50_000);
        String small = r.markdown(20_000);
        assertThat(small.length()).isLessThanOrEqualTo(20_000);
        assertThat(countFences(small) % 2).isZero();
        assertThat(r.markdown(0).length()).isGreaterThan(md.length());
    }

    /** The text of the first fenced block of this language. */
    private static String fenced(String md, String language) {
        StringBuilder b = new StringBuilder();
        String fence = null;
        for (String line : md.split("\n", -1)) {
            if (fence == null && line.startsWith("```") && line.endsWith(language)) {
                fence = line.substring(0, line.length() - language.length());
            } else if (fence != null && line.equals(fence)) {
                return b.toString();
            } else if (fence != null) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    private static long countFences(String md) {
        return md.lines().filter(l -> l.startsWith("```")).count();
    }

    private static String withoutFencedBlocks(String md) {
        StringBuilder b = new StringBuilder();
        String fence = null;
        for (String line : md.split("\n", -1)) {
            if (fence == null && line.startsWith("```")) {
                fence = line.replaceAll("[^`].*$", "");
            } else if (fence != null && line.equals(fence)) {
                fence = null;
            } else if (fence == null) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }
}
