package dev.meshcd.bench;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Compile-time benchmark of a repository of N services written as ServicePolicies (plus their
 * Services and Deployments): a full compile against merely parsing the same files with SnakeYAML
 * Engine (same run), and an in-process recompile after one policy file changed.
 *
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat cp.txt) dev.meshcd.bench.LoweringBench [services=10000] [rounds=3]
 * </pre>
 */
public final class LoweringBench {
    private static final long SEED = 42;

    private LoweringBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<SourceFile> files = PolicyRepo.generate(n, SEED);
        long bytes = files.stream().mapToLong(SourceFile::size).sum();
        System.out.printf(Locale.ROOT, "repo: %d services, %d files, %.1f MB, %d cores%n", n, files.size(),
                bytes / 1e6, Runtime.getRuntime().availableProcessors());

        if (rounds > 0) {
            baseline(files, rounds);
        }
        recompile(files, n);
    }

    /** Parse-only against full compile, {@code rounds} times each after one warm-up. */
    private static void baseline(List<SourceFile> files, int rounds) {
        // Warm-up: JIT both paths once.
        parseAll(files);
        CompileResult warm = fullCompile(files);
        System.out.printf(Locale.ROOT, "result: %d resources (%d generated), %d diagnostics (%d errors)%n",
                warm.resources().size(), warm.generated().size(), warm.diagnostics().size(),
                warm.diagnostics().stream().filter(d -> d.isError()).count());

        List<Double> parse = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        List<Double> parseCpu = new ArrayList<>();
        List<Double> fullCpu = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            // Fresh SourceFiles, so content hashes are computed again as they would be for a new checkout.
            List<SourceFile> copy = copies(files);
            double c0 = cpu();
            long t0 = System.nanoTime();
            parseAll(copy);
            parse.add(ms(t0));
            parseCpu.add(cpu() - c0);
            copy = copies(files);
            c0 = cpu();
            t0 = System.nanoTime();
            fullCompile(copy);
            full.add(ms(t0));
            fullCpu.add(cpu() - c0);
        }
        double p = median(parse);
        double f = median(full);
        System.out.printf(Locale.ROOT, "parse only (SnakeYAML Engine, 1 thread): wall %.0f ms, cpu %.0f ms%n", p, median(parseCpu));
        System.out.printf(Locale.ROOT, "full compile (CHECK, cold cache):        wall %.0f ms, cpu %.0f ms = %.2fx parse wall, %.2fx parse cpu (target <= 3x)%n",
                f, median(fullCpu), f / p, median(fullCpu) / median(parseCpu));
    }

    /** In-process recompiles after one policy file changed, and where their time goes. */
    private static void recompile(List<SourceFile> files, int n) {
        // Recompile after changing one policy file, in process.
        Workspace compiler = Workspace.builder().build();
        compiler.compile(new SourceTree(files), Compiler.Mode.CHECK);
        // The canonical canary edit: the same policy with other split weights (the patch path).
        timeRecompiles(compiler, 20, 5, i -> {
            int victim = (i * 7919) % n;
            return SourceFile.ofString(PolicyRepo.policyFile(victim),
                    PolicyRepo.policy(victim, n, PolicyRepo.policySeed(SEED, victim), 51 + (i % 40)));
        }, "recompile after one policy's weights changed");
        // An edit that changes what the policy generates (other features): the full merge path.
        timeRecompiles(compiler, 10, 3, i -> {
            int victim = (i * 104_729) % n;
            return SourceFile.ofString(PolicyRepo.policyFile(victim), PolicyRepo.policy(victim, n, 7_000L + i, 20));
        }, "recompile after a policy changed what it generates");
        // Where a recompile's time goes: the snapshot-wide part (index + analyzers), measured alone.
        CompileResult last = compiler.update(List.of(), List.of(), Compiler.Mode.CHECK);
        List<Double> index = new ArrayList<>();
        List<Double> analyzers = new ArrayList<>();
        List<Double> indexCpu = new ArrayList<>();
        List<Double> analyzersCpu = new ArrayList<>();
        CompileOptions o = compiler.options();
        for (int i = 0; i < 10; i++) {
            double c0 = cpu();
            long t0 = System.nanoTime();
            MeshIndex idx = MeshIndex.build(last.resources(), o.externalWorkloads(), o.domainSuffix(), o.rootNamespace());
            index.add(ms(t0));
            indexCpu.add(cpu() - c0);
            c0 = cpu();
            t0 = System.nanoTime();
            Diagnostics sink = new Diagnostics();
            for (Analyzer a : compiler.compiler().analyzers()) {
                a.analyze(idx, sink);
            }
            analyzers.add(ms(t0));
            analyzersCpu.add(cpu() - c0);
        }
        System.out.printf(Locale.ROOT, "  of which: index build median wall %.1f ms (cpu %.1f), analyzers (%d) median wall %.1f ms (cpu %.1f)%n",
                median(index), median(indexCpu), compiler.compiler().analyzers().size(), median(analyzers), median(analyzersCpu));
        MeshIndex idx = last.index();
        for (Analyzer a : compiler.compiler().analyzers()) {
            long t0 = System.nanoTime();
            a.analyze(idx, new Diagnostics());
            System.out.printf(Locale.ROOT, "    analyzer %-40s %.1f ms%n", a.name(), ms(t0));
        }
        List<Double> unchanged = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            compiler.update(List.of(), List.of(), Compiler.Mode.CHECK);
            unchanged.add(ms(t0));
        }
        System.out.printf(Locale.ROOT, "  recompile with nothing changed: median %.1f ms%n", median(unchanged));
    }

    /** Runs {@code warmup + runs} recompiles, each with one edited file, and prints medians and phases. */
    private static void timeRecompiles(Workspace compiler, int runs, int warmup,
                                       java.util.function.IntFunction<SourceFile> edit, String what) {
        List<Double> wall = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        java.util.Map<String, List<Double>> phases = new java.util.TreeMap<>();
        for (int i = 0; i < runs + warmup; i++) {
            SourceFile changed = edit.apply(i);
            double c0 = cpu();
            long t0 = System.nanoTime();
            CompileResult r = compiler.update(List.of(changed), List.of(), Compiler.Mode.CHECK);
            if (i >= warmup) {
                wall.add(ms(t0));
                cpuMs.add(cpu() - c0);
                compiler.lastTimings().forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v / 1e6));
            }
            if (r.hasErrors()) {
                throw new IllegalStateException("recompile produced errors");
            }
        }
        System.out.printf(Locale.ROOT, "%s: median wall %.1f ms (%d runs, min %.1f, max %.1f; target <= 50 ms), cpu %.1f ms%n",
                what, median(wall), runs, Collections.min(wall), Collections.max(wall), median(cpuMs));
        StringBuilder breakdown = new StringBuilder();
        phases.forEach((k, v) -> breakdown.append(String.format(Locale.ROOT, " %s %.1f", k, median(v))));
        System.out.println("  phases (median wall ms):" + breakdown);
    }

    private static CompileResult fullCompile(List<SourceFile> files) {
        return StandardStages.compiler(CompileOptions.DEFAULT).compile(new SourceTree(files), Compiler.Mode.CHECK);
    }

    private static int parseAll(List<SourceFile> files) {
        LoadSettings settings = LoadSettings.builder().build();
        int docs = 0;
        for (SourceFile f : files) {
            for (Object o : new Load(settings).loadAllFromString(new String(f.content(), StandardCharsets.UTF_8))) {
                if (o != null) {
                    docs++;
                }
            }
        }
        return docs;
    }

    private static List<SourceFile> copies(List<SourceFile> files) {
        List<SourceFile> out = new ArrayList<>(files.size());
        files.forEach(f -> out.add(new SourceFile(f.name(), f.content())));
        return out;
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU time of the whole process (all threads, GC included), in ms: robust to other load on the machine. */
    private static double cpu() {
        return OS.getProcessCpuTime() / 1e6;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int m = s.size() / 2;
        return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
    }
}
