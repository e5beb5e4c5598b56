package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Envoy differential and the simulate agreement ({@link EnvoyDifferential}) on generated meshes
 * ({@link RandomMesh}): {@code -Dmeshcd.oracle.cases=N} cases (default 200) from seed
 * {@code -Dmeshcd.oracle.seed=S} on (default 1), {@value #BATCH} cases per run of each tool (each case keeps to its
 * own namespaces). A case with a difference the allow-list does not explain is shrunk (resources dropped while it
 * still fails) and printed as a minimal reproduction in YAML, also written to target/oracle/repro-SEED.yaml.
 */
@Tag("oracle")
class GeneratedEnvoyOracleTest {
    static final int BATCH = 25;
    static final String CORPUS = "generated";

    static int cases() {
        return Integer.getInteger("meshcd.oracle.cases", 200);
    }

    static long firstSeed() {
        return Long.getLong("meshcd.oracle.seed", 1L);
    }

    @Test
    void generatedMeshesAgreeWithIstiod(@TempDir Path tmp) throws Exception {
        IstioOracle oracle = IstioOracle.get();
        EnvoyAllowlist rules = EnvoyAllowlist.read();
        EnvoyDifferential.Figures total = new EnvoyDifferential.Figures();
        Map<Long, List<String>> failing = new LinkedHashMap<>();
        int n = cases();
        for (int start = 0; start < n; start += BATCH) {
            Path dir = Files.createDirectories(tmp.resolve("batch-" + start));
            List<Long> seeds = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + BATCH); i++) {
                long seed = firstSeed() + i;
                seeds.add(seed);
                write(dir.resolve("case-" + seed + ".yaml"), RandomMesh.generate(seed));
            }
            EffectiveMesh mesh = EnvoyDifferential.meshcd(List.of(dir), "default");
            Map<String, JsonNode> istio = EnvoyDifferential.istiod(oracle, List.of(dir), "default");
            for (long seed : seeds) {
                String p = RandomMesh.prefix(seed);
                List<String> problems = problems(rules, mesh, istio, p, total);
                if (!problems.isEmpty()) {
                    failing.put(seed, problems);
                }
            }
        }
        String report = String.format("generated meshes (%d cases from seed %d): %s%n", n, firstSeed(), total);
        System.out.print(report);
        Files.createDirectories(Path.of("target", "oracle"));
        Files.writeString(Path.of("target", "oracle", "envoy-agreement-generated.txt"), report);
        if (!failing.isEmpty()) {
            long seed = failing.keySet().iterator().next();
            String repro = reproduction(oracle, rules, seed, tmp.resolve("shrink"));
            Files.writeString(Path.of("target", "oracle", "repro-" + seed + ".yaml"), repro);
            System.out.println("minimal reproduction of seed " + seed + " (-Dmeshcd.oracle.seed=" + seed
                    + " -Dmeshcd.oracle.cases=1):\n" + repro);
        }
        assertThat(failing).as("generated cases that disagree with istiod beyond %s (first seed's reproduction above "
                + "and in target/oracle/)", EnvoyAllowlist.FILE).isEmpty();
        if (n == 200 && firstSeed() == 1) {
            assertThat(rules.stale(Set.of(CORPUS), false)).as("allow-list entries that no longer match a difference")
                    .isEmpty();
        }
    }

    /** meshcd errors and unexplained differences of the proxies of one case (namespaces starting with prefix). */
    static List<String> problems(EnvoyAllowlist rules, EffectiveMesh mesh, Map<String, JsonNode> istio, String prefix,
            EnvoyDifferential.Figures total) {
        List<String> out = new ArrayList<>();
        for (String e : EnvoyDifferential.errors(mesh)) {
            if (e.contains("/" + prefix) || e.contains(" " + prefix)) {
                out.add("meshcd error: " + e);
            }
        }
        EnvoyDifferential.Result r = EnvoyDifferential.compare(CORPUS, rules, istio, mesh,
                id -> id.startsWith(prefix + "a/") || id.startsWith(prefix + "b/"));
        if (total != null) {
            total.add(r.figures());
        }
        r.unexplained().forEach(u -> out.add(u.toString()));
        return out;
    }

    private static void write(Path file, List<String> docs) throws IOException {
        Files.writeString(file, String.join("---\n", docs));
    }

    /** Drops documents of the case while it still fails; the YAML of what is left. */
    static String reproduction(IstioOracle oracle, EnvoyAllowlist rules, long seed, Path dir) throws Exception {
        List<String> docs = new ArrayList<>(RandomMesh.generate(seed));
        String prefix = RandomMesh.prefix(seed);
        List<String> last = fails(oracle, rules, docs, prefix, dir);
        // a smaller set must keep failing the same way (else dropping a Service "reproduces" any failure)
        Set<String> kinds = kinds(last);
        boolean shrunk = true;
        while (shrunk) {
            shrunk = false;
            for (int i = docs.size() - 1; i >= 0; i--) {
                List<String> fewer = new ArrayList<>(docs);
                fewer.remove(i);
                List<String> problems = fails(oracle, rules, fewer, prefix, dir);
                if (!java.util.Collections.disjoint(kinds(problems), kinds)) {
                    docs = fewer;
                    last = problems;
                    shrunk = true;
                }
            }
        }
        StringBuilder out = new StringBuilder("# seed ").append(seed).append(": ").append(last.size())
                .append(" problem(s), e.g.\n");
        last.stream().limit(10).forEach(p -> out.append("#   ").append(p).append('\n'));
        return out.append(String.join("---\n", docs)).toString();
    }

    /** What kind of problem each is: the diagnostic code, or the side and the field path of a difference. */
    static Set<String> kinds(List<String> problems) {
        Set<String> out = new java.util.HashSet<>();
        for (String p : problems) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("code=(\\w+)").matcher(p);
            if (m.find()) {
                out.add(m.group(1));
            } else {
                String[] f = p.split(" \\| ");
                out.add(f.length > 4 ? f[3] + " " + f[4].replaceAll("^(\\S+) \\S+( \\S+)? ", "$1 ")
                        .replaceAll("\\[\\d+\\]", "[]") : p);
            }
        }
        return out;
    }

    private static List<String> fails(IstioOracle oracle, EnvoyAllowlist rules, List<String> docs, String prefix,
            Path dir) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("case.yaml");
        write(file, docs);
        try {
            EffectiveMesh mesh = EnvoyDifferential.meshcd(List.of(file), "default");
            Map<String, JsonNode> istio = EnvoyDifferential.istiod(oracle, List.of(file), "default");
            return problems(rules, mesh, istio, prefix, null);
        } catch (AssertionError | RuntimeException e) {
            return List.of(); // a document set the tools refuse is not a reproduction of this failure
        }
    }
}
