package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshcd.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test: {@code istioctl kube-inject -f POD --injectConfigFile F --meshConfigFile M --valuesFile V}
 * against {@code meshcd kube-inject} with the same files. The three files are cut from what
 * {@code istioctl manifest generate} renders for an install (profile empty, pilot on: the istio-sidecar-injector
 * ConfigMap's {@code config} and {@code values}, the istio ConfigMap's {@code mesh}), once with the goldens' settings
 * for every input of Istio's own injection tests (pkg/kube/inject/testdata/inject of the pinned module), and once
 * per settings variation (hub/tag, revision, network, holdApplicationUntilProxyStarts, statusPort, Prometheus merge,
 * interception mode, images, CNI and cluster) for a few inputs (including the gRPC templates, several scrape targets
 * and re-injection).
 *
 * <p>Outputs are compared as YAML trees, after dropping what src/test/resources/oracle/inject-allowlist.txt lists
 * ({@code field} lines: a JSON-path regex and the reason meshcd differs there); a case that still differs must be
 * listed as a {@code case} line with its reason, and a listed case that now agrees fails the test (no stale entries).
 * Figures go to stdout and target/oracle/inject-agreement.txt.
 */
@Tag("oracle")
class InjectOracleTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ALLOWLIST = Path.of("src/test/resources/oracle/inject-allowlist.txt");
    private static final Pattern STATUS_VERSION = Pattern.compile("\"version\":\"[0-9a-f]*\"");

    /** Settings variations: name, istioctl manifest generate --set flags, revision. */
    private record Variation(String name, List<String> sets, String revision) {
    }

    private static final List<Variation> VARIATIONS = List.of(
            new Variation("hub-tag", List.of("hub=docker.io/istio", "tag=1.28.0"), "default"),
            new Variation("revision", List.of("revision=canary"), "canary"),
            new Variation("network", List.of("values.global.network=network1"), "default"),
            new Variation("hold", List.of("meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true"), "default"),
            new Variation("status-port", List.of("values.global.proxy.statusPort=15030",
                    "meshConfig.defaultConfig.statusPort=15030"), "default"),
            new Variation("mesh-extras", List.of("meshConfig.defaultConfig.concurrency=2",
                    "meshConfig.defaultConfig.proxyMetadata.FOO=bar", "meshConfig.trustDomain=example.org"), "default"),
            // the agent's port for Prometheus merging comes from the mesh config alone
            new Variation("mesh-status-port", List.of("meshConfig.defaultConfig.statusPort=15030"), "default"),
            new Variation("no-prometheus-merge", List.of("meshConfig.enablePrometheusMerge=false"), "default"),
            new Variation("tproxy", List.of("meshConfig.defaultConfig.interceptionMode=TPROXY"), "default"),
            new Variation("images", List.of("values.global.proxy.image=proxyTest",
                    "values.global.proxy_init.image=proxyInitTest", "values.global.imagePullPolicy=Always",
                    "values.global.imagePullSecrets[0]=pull-secret"), "default"),
            new Variation("cni-cluster", List.of("components.cni.enabled=true",
                    "values.global.multiCluster.clusterName=east", "values.global.meshID=mesh1"), "default"));
    /** Inputs run under every variation. */
    /** Seeds of RandomMesh whose Deployments are injected too ({@code -Dmeshcd.oracle.injectCases=N}). */
    private static final int GENERATED_CASES = Integer.getInteger("meshcd.oracle.injectCases", 20);
    private static final List<String> VARIATION_INPUTS = List.of("hello.yaml", "hello-probes.yaml",
            "multi-container.yaml", "gateway.yaml", "prometheus-scrape.yaml", "grpc-agent.yaml", "grpc-simple.yaml",
            "hello-multiport-metrics.yaml", "merge-probers.yaml");

    @TempDir
    Path tmp;

    /** cases both tools refuse (bad annotations, unknown templates): equal, but counted apart in the figures */
    private int bothRefused;

    @Test
    void meshcdKubeInjectAgreesWithIstioctl() throws Exception {
        IstioOracle oracle = IstioOracle.get();
        Path inputs = oracle.istioModule().resolve("pkg/kube/inject/testdata/inject");
        assertThat(inputs).as("Istio's injection test inputs in the oracle's module cache").isDirectory();
        Allowlist allow = Allowlist.read(ALLOWLIST);

        List<Path> all;
        try (Stream<Path> s = Files.list(inputs)) {
            all = s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().endsWith(".iop.yaml")).sorted().toList();
        }
        Map<String, String> differing = new TreeMap<>();
        int total = 0;
        int equal = 0;
        Map<String, Path[]> settings = new LinkedHashMap<>();
        settings.put("base", render(oracle, "base", List.of("hub=registry.istio.io/testing", "tag=latest")));
        for (Variation v : VARIATIONS) {
            List<String> sets = new ArrayList<>(List.of("hub=registry.istio.io/testing", "tag=latest"));
            sets.addAll(v.sets());
            settings.put(v.name(), render(oracle, v.name(), sets));
        }
        for (Map.Entry<String, Path[]> e : settings.entrySet()) {
            String variation = e.getKey();
            String revision = VARIATIONS.stream().filter(v -> v.name().equals(variation)).map(Variation::revision)
                    .findFirst().orElse("default");
            List<Path> cases = variation.equals("base") ? all
                    : VARIATION_INPUTS.stream().map(inputs::resolve).toList();
            for (Path input : cases) {
                String id = variation + "/" + input.getFileName();
                String diff = compare(oracle, input, e.getValue(), revision, allow);
                total++;
                if (diff == null) {
                    equal++;
                } else {
                    differing.put(id, diff);
                }
            }
        }
        // The seeded generator's workloads (RandomMesh, as in the Envoy and analysis comparisons): each case's
        // Deployments, injected under the default settings.
        for (long seed = 1; seed <= GENERATED_CASES; seed++) {
            List<String> deployments = RandomMesh.generate(seed).stream()
                    .filter(d -> d.contains("kind: Deployment")).toList();
            if (deployments.isEmpty()) {
                continue;
            }
            Path input = Files.createDirectories(tmp.resolve("generated")).resolve("seed-" + seed + ".yaml");
            Files.writeString(input, String.join("---\n", deployments));
            String diff = compare(oracle, input, settings.get("base"), "default", allow);
            total++;
            if (diff == null) {
                equal++;
            } else {
                differing.put("generated/seed-" + seed, diff);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("inject oracle (istio ").append(oracle.version()).append("): ").append(equal).append(" / ")
                .append(total).append(" cases structurally equal (")
                .append(bothRefused).append(" of them refused by both)\n");
        differing.forEach((id, d) -> report.append("  differs ").append(id).append(": ").append(d).append('\n'));
        Files.createDirectories(Path.of("target/oracle"));
        Files.writeString(Path.of("target/oracle/inject-agreement.txt"), report);
        System.out.print(report);

        List<String> unexplained = differing.keySet().stream().filter(id -> !allow.cases.containsKey(id))
                .map(id -> id + ": " + differing.get(id)).toList();
        List<String> stale = allow.cases.keySet().stream().filter(id -> !differing.containsKey(id)).toList();
        assertThat(unexplained).as("differences not in " + ALLOWLIST).isEmpty();
        assertThat(stale).as("allow-list cases that now agree (remove them)").isEmpty();
    }

    /** values.json, config.yaml, mesh.yaml as an install with these --set flags renders them. */
    private Path[] render(IstioOracle oracle, String name, List<String> sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("manifest", "generate", "--set", "profile=empty",
                "--set", "components.pilot.enabled=true"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        IstioOracle.Result r = oracle.istioctl(args);
        assertThat(r.exit()).as("istioctl manifest generate %s: %s", sets, r.stderr()).isZero();
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path values = dir.resolve("values.json");
        Path config = dir.resolve("config.yaml");
        Path mesh = dir.resolve("mesh.yaml");
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(r.stdout())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc == null || !"ConfigMap".equals(doc.path("kind").asText())) {
                    continue;
                }
                String cm = doc.path("metadata").path("name").asText();
                if (cm.startsWith("istio-sidecar-injector")) {
                    Files.writeString(values, doc.path("data").path("values").asText());
                    Files.writeString(config, doc.path("data").path("config").asText());
                } else if (cm.equals("istio") || cm.startsWith("istio-") && doc.path("data").has("mesh")) {
                    Files.writeString(mesh, doc.path("data").path("mesh").asText());
                }
            }
        }
        assertThat(List.of(values, config, mesh)).allMatch(Files::isRegularFile);
        return new Path[] {values, config, mesh};
    }

    /** null when both tools produce the same trees (or both refuse the input), else what differs. */
    private String compare(IstioOracle oracle, Path input, Path[] files, String revision, Allowlist allow)
            throws Exception {
        IstioOracle.Result istio = oracle.istioctl(List.of("kube-inject", "-f", input.toString(),
                "--revision", revision, "--valuesFile", files[0].toString(), "--injectConfigFile",
                files[1].toString(), "--meshConfigFile", files[2].toString()), Map.of("ENABLE_NATIVE_SIDECARS", "true"));
        Path out = tmp.resolve("meshcd.out");
        Files.deleteIfExists(out);
        int exit = Main.run(new String[] {"kube-inject", "-f", input.toString(), "-o", out.toString(),
                "--revision", revision, "--valuesFile", files[0].toString(), "--injectConfigFile",
                files[1].toString(), "--meshConfigFile", files[2].toString()});
        if (istio.exit() != 0 || exit != 0) {
            if (istio.exit() != 0 && exit != 0) {
                bothRefused++;
                return null;
            }
            return "istioctl exit " + istio.exit() + ", meshcd exit " + exit
                    + (istio.exit() != 0 ? " (" + firstLine(istio.stderr()) + ")" : "");
        }
        List<JsonNode> expected = docs(istio.stdout(), allow);
        List<JsonNode> actual = docs(Files.readString(out, StandardCharsets.UTF_8), allow);
        List<String> paths = new ArrayList<>();
        diff("", toArray(expected), toArray(actual), paths);
        return paths.isEmpty() ? null : paths.size() + " paths, e.g. " + String.join(", ", paths.subList(0,
                Math.min(4, paths.size())));
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static ArrayNode toArray(List<JsonNode> docs) {
        ArrayNode a = YAML.createArrayNode();
        docs.forEach(a::add);
        return a;
    }

    private static List<JsonNode> docs(String text, Allowlist allow) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(
                STATUS_VERSION.matcher(text).replaceAll("\"version\":\"\""))) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !(d.isObject() && d.isEmpty())) {
                    out.add(prune(d, "", allow));
                }
            }
        }
        return out;
    }

    /** Drops the allow-listed fields (children first, so a mapping left empty can go too); parses JSON strings. */
    private static JsonNode prune(JsonNode n, String path, Allowlist allow) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path + "." + e.getKey();
                if (e.getValue().isTextual() && allow.json(p)) {
                    try {
                        e.setValue(YAML.readTree(e.getValue().textValue()));
                    } catch (IOException ex) {
                        continue; // not JSON: compared as text
                    }
                }
                prune(e.getValue(), p, allow);
                if (allow.ignored(p, e.getValue())) {
                    it.remove();
                }
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = a.size() - 1; i >= 0; i--) {
                String p = path + "[" + i + "]";
                prune(a.get(i), p, allow);
                if (allow.ignored(p, a.get(i))) {
                    a.remove(i);
                }
            }
        }
        return n;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject() && b.isObject()) {
            List<String> keys = new ArrayList<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(k -> {
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            });
            for (String k : keys) {
                String p = path + "." + k;
                if (!a.has(k)) {
                    out.add(p + " (only meshcd)");
                } else if (!b.has(k)) {
                    out.add(p + " (only istioctl)");
                } else {
                    diff(p, a.get(k), b.get(k), out);
                }
            }
        } else if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String p = path + "[" + i + "]";
                if (i >= a.size()) {
                    out.add(p + " (only meshcd)");
                } else if (i >= b.size()) {
                    out.add(p + " (only istioctl)");
                } else {
                    diff(p, a.get(i), b.get(i), out);
                }
            }
        } else if (!a.asText().equals(b.asText()) || a.isContainerNode() != b.isContainerNode()) {
            out.add(path);
        }
    }

    /**
     * The allow-list: {@code field REGEX # reason} drops matching paths (e.g. {@code .spec.strategy}) when their
     * value matches too ({@code field REGEX = \\{\\}} for empty ones only); {@code json REGEX # reason} compares the
     * strings at matching paths as JSON trees; {@code case VARIATION/INPUT # reason} lists a case known to differ.
     */
    private record Allowlist(List<Pattern[]> fields, List<Pattern> jsonFields, Map<String, String> cases) {
        static Allowlist read(Path file) throws IOException {
            List<Pattern[]> fields = new ArrayList<>();
            List<Pattern> jsonFields = new ArrayList<>();
            Map<String, String> cases = new TreeMap<>();
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int hash = line.indexOf(" # ");
                assertThat(hash).as("allow-list line without ' # reason': %s", line).isPositive();
                String entry = line.substring(0, hash).strip();
                String reason = line.substring(hash + 3).strip();
                assertThat(reason).as("reason for %s", entry).isNotEmpty();
                if (entry.startsWith("field ")) {
                    String[] parts = entry.substring(6).strip().split(" = ", 2);
                    fields.add(new Pattern[] {Pattern.compile(parts[0]),
                            parts.length > 1 ? Pattern.compile(parts[1]) : null});
                } else if (entry.startsWith("json ")) {
                    jsonFields.add(Pattern.compile(entry.substring(5).strip()));
                } else if (entry.startsWith("case ")) {
                    cases.put(entry.substring(5).strip(), reason);
                } else {
                    throw new AssertionError("allow-list line is not 'field', 'json' or 'case': " + line);
                }
            }
            return new Allowlist(fields, jsonFields, cases);
        }

        boolean json(String path) {
            return jsonFields.stream().anyMatch(p -> p.matcher(path).matches());
        }

        boolean ignored(String path, JsonNode value) {
            for (Pattern[] f : fields) {
                if (f[0].matcher(path).matches()
                        && (f[1] == null || f[1].matcher(value.isContainerNode() ? value.toString()
                        : value.asText()).matches())) {
                    return true;
                }
            }
            return false;
        }
    }
}
