package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.IstioGoldenInjectionTest.ASPECTS;
import static dev.meshcd.admission.inject.IstioGoldenInjectionTest.admittedPod;
import static dev.meshcd.admission.inject.IstioGoldenInjectionTest.load;
import static dev.meshcd.admission.inject.IstioGoldenInjectionTest.normalize;
import static dev.meshcd.admission.inject.IstioGoldenInjectionTest.pods;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's injection cases that need settings (src/test/resources/inject/istio-cases/CASES.txt): each case's values,
 * mesh config and injector config overlays are merged over what an install renders (inject/istio-rendered), written
 * to files and read through {@link IstioInjectorConfig#readFiles}, the path of {@code --valuesFile},
 * {@code --meshConfigFile} and {@code --injectConfigFile}. Every pod must match its golden in every aspect, through
 * kube-inject and through the webhook, unless the case notes a known difference (which must then still differ).
 */
class IstioSettingsGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/inject/istio-cases");
    private static final Path RENDERED = Path.of("src/test/resources/inject/istio-rendered");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    record Case(String golden, String input, Map<String, String> settings, boolean nativeSidecars, String known) {
        static Case parse(String line) {
            String known = null;
            int hash = line.indexOf(" # known difference: ");
            if (hash >= 0) {
                known = line.substring(hash + 21).strip();
                line = line.substring(0, hash);
            }
            String[] f = line.strip().split("\\s+");
            Map<String, String> settings = new LinkedHashMap<>();
            boolean nativeSidecars = true;
            for (int i = 2; i < f.length; i++) {
                String[] kv = f[i].split("=", 2);
                if (kv[0].equals("native")) {
                    nativeSidecars = Boolean.parseBoolean(kv[1]);
                } else {
                    assertThat(List.of("values", "mesh", "config")).as(line).contains(kv[0]);
                    settings.put(kv[0], kv[1]);
                }
            }
            return new Case(f[0], f[1], settings, nativeSidecars, known);
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("CASES.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(Case.parse(line));
            }
        }
        return out;
    }

    @Test
    void casesWithSettingsMatchTheirGoldens() throws Exception {
        List<String> failures = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        int equal = 0;
        List<Case> cases = cases();
        for (Case c : cases) {
            List<String> diffs = run(c);
            if (c.known() == null && !diffs.isEmpty()) {
                failures.add(c.golden() + ":\n    " + String.join("\n    ", diffs));
            } else if (c.known() != null && diffs.isEmpty()) {
                stale.add(c.golden() + " (noted: " + c.known() + ")");
            }
            equal += diffs.isEmpty() ? 1 : 0;
        }
        System.out.printf("Istio cases with settings: %d / %d match their goldens (kube-inject and webhook)%n",
                equal, cases.size());
        failures.forEach(System.out::println);
        assertThat(failures).as("cases that differ from their goldens").isEmpty();
        assertThat(stale).as("cases noted as differing that now match (remove the note)").isEmpty();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(28);
    }

    /** What differs, per path and aspect; empty when both paths match the golden. */
    private List<String> run(Case c) throws Exception {
        InjectionSettings settings = settings(c);
        List<String> diffs = new ArrayList<>();
        JsonNode input = load(DIR.resolve(c.input()));
        List<JsonNode> theirs = pods(load(DIR.resolve(c.golden())));

        ManifestInjector.Outcome outcome = new ManifestInjector(new IstioSidecarInjector(settings)).inject(input);
        if (!outcome.errors().isEmpty()) {
            return List.of("kube-inject refused: " + outcome.errors());
        }
        compare("kube-inject", pods(outcome.document()), theirs, false, diffs);

        IstioSidecarInjector injector = new IstioSidecarInjector(settings);
        List<JsonNode> workloads = new ArrayList<>();
        if (input.path("kind").asText().equals("List")) {
            input.path("items").forEach(workloads::add);
        } else {
            workloads.add(input);
        }
        List<JsonNode> ours = new ArrayList<>();
        for (JsonNode w : workloads) {
            ObjectNode pod = admittedPod(w);
            PodInjector.Result r = injector.inject(pod, "test-ns", Map.of("istio-injection", "enabled"));
            if (!r.errors().isEmpty()) {
                return List.of("webhook refused: " + r.errors());
            }
            ObjectNode injected = r.pod().deepCopy();
            if (injected.path("metadata").path("labels") instanceof ObjectNode l) {
                l.remove("pod-template-hash");
            }
            ours.add(injected);
        }
        compare("webhook", ours, theirs, true, diffs);
        return diffs;
    }

    private static void compare(String path, List<JsonNode> ours, List<JsonNode> theirs, boolean inTestNs,
                                List<String> diffs) throws IOException {
        if (ours.size() != theirs.size()) {
            diffs.add(path + ": " + ours.size() + " pods, golden " + theirs.size());
            return;
        }
        for (int i = 0; i < ours.size(); i++) {
            for (Map.Entry<String, Function<JsonNode, JsonNode>> aspect : ASPECTS.entrySet()) {
                JsonNode a = normalize(aspect.getValue().apply(ours.get(i)));
                JsonNode b = normalize(aspect.getValue().apply(theirs.get(i)));
                if (inTestNs && aspect.getKey().equals("env")) {
                    // the manifest named no namespace; a re-injected pod keeps its earlier owner (as in Istio)
                    a = JSON.readTree(a.toString().replace("/namespaces/test-ns/", "/namespaces/default/"));
                }
                if (!a.equals(b)) {
                    diffs.add(path + " [" + aspect.getKey() + "]\n      ours:  " + a + "\n      istio: " + b);
                }
            }
        }
    }

    /** The rendered ConfigMaps with the case's overlays, read as kube-inject reads its files. */
    private InjectionSettings settings(Case c) throws Exception {
        Path values = overlay(c, "values", RENDERED.resolve("values.json"), JSON);
        Path config = overlay(c, "config", RENDERED.resolve("config.yaml"), YAML);
        Path mesh = overlay(c, "mesh", RENDERED.resolve("mesh.yaml"), YAML);
        InjectionSettings s = IstioInjectorConfig.readFiles(values, config, mesh, InjectionSettings.defaults());
        return c.nativeSidecars() ? s : s.withNativeSidecars(false);
    }

    private Path overlay(Case c, String kind, Path base, ObjectMapper format) throws IOException {
        String name = c.settings().get(kind);
        if (name == null) {
            return base;
        }
        JsonNode merged = format.readTree(base.toFile());
        merge((ObjectNode) merged, format.readTree(DIR.resolve("settings").resolve(name).toFile()));
        Path out = Files.createDirectories(tmp.resolve(c.golden())).resolve(base.getFileName());
        format.writeValue(out.toFile(), merged);
        return out;
    }

    /** Helm-style deep merge: mappings merge key by key, anything else replaces. */
    static void merge(ObjectNode into, JsonNode overlay) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject() && into.get(e.getKey()) instanceof ObjectNode existing) {
                merge(existing, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }
}
