package dev.meshcd.bench;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.StandardStages;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What each analyzer costs on the generated repo of {@link CheckBench} (N services), in CPU time of this thread, as a
 * fraction of the CPU time SnakeYAML Engine takes to parse the same files (measured in the same run): CPU time moves
 * less than wall time on a loaded machine. Medians of ROUNDS runs each.
 *
 * <p>Run with {@code scripts/bench.sh AnalyzerCostBench [N] [ROUNDS]}.
 */
public final class AnalyzerCostBench {
    private AnalyzerCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path repo = Files.createTempDirectory("meshcd-bench-");
        MeshRepoGenerator.generate(repo, n);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        CheckBench.baseline(repo); // warm-up
        long[] parse = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            CheckBench.baseline(repo);
            parse[r] = cpu.getCurrentThreadCpuTime() - t0;
        }
        long p = CheckBench.median(parse);
        CompileResult result = CheckBench.check(repo);
        MeshIndex index = result.index();
        System.out.printf("services=%d resources=%d parse_cpu_median_s=%.3f%n", n, result.resources().size(), p / 1e9);
        List<Analyzer> analyzers = StandardStages.analyzers();
        long total = 0;
        for (Analyzer a : analyzers) {
            a.analyze(index, new Diagnostics()); // warm-up
            long[] t = new long[rounds];
            int found = 0;
            for (int r = 0; r < rounds; r++) {
                Diagnostics sink = new Diagnostics();
                long t0 = cpu.getCurrentThreadCpuTime();
                a.analyze(index, sink);
                t[r] = cpu.getCurrentThreadCpuTime() - t0;
                found = sink.sorted().size();
            }
            long m = CheckBench.median(t);
            total += m;
            System.out.printf("ANALYZER %-36s cpu_ms=%8.1f of_parse=%.4f findings=%d%n", a.name(), m / 1e6,
                    (double) m / p, found);
        }
        System.out.printf("RESULT analyzers=%d cpu_ms=%.1f of_parse=%.3f%n", analyzers.size(), total / 1e6,
                (double) total / p);
    }
}
