package dev.meshcd.bench;

import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Issue benchmark: {@code meshcd check} over a generated repo of N services (7 documents each)
 * against the baseline of merely parsing the same files with SnakeYAML Engine, both measured in the
 * same JVM run, file reading included in both. Runs alternate baseline and check; medians reported.
 *
 * <p>Run with {@code scripts/bench.sh check [N] [ROUNDS]} (heap capped at 1 GiB there).
 */
public final class CheckBench {
    private CheckBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path repo = Files.createTempDirectory("meshcd-bench-");
        MeshRepoGenerator.generate(repo, n);
        System.out.printf("generated %d services into %s%n", n, repo);

        long[] parse = new long[rounds];
        long[] check = new long[rounds];
        // one warm-up round of each, not counted
        int docs = baseline(repo);
        String summary = summarize(check(repo));
        long retained = 0;
        for (int r = 0; r < rounds; r++) {
            System.gc();
            long t0 = System.nanoTime();
            baseline(repo);
            parse[r] = System.nanoTime() - t0;
            System.gc();
            long t1 = System.nanoTime();
            CompileResult result = check(repo);
            check[r] = System.nanoTime() - t1;
            System.gc();
            Runtime rt = Runtime.getRuntime();
            retained = Math.max(retained, rt.totalMemory() - rt.freeMemory()); // the result is still reachable here
            summary = summarize(result);
            System.out.printf("round %d: parse %.2f s, check %.2f s%n", r + 1, parse[r] / 1e9, check[r] / 1e9);
        }
        long p = median(parse);
        long c = median(check);
        System.out.printf("documents: %d, %s%n", docs, summary);
        System.out.printf("RESULT check-vs-parse services=%d parse_median_s=%.3f check_median_s=%.3f ratio=%.2f"
                        + " max_heap_mib=%d retained_result_mib=%d cpus=%d%n",
                n, p / 1e9, c / 1e9, (double) c / p, Runtime.getRuntime().maxMemory() >> 20, retained >> 20,
                Runtime.getRuntime().availableProcessors());
    }

    /** Reads and parses every file with SnakeYAML Engine's standard loader; returns the document count. */
    static int baseline(Path repo) throws Exception {
        List<Path> files;
        try (var walk = Files.walk(repo)) {
            files = walk.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        int docs = 0;
        Load load = new Load(LoadSettings.builder().build());
        for (Path f : files) {
            for (Object ignored : load.loadAllFromString(Files.readString(f, StandardCharsets.UTF_8))) {
                docs++;
            }
        }
        return docs;
    }

    /** A cold check, as the CLI does it: through the front door (a fresh workspace), read + compile + analyze. */
    static CompileResult check(Path repo) throws Exception {
        return Workspaces.onDisk(List.of(repo), Workspaces.ConfigChoice.NONE, null).compile(Compiler.Mode.CHECK);
    }

    static String summarize(CompileResult r) {
        StringBuilder sb = new StringBuilder(String.format("resources: %d, diagnostics: %d (errors %d)",
                r.resources().size(), r.diagnostics().size(), r.count(dev.meshcd.compiler.diag.Severity.ERROR)));
        r.diagnostics().stream().limit(5).forEach(d -> sb.append("\n  ").append(d));
        return sb.toString();
    }

    static long median(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

}
