package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.cli.Main;
import dev.meshcd.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Differential test: {@code meshcd check} against Istio's own analysis (built at the pinned Istio version by
 * scripts/istio-oracle.sh) on the same files, comparing the sets of (code, resource). Two oracles:
 * <ul>
 * <li>{@code istioctl}: the real {@code istioctl analyze --use-kube=false}. In file mode istioctl reads only Istio
 * config from the files (Services, Pods, Namespaces and Secrets are expected from a cluster) and skips every
 * analyzer that needs one of those (21 of 36), so this is Istio's verdict on the Istio config alone;</li>
 * <li>{@code analyzers}: {@code xdsdump -analyze}, every Istio analyzer run as Istio's analyzer tests run them,
 * runtime resources read from the files too, and a Pod per workload (what a cluster would run; injected with an
 * istio-proxy container where the namespace asks for injection). This is the oracle for what meshcd checks.</li>
 * </ul>
 * Cases:
 * the clean example repo, each file of examples/broken together with it, and a few of Istio's own analyzer cases
 * (../shared/conformance/istio/analyzers). Every difference must be explained by an entry of
 * src/test/resources/oracle/analyze-allowlist.txt, and every entry must still match a difference (no stale ones).
 * Agreement figures go to stdout and target/oracle/analyze-agreement.txt.
 *
 * <p>How they are run alike: both oracles analyze all namespaces (istioctl needs {@code --all-namespaces}, else it
 * drops messages outside the default namespace) and add Istio's default ingress gateway (istio-system,
 * {@code istio: ingressgateway}) themselves; meshcd gets the same gateway from examples/meshcd.yaml (the shop cases)
 * or from Istio's rendered copy of it, analyzers/harness/default-ingressgateway.rendered.yaml (the Istio cases). Resources the input gives no namespace
 * are "Kind name" for istioctl and "Kind default/name" for meshcd: both are compared as "Kind name". Only Istio
 * codes (IST...) are compared; meshcd's own MCD codes have no counterpart.
 *
 * <p>{@code -Dmeshcd.oracle.analyzers=all} runs every analyzer case of the corpus instead of the chosen few (for
 * agreement figures; cases with mesh config, mesh networks or several clusters are left out).
 */
@Tag("oracle")
class AnalyzeOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("examples");
    private static final Path ALLOWLIST = Path.of("src/test/resources/oracle/analyze-allowlist.txt");

    /** Istio analyzer cases run by default (case_name in analyzers/MANIFEST.json). */
    private static final Set<String> ISTIO_CASES = Set.of(
            "gatewayNoWorkload", "conflicting gateways detect", "sidecarDefaultSelector",
            "virtualServiceConflictingMeshGatewayHosts", "virtualServiceDestinationHosts",
            "virtualServiceDestinationRules", "virtualServiceGateways", "authorizationpolicies", "dupmatches",
            "DestinationRuleWithFakeHost", "DestinationRuleEmptyTopologyLabels");

    /** One comparison: the files both tools read, and meshcd's extra arguments. */
    record Case(String name, List<Path> inputs, List<String> meshcdArgs) {
    }

    record Finding(String code, String resource) implements Comparable<Finding> {
        @Override
        public int compareTo(Finding o) {
            int c = code.compareTo(o.code);
            return c != 0 ? c : resource.compareTo(o.resource);
        }

        @Override
        public String toString() {
            return code + " " + resource;
        }
    }

    /** The two oracles: istioctl in file mode, and Istio's analyzers as its tests run them (see the class doc). */
    enum Oracle {
        ISTIOCTL("istioctl"), ANALYZERS("analyzers");

        final String id;

        Oracle(String id) {
            this.id = id;
        }
    }

    /** An allow-list line: oracle (or *) | case (or *) | only-istio or only-meshcd | code | resource (or *) | reason. */
    record Allowed(String oracle, String caseName, String side, String code, String resource, String reason, int line) {
        boolean matches(Oracle o, String c, String s, Finding f) {
            return (oracle.equals("*") || oracle.equals(o.id)) && (caseName.equals("*") || caseName.equals(c))
                    && side.equals(s) && code.equals(f.code()) && (resource.equals("*") || resource.equals(f.resource()));
        }

        @Override
        public String toString() {
            return ALLOWLIST + ":" + line + ": " + oracle + " | " + caseName + " | " + side + " | " + code + " | "
                    + resource;
        }
    }

    @Test
    void meshcdCheckAgreesWithIstioAnalysis() throws Exception {
        IstioOracle oracle = IstioOracle.get();
        List<Allowed> allowlist = readAllowlist();
        Set<Allowed> used = new HashSet<>();
        List<String> unexplained = new ArrayList<>();
        List<Case> cases = cases();
        StringBuilder report = new StringBuilder("meshcd check vs Istio's analysis (istio.io/istio " + oracle.version()
                + ")\n");
        Map<Case, Set<Finding>> meshcd = new LinkedHashMap<>();
        for (Case c : cases) {
            meshcd.put(c, meshcd(c));
        }
        for (Oracle o : Oracle.values()) {
            report.append("\noracle ").append(o.id).append("\ncase\tboth\tonly-istio\tonly-meshcd\tallow-listed\n");
            int totalBoth = 0;
            int totalOnlyIstio = 0;
            int totalOnlyMeshcd = 0;
            int totalAllowed = 0;
            int agreeingCases = 0;
            for (Case c : cases) {
                Set<Finding> istio = istio(oracle, o, c);
                Set<Finding> mine = meshcd.get(c);
                Set<Finding> both = new TreeSet<>(istio);
                both.retainAll(mine);
                int allowed = 0;
                int onlyIstio = 0;
                int onlyMeshcd = 0;
                for (Finding f : istio) {
                    if (!mine.contains(f)) {
                        onlyIstio++;
                        allowed += explain(o, c.name(), "only-istio", f, allowlist, used, unexplained);
                    }
                }
                for (Finding f : mine) {
                    if (!istio.contains(f)) {
                        onlyMeshcd++;
                        allowed += explain(o, c.name(), "only-meshcd", f, allowlist, used, unexplained);
                    }
                }
                if (onlyIstio == 0 && onlyMeshcd == 0) {
                    agreeingCases++;
                }
                totalBoth += both.size();
                totalOnlyIstio += onlyIstio;
                totalOnlyMeshcd += onlyMeshcd;
                totalAllowed += allowed;
                report.append(c.name()).append('\t').append(both.size()).append('\t').append(onlyIstio).append('\t')
                        .append(onlyMeshcd).append('\t').append(allowed).append('\n');
            }
            int union = totalBoth + totalOnlyIstio + totalOnlyMeshcd;
            report.append(String.format("TOTAL %s: %d cases, %d identical; findings: %d in both, %d only Istio, %d only "
                            + "meshcd (%d allow-listed); agreement %d/%d = %.1f%%%n", o.id, cases.size(), agreeingCases,
                    totalBoth, totalOnlyIstio, totalOnlyMeshcd, totalAllowed, totalBoth, union,
                    union == 0 ? 100.0 : 100.0 * totalBoth / union));
        }
        System.out.print(report);
        Files.createDirectories(Path.of("target", "oracle"));
        Files.writeString(Path.of("target", "oracle", "analyze-agreement.txt"), report);

        boolean all = "all".equals(System.getProperty("meshcd.oracle.analyzers"));
        // Entries of cases that did not run (Istio's, without ../shared/conformance/istio) cannot be stale.
        Set<String> ran = new HashSet<>(cases.stream().map(Case::name).toList());
        ran.add("*");
        List<String> stale = all ? List.of() : allowlist.stream()
                .filter(a -> !used.contains(a) && ran.contains(a.caseName())).map(Allowed::toString).toList();
        assertThat(unexplained).as("differences from Istio not in %s (add them with a reason, or fix meshcd)",
                ALLOWLIST).isEmpty();
        assertThat(stale).as("allow-list entries that no longer match a difference (remove them)").isEmpty();
    }

    private static int explain(Oracle o, String caseName, String side, Finding f, List<Allowed> allowlist,
            Set<Allowed> used, List<String> unexplained) {
        for (Allowed a : allowlist) {
            if (a.matches(o, caseName, side, f)) {
                used.add(a);
                return 1;
            }
        }
        unexplained.add(o.id + " | " + caseName + " | " + side + " | " + f.code() + " | " + f.resource() + " | ?");
        return 0;
    }

    // --- cases ---------------------------------------------------------------------------------------------------

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        List<Path> shop = List.of(EXAMPLES.resolve("shop"), EXAMPLES.resolve("istio-system"));
        List<String> shopArgs = List.of("--config", EXAMPLES.resolve("meshcd.yaml").toString());
        cases.add(new Case("examples", shop, shopArgs));
        try (Stream<Path> s = Files.list(EXAMPLES.resolve("broken"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                List<Path> in = new ArrayList<>(shop);
                in.add(f);
                cases.add(new Case("broken/" + f.getFileName(), in, shopArgs));
            }
        }
        cases.add(generated());
        Path root = SharedData.istioRoot();
        if (root == null) {
            return cases; // the example cases still run; Istio's own cases need ../shared/conformance/istio
        }
        boolean all = "all".equals(System.getProperty("meshcd.oracle.analyzers"));
        Path harness = root.resolve("analyzers/harness/default-ingressgateway.rendered.yaml");
        for (JsonNode c : JSON.readTree(root.resolve("analyzers/MANIFEST.json").toFile())) {
            String name = c.path("case_name").asText();
            if (!(all ? runnable(c) : ISTIO_CASES.contains(name))) {
                continue;
            }
            List<Path> in = new ArrayList<>();
            c.path("inputs").forEach(i -> in.add(root.resolve(i.asText())));
            cases.add(new Case("istio/" + name, in, List.of("--no-config", "-n", "default", harness.toString())));
        }
        return cases;
    }

    /**
     * The generated meshes of the Envoy differential ({@link RandomMesh}, the same seeds as
     * {@link GeneratedEnvoyOracleTest}) as one case: each mesh keeps to its own namespaces, so one run of each tool
     * analyses them all.
     */
    static Case generated() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "oracle", "generated"));
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.toList()) {
                Files.delete(f);
            }
        }
        for (int i = 0; i < GeneratedEnvoyOracleTest.cases(); i++) {
            long seed = GeneratedEnvoyOracleTest.firstSeed() + i;
            Files.writeString(dir.resolve("case-" + seed + ".yaml"), String.join("---\n", RandomMesh.generate(seed)));
        }
        return new Case("generated", List.of(dir), List.of("--no-config", "-n", "default"));
    }

    private static boolean runnable(JsonNode c) {
        return !c.hasNonNull("mesh_config_file") && !c.hasNonNull("mesh_networks_file")
                && !c.hasNonNull("inputs_by_cluster");
    }

    // --- the two tools -------------------------------------------------------------------------------------------

    static Set<Finding> istio(IstioOracle oracle, Oracle o, Case c) throws Exception {
        List<String> args = new ArrayList<>(o == Oracle.ISTIOCTL
                ? List.of("analyze", "--use-kube=false", "--all-namespaces", "-o", "json")
                : List.of("-analyze"));
        c.inputs().forEach(p -> args.add(p.toString()));
        IstioOracle.Result r = o == Oracle.ISTIOCTL ? oracle.istioctl(args) : oracle.xdsdump(args);
        // The JSON array, after any log lines istioctl prints to stdout (e.g. about a file it could not parse).
        String stdout = r.stdout();
        String json = stdout.startsWith("[") ? stdout : stdout.substring(stdout.indexOf("\n[") + 1);
        assertThat(json).as("%s %s (exit %d)%n%s%n%s", o.id, args, r.exit(), stdout, r.stderr()).startsWith("[");
        Set<Finding> res = new TreeSet<>();
        for (JsonNode m : JSON.readTree(json)) {
            res.add(new Finding(m.path("code").asText(), normalize(m.path("origin").asText())));
        }
        return res;
    }

    static Set<Finding> meshcd(Case c) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--format", "json"));
        args.addAll(c.meshcdArgs());
        c.inputs().forEach(p -> args.add(p.toString()));
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("meshcd %s%n%s", args, text).isIn(0, 1);
        Set<Finding> res = new TreeSet<>();
        for (JsonNode d : JSON.readTree(text).path("diagnostics")) {
            String code = d.path("code").asText();
            if (code.startsWith("IST")) {
                res.add(new Finding(code, normalize(d.path("resource").asText(""))));
            }
        }
        return res;
    }

    /** "Kind default/name" and "Kind name" (no namespace in the input) compare equal. */
    static String normalize(String resource) {
        int sp = resource.indexOf(' ');
        if (sp > 0 && resource.startsWith("default/", sp + 1)) {
            return resource.substring(0, sp + 1) + resource.substring(sp + 1 + "default/".length());
        }
        return resource;
    }

    // --- allow-list ----------------------------------------------------------------------------------------------

    static List<Allowed> readAllowlist() throws IOException {
        List<Allowed> res = new ArrayList<>();
        List<String> lines = Files.readAllLines(ALLOWLIST);
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s*\\|\\s*", 6);
            assertThat(f).as("%s:%d: want 'oracle | case | only-istio|only-meshcd | code | resource | reason'",
                    ALLOWLIST, i + 1).hasSize(6);
            assertThat(f[0]).as("%s:%d oracle", ALLOWLIST, i + 1).isIn("istioctl", "analyzers", "*");
            assertThat(f[2]).as("%s:%d side", ALLOWLIST, i + 1).isIn("only-istio", "only-meshcd");
            assertThat(f[5]).as("%s:%d: every entry needs a reason", ALLOWLIST, i + 1).isNotBlank();
            String key = f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3] + "|" + f[4];
            assertThat(seen.put(key, i + 1)).as("%s:%d duplicates line %s", ALLOWLIST, i + 1, seen.get(key)).isNull();
            res.add(new Allowed(f[0], f[1], f[2], f[3], f[4], f[5], i + 1));
        }
        return res;
    }
}
