package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares our injection with Istio's goldens (pkg/kube/inject/testdata/inject) aspect by aspect, after the
 * normalisations NOTES.json allows: the status annotation compared as JSON, Go's empty
 * {@code resources: {}} and empty env values treated as absent, numbers compared by value.
 */
class IstioGoldenInjectionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Path dir;
    static JsonNode manifest;
    static final ManifestInjector KUBE_INJECT = new ManifestInjector(new IstioSidecarInjector());

    /** aspect → extractor from a pod (metadata + spec) */
    static final Map<String, Function<JsonNode, JsonNode>> ASPECTS = new LinkedHashMap<>();

    static {
        ASPECTS.put("labels", p -> p.path("metadata").path("labels"));
        ASPECTS.put("annotations", IstioGoldenInjectionTest::annotations);
        ASPECTS.put("initContainers", p -> containerFields(p.path("spec").path("initContainers")));
        ASPECTS.put("containers", p -> containerFields(p.path("spec").path("containers")));
        ASPECTS.put("env", p -> pick(p, "env"));
        ASPECTS.put("probes", p -> pick(p, "readinessProbe", "livenessProbe", "startupProbe", "lifecycle"));
        ASPECTS.put("resources", p -> pick(p, "resources"));
        ASPECTS.put("securityContext", p -> pick(p, "securityContext"));
        ASPECTS.put("volumeMounts", p -> pick(p, "volumeMounts"));
        ASPECTS.put("volumes", p -> p.path("spec").path("volumes"));
        ASPECTS.put("podSpecRest", IstioGoldenInjectionTest::restOfSpec);
    }

    @BeforeAll
    static void locate() throws IOException {
        dir = dev.meshcd.testing.SharedData.istio("injection");
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("testdata")), "conformance data absent");
        manifest = JSON.readTree(dir.resolve("MANIFEST.json").toFile());
    }

    @Test
    void goldensMatchPerAspect() throws IOException {
        StringBuilder table = new StringBuilder(String.format("%-40s", "case"));
        ASPECTS.keySet().forEach(a -> table.append(String.format(" %-8.8s", a)));
        table.append('\n');
        List<String> failures = new ArrayList<>();
        int cases = 0;
        int aspectsMatched = 0;
        int aspectsTotal = 0;
        for (JsonNode c : manifest) {
            if (c.path("golden").isNull()) {
                continue;
            }
            cases++;
            String name = c.path("case").asText();
            JsonNode input = load(dir.resolve("testdata/inject/" + name));
            JsonNode golden = load(dir.resolve("testdata/inject/" + name + ".injected"));
            ManifestInjector.Outcome outcome = KUBE_INJECT.inject(input);
            assertThat(outcome.errors()).as(name).isEmpty();
            List<JsonNode> ours = pods(outcome.document());
            List<JsonNode> theirs = pods(golden);
            assertThat(ours).as(name + " pod count").hasSameSizeAs(theirs);
            table.append(String.format("%-40s", name));
            for (Map.Entry<String, Function<JsonNode, JsonNode>> aspect : ASPECTS.entrySet()) {
                boolean ok = true;
                for (int i = 0; i < ours.size(); i++) {
                    JsonNode a = normalize(aspect.getValue().apply(ours.get(i)));
                    JsonNode b = normalize(aspect.getValue().apply(theirs.get(i)));
                    if (!a.equals(b)) {
                        ok = false;
                        failures.add(name + " [" + aspect.getKey() + "]\n  ours:   " + a + "\n  istio:  " + b);
                    }
                }
                aspectsTotal++;
                aspectsMatched += ok ? 1 : 0;
                table.append(String.format(" %-8s", ok ? "ok" : "DIFF"));
            }
            table.append('\n');
        }
        table.append(String.format("%d cases, %d/%d aspects match%n", cases, aspectsMatched, aspectsTotal));
        System.out.println(table);
        failures.forEach(System.out::println);
        assertThat(cases).isEqualTo(15);
        assertThat(failures).isEmpty();
    }

    /**
     * The webhook path (Istio checks it too): each workload's pod template becomes the Pod the API server
     * would send (generateName, owner reference, pod-template-hash for Deployments), injected through
     * {@link PodInjector#inject} in a namespace labelled istio-injection=enabled; every aspect must match.
     */
    @Test
    void webhookPathMatchesGoldens() throws IOException {
        IstioSidecarInjector injector = new IstioSidecarInjector();
        int pods = 0;
        for (JsonNode c : manifest) {
            if (c.path("golden").isNull()) {
                continue;
            }
            String name = c.path("case").asText();
            JsonNode input = load(dir.resolve("testdata/inject/" + name));
            List<JsonNode> theirs = pods(load(dir.resolve("testdata/inject/" + name + ".injected")));
            List<JsonNode> workloads = input.path("kind").asText().equals("List")
                    ? toList(input.path("items")) : List.of(input);
            for (int i = 0; i < workloads.size(); i++) {
                ObjectNode pod = admittedPod(workloads.get(i));
                ObjectNode sent = pod.deepCopy();
                PodInjector.Result r = injector.inject(pod, "test-ns", Map.of("istio-injection", "enabled"));
                assertThat(r.errors()).as(name).isEmpty();
                assertThat(pod).as("input untouched").isEqualTo(sent);
                ObjectNode ours = r.pod().deepCopy();
                JsonNode labels = ours.path("metadata").path("labels");
                if (labels instanceof ObjectNode l) {
                    l.remove("pod-template-hash");
                }
                for (Map.Entry<String, Function<JsonNode, JsonNode>> aspect : ASPECTS.entrySet()) {
                    JsonNode a = normalize(aspect.getValue().apply(ours));
                    JsonNode b = normalize(aspect.getValue().apply(theirs.get(i)));
                    if (aspect.getKey().equals("env")) { // the pod is in test-ns, the manifest named no namespace
                        b = JSON.readTree(b.toString().replace("/namespaces/default/", "/namespaces/test-ns/"));
                    }
                    assertThat(a).as(name + " [" + aspect.getKey() + "] via webhook").isEqualTo(b);
                }
                // and the patch the webhook sends reproduces the injected pod
                assertThat(JsonPatches.apply(JsonPatches.diff(sent, r.pod()), sent)).isEqualTo(r.pod());
                pods++;
            }
        }
        System.out.println("webhook path: " + pods + " pods match their goldens in every aspect");
        assertThat(pods).isEqualTo(16);
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /** The Pod a controller would create from the workload, as the admission request carries it. */
    static ObjectNode admittedPod(JsonNode workload) {
        String kind = workload.path("kind").asText();
        if (kind.equals("Pod")) {
            return ((ObjectNode) workload).deepCopy();
        }
        String name = workload.path("metadata").path("name").asText();
        JsonNode template = workload.path("spec").path("template");
        ObjectNode meta = template.path("metadata").isObject()
                ? ((ObjectNode) template.get("metadata")).deepCopy() : JSON.createObjectNode();
        meta.remove("name");
        String owner = name;
        String ownerKind = kind;
        if (kind.equals("Deployment")) {
            owner = name + "-5d8f9c7b6";
            ownerKind = "ReplicaSet";
            Json.objectAt(meta, "labels").put("pod-template-hash", "5d8f9c7b6");
        }
        meta.put("generateName", owner + "-");
        meta.putArray("ownerReferences").add(Json.obj("apiVersion", workload.path("apiVersion").asText(),
                "kind", ownerKind, "name", owner, "controller", true));
        return Json.obj("apiVersion", "v1", "kind", "Pod", "metadata", meta, "spec", template.get("spec").deepCopy());
    }

    @Test
    void badTrafficAnnotationsAreRefused() throws IOException {
        int bad = 0;
        for (JsonNode c : manifest) {
            if (!c.path("golden").isNull()) {
                continue;
            }
            bad++;
            String name = c.path("case").asText();
            ManifestInjector.Outcome outcome = KUBE_INJECT.inject(load(dir.resolve("testdata/inject/" + name)));
            assertThat(outcome.changed()).as(name).isFalse();
            assertThat(outcome.errors()).as(name).hasSize(1);
            assertThat(outcome.errors().get(0).toLowerCase())
                    .contains(c.path("expected_error_substring_lowercase").asText());
            System.out.println(name + " -> " + outcome.errors().get(0));
        }
        assertThat(bad).isEqualTo(5);
    }

    static JsonNode load(Path file) throws IOException {
        ParsedFile parsed = new YamlLoader().load(new SourceFile(file.toString(), Files.readAllBytes(file)));
        assertThat(parsed.diagnostics()).as(file.toString()).isEmpty();
        for (Document d : parsed.documents()) {
            if (d.root() != null && d.root().isObject()) {
                return d.root();
            }
        }
        throw new AssertionError("no document in " + file);
    }

    /** The pods (metadata + spec) a document carries, as kube-inject sees them. */
    static List<JsonNode> pods(JsonNode doc) {
        List<JsonNode> out = new ArrayList<>();
        if (doc.path("kind").asText().equals("List")) {
            doc.path("items").forEach(i -> out.addAll(pods(i)));
        } else if (doc.path("kind").asText().equals("Pod")) {
            out.add(doc);
        } else if (doc.path("kind").asText().equals("CronJob")) {
            ObjectNode p = JSON.createObjectNode();
            p.set("metadata", doc.path("spec").path("jobTemplate").path("metadata"));
            p.set("spec", doc.path("spec").path("jobTemplate").path("spec").path("template").path("spec"));
            out.add(p);
        } else {
            out.add(doc.path("spec").path("template"));
        }
        return out;
    }

    static JsonNode annotations(JsonNode pod) {
        ObjectNode a = pod.path("metadata").path("annotations").isObject()
                ? ((ObjectNode) pod.path("metadata").path("annotations")).deepCopy() : JSON.createObjectNode();
        if (a.has(SidecarMetadata.STATUS)) {
            try {
                a.set(SidecarMetadata.STATUS, JSON.readTree(a.get(SidecarMetadata.STATUS).asText()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        if (a.has(IstioSidecarInjector.OVERRIDES)) {
            try {
                a.set(IstioSidecarInjector.OVERRIDES, JSON.readTree(a.get(IstioSidecarInjector.OVERRIDES).asText()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return a;
    }

    /** Containers without the fields that have their own aspect. */
    static JsonNode containerFields(JsonNode containers) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode c : containers) {
            ObjectNode copy = JSON.createObjectNode().setAll((ObjectNode) c); // c may be frozen: a new top level
            copy.remove(List.of("env", "readinessProbe", "livenessProbe", "startupProbe", "lifecycle", "resources",
                    "securityContext", "volumeMounts"));
            out.add(copy);
        }
        return out;
    }

    /** Per container (init and regular, by name) the given fields. */
    static JsonNode pick(JsonNode pod, String... fields) {
        ObjectNode out = JSON.createObjectNode();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                ObjectNode picked = JSON.createObjectNode();
                for (String f : fields) {
                    if (c.has(f)) {
                        picked.set(f, c.get(f));
                    }
                }
                out.set(list + "/" + c.path("name").asText(), picked);
            }
        }
        return out;
    }

    static JsonNode restOfSpec(JsonNode pod) {
        ObjectNode spec = ((ObjectNode) pod.path("spec")).deepCopy();
        spec.remove(List.of("initContainers", "containers", "volumes"));
        return spec;
    }

    /** Numbers by value, Go's empty resources and empty env values as absent. */
    static JsonNode normalize(JsonNode n) {
        JsonNode copy;
        try {
            copy = JSON.readTree(JSON.writeValueAsString(n));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.path("resources").isObject() && o.path("resources").isEmpty()) {
                o.remove("resources");
            }
            if (o.has("name") && o.path("value").isTextual() && o.path("value").asText().isEmpty()) {
                o.remove("value");
            }
            o.forEach(IstioGoldenInjectionTest::strip);
        } else if (n instanceof ArrayNode a) {
            a.forEach(IstioGoldenInjectionTest::strip);
        }
    }
}
