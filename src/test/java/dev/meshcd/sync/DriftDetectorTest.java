package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.sync.drift.Drift;
import dev.meshcd.sync.drift.DriftDetector;
import dev.meshcd.sync.drift.ManagedFields;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drift detection on recorded objects: src/test/resources/drift/*.json hold a desired object, the live
 * object as the API server returns it (managedFields in FieldsV1 form, several managers, status) and the
 * expected drift as [path, owner] pairs.
 */
class DriftDetectorTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixture(String name) throws IOException {
        try (InputStream in = DriftDetectorTest.class.getResourceAsStream("/drift/" + name)) {
            return JSON.readTree(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vs-clean.json", "vs-kubectl-edit.json", "vs-taken-over.json", "dr-defaults.json",
            "dr-changed.json"})
    void recordedObjects(String file) throws IOException {
        JsonNode f = fixture(file);
        JsonNode desired = f.get("desired");
        ResourceKey key = new ResourceKey("networking.istio.io", desired.path("kind").asText(),
                desired.path("metadata").path("namespace").asText(), desired.path("metadata").path("name").asText());
        List<Drift> drift = new DriftDetector().compare(key, desired, f.get("live"));
        List<List<String>> actual = new ArrayList<>();
        drift.forEach(d -> actual.add(List.of(d.path(), d.owner())));
        List<List<String>> expected = new ArrayList<>();
        f.get("expected").forEach(e -> expected.add(List.of(e.get(0).asText(), e.get(1).asText())));
        assertThat(actual).as(f.path("description").asText()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void reportsExpectedAndLiveValues() throws IOException {
        JsonNode f = fixture("vs-kubectl-edit.json");
        List<Drift> drift = new DriftDetector().compare(new ResourceKey("networking.istio.io", "VirtualService",
                "shop", "cart"), f.get("desired"), f.get("live"));
        assertThat(drift.get(0).expected()).isEqualTo("90");
        assertThat(drift.get(0).actual()).isEqualTo("50");
        assertThat(drift.get(0).toString()).contains("VirtualService shop/cart spec.http[0].route[0].weight")
                .contains("changed by kubectl-edit");
    }

    @Test
    void deletedObjectIsDrift() throws IOException {
        JsonNode f = fixture("vs-clean.json");
        List<Drift> drift = new DriftDetector().compare(new ResourceKey("networking.istio.io", "VirtualService",
                "shop", "cart"), f.get("desired"), null);
        assertThat(drift).singleElement().extracting(Drift::actual).isEqualTo("<absent>");
    }

    @Test
    void managedFieldsResolveKeyedListItems() throws IOException {
        JsonNode svc = fixture("service-keyed-ports.json");
        ManagedFields mf = ManagedFields.of(svc);
        assertThat(mf.owners(svc, List.of("spec", "ports", 0, "targetPort"))).containsExactly("meshcd");
        assertThat(mf.owners(svc, List.of("spec", "ports", 1, "name"))).containsExactly("kube-controller-manager");
        assertThat(mf.owners(svc, List.of("spec", "selector", "app"))).containsExactly("meshcd");
        assertThat(mf.owners(svc, List.of("spec", "clusterIP"))).isEmpty();
        assertThat(mf.ownedBy("meshcd")).hasSize(4); // name, port, targetPort of port 80; selector
    }
}
