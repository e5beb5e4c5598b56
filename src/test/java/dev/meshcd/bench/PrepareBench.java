package dev.meshcd.bench;

import dev.meshcd.compiler.prepare.FluxSubstitution;
import dev.meshcd.compiler.prepare.Kustomizations;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The preparation stages (kustomize plan, Flux substitution) over the generated repo of {@link CheckBench}, against
 * parsing the same files with SnakeYAML Engine in the same run: once as generated (no placeholder: the stages only
 * scan), once with a kustomization per namespace and a {@code ${VAR}} in every file (every file rewritten).
 * {@code scripts/bench.sh PrepareBench [SERVICES] [ROUNDS]}.
 */
public final class PrepareBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path repo = Files.createTempDirectory("meshcd-prepare-bench-");
        MeshRepoGenerator.generate(repo, n);
        List<SourceFile> plain = new ArrayList<>();
        List<SourceFile> flux = new ArrayList<>();
        try (var walk = Files.walk(repo)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = repo.relativize(f).toString();
                byte[] bytes = Files.readAllBytes(f);
                plain.add(new SourceFile(name, bytes));
                String text = new String(bytes, StandardCharsets.UTF_8).replace("version: v1", "version: ${VERSION:=v1}");
                flux.add(SourceFile.ofString(name, text));
            }
        }
        List<String> dirs = flux.stream().map(f -> f.name().contains("/") ? f.name().substring(0, f.name().lastIndexOf('/') + 1) : "")
                .distinct().toList();
        for (String d : dirs) {
            flux.add(SourceFile.ofString(d + "kustomization.yaml", "namespace: ns\nresources: [a.yaml]\npatches: [{path: p.yaml}]\n"));
        }
        SourceTree plainTree = new SourceTree(plain);
        SourceTree fluxTree = new SourceTree(flux);
        FluxSubstitution substitution = new FluxSubstitution(Map.of("VERSION", "v1"), true);
        long[] parse = new long[rounds];
        long[] prepPlain = new long[rounds];
        long[] prepFlux = new long[rounds];
        for (int r = -1; r < rounds; r++) { // round -1: warm-up
            long t0 = System.nanoTime();
            parse(plainTree);
            long t1 = System.nanoTime();
            SourceTree a = substitution.apply(Kustomizations.plan(plainTree).apply(plainTree));
            long t2 = System.nanoTime();
            SourceTree b = substitution.apply(Kustomizations.plan(fluxTree).apply(fluxTree));
            long t3 = System.nanoTime();
            if (r >= 0) {
                parse[r] = t1 - t0;
                prepPlain[r] = t2 - t1;
                prepFlux[r] = t3 - t2;
                System.out.printf("round %d: parse %.3f s, prepare (as generated) %.3f s, prepare (flux) %.3f s, files %d/%d%n",
                        r + 1, parse[r] / 1e9, prepPlain[r] / 1e9, prepFlux[r] / 1e9, a.files().size(), b.files().size());
            }
        }
        long p = CheckBench.median(parse);
        System.out.printf("RESULT prepare-vs-parse services=%d parse_median_s=%.3f plain_ratio=%.4f flux_ratio=%.4f%n",
                n, p / 1e9, (double) CheckBench.median(prepPlain) / p, (double) CheckBench.median(prepFlux) / p);
    }

    private static void parse(SourceTree tree) {
        Load load = new Load(LoadSettings.builder().build());
        for (SourceFile f : tree.files()) {
            for (Object ignored : load.loadAllFromString(new String(f.content(), StandardCharsets.UTF_8))) {
                // count nothing: the parse is the work
            }
        }
    }
}
