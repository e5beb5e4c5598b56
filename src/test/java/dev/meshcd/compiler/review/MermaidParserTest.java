package dev.meshcd.compiler.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.pipeline.CompileResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's flowcharts parse with the real Mermaid parser (npm's mermaid, run by Node through
 * scripts/mermaid-parse.mjs; installed by {@code scripts/mermaid-parser.sh ensure}, which scripts/test.sh runs).
 * Skipped, saying why, where Node or the parser is missing.
 */
class MermaidParserTest {
    private static final String HOSTILE = "x\"] --> evil[\"pwn ``` <b>#quot; %% ;; | {}() @a [l](h) \\ \u00e9\u4e2d \uD83D\uDE00";

    @Test
    void theCanaryChangeOfExamplesAndHostileLabelsParse(@TempDir Path tmp) throws Exception {
        Path parser = parserDir();
        Path base = tmp.resolve("base");
        Path head = tmp.resolve("head");
        ReviewFixtures.copy(Path.of("examples"), base);
        ReviewFixtures.copy(Path.of("examples"), head);
        ReviewFixtures.replaceAll(head.resolve("shop"), "weight: 90", "weight: 50");
        ReviewFixtures.replaceAll(head.resolve("shop"), "weight: 10", "weight: 50");
        CompileResult b = ReviewFixtures.check(base);
        CompileResult h = ReviewFixtures.check(head);
        ReviewReport canary = Review.review(b, h, Optional.empty());
        assertThat(canary.routes()).isNotEmpty();

        List<String> charts = List.of(canary.mermaid(),
                Mermaid.flowchart(List.of(new RouteChange(List.of(HOSTILE, "shop/a"), HOSTILE, HOSTILE,
                        List.of(new RouteChange.Target(HOSTILE, 90), new RouteChange.Target("same", 10)),
                        List.of(new RouteChange.Target(HOSTILE + "2", 90), new RouteChange.Target("same", 10))))),
                // the control: a chart that is not Mermaid must fail, or the parser proves nothing
                "flowchart LR\n  a[\"x\"y\"]\n");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < charts.size(); i++) {
            Path f = tmp.resolve("chart-" + i + ".mmd");
            Files.writeString(f, charts.get(i), StandardCharsets.UTF_8);
            files.add(f.toString());
        }
        List<String> results = parse(parser, files);
        assertThat(results).containsExactly("OK flowchart-v2", "OK flowchart-v2", results.get(2));
        assertThat(results.get(2)).startsWith("ERR Parse error");
    }

    private static List<String> parse(Path parser, List<String> files) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", parser.resolve("mermaid-parse.mjs").toString()));
        cmd.addAll(files);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        List<String> lines = out.lines().toList();
        assertThat(lines).as("parser output; stderr: " + err).hasSize(files.size());
        return lines;
    }

    /** The installed parser's directory, from scripts/mermaid-parser.sh dir; skips the test when there is none. */
    private static Path parserDir() throws IOException, InterruptedException {
        Process node;
        try {
            node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("Node is not installed: the Mermaid parse test is skipped");
            throw e;
        }
        node.getInputStream().readAllBytes();
        Assumptions.assumeTrue(node.waitFor() == 0, "node --version failed: the Mermaid parse test is skipped");
        Process dir = new ProcessBuilder("scripts/mermaid-parser.sh", "dir").start();
        String out = new String(dir.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Assumptions.assumeTrue(dir.waitFor() == 0 && !out.isEmpty(),
                "the Mermaid parser is not installed (run scripts/mermaid-parser.sh ensure; needs npm once):"
                        + " the Mermaid parse test is skipped");
        return Path.of(out);
    }
}
