package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.cluster.NativeSidecarSupport;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Native sidecars only where the API server keeps an init container's restartPolicy (Kubernetes 1.29+). */
class NativeSidecarSupportTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}.{1} -> {2}")
    @CsvSource(nullValues = "null", value = {"1,20,false", "1,28,false", "1,29,true", "1,30+,true", "1,33,true",
            "2,0,true", "0,99,false", "1,'',false", "null,null,false", "v1,30,false"})
    void fromTheVersionTheApiServerReports(String major, String minor, boolean supported) {
        assertThat(NativeSidecarSupport.supported(major, minor)).isEqualTo(supported);
    }

    @Test
    void anUnreachableApiServerMeansRegularSidecars() {
        try (KubernetesClient unreachable = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("https://127.0.0.1:1")
                        .withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000).build()).build()) {
            assertThat(NativeSidecarSupport.of(unreachable)).isFalse();
        }
    }

    /**
     * Against the real API server: whether it keeps {@code restartPolicy: Always} on an init container (a server
     * dry run of a Pod) is what {@link NativeSidecarSupport#of} says, and the injector chosen from it puts
     * istio-proxy where that server runs it; the injected pod is accepted as it is.
     */
    @Test
    @Tag("cluster")
    @ExtendWith(LocalClusterExtension.class)
    void theApiServerDecides(LocalCluster cluster) throws Exception {
        KubernetesClient client = cluster.client();
        ObjectNode probe = (ObjectNode) JSON.readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"native-sidecar-probe","namespace":"default"},
                 "spec":{"initContainers":[{"name":"side","image":"example.invalid/side:1","restartPolicy":"Always"}],
                         "containers":[{"name":"app","image":"example.invalid/app:1"}]}}""");
        JsonNode kept = dryRun(client, probe).path("spec").path("initContainers").path(0).path("restartPolicy");
        boolean serverKeepsIt = "Always".equals(kept.asText(null));
        assertThat(NativeSidecarSupport.of(client)).isEqualTo(serverKeepsIt);

        IstioSidecarInjector injector = new IstioSidecarInjector(
                InjectionSettings.defaults().withNativeSidecars(NativeSidecarSupport.of(client)));
        ObjectNode pod = (ObjectNode) JSON.readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"injected-probe","namespace":"default",
                 "labels":{"app":"web"}},"spec":{"serviceAccountName":"default",
                 "containers":[{"name":"web","image":"example.invalid/web:1"}]}}""");
        // (serviceAccountName as the ServiceAccount admission plugin sets it; the test cluster runs without it)
        ObjectNode injected = injector.inject(pod, "default", Map.of("istio-injection", "enabled")).pod();
        JsonNode created = dryRun(client, injected).path("spec");
        String where = serverKeepsIt ? "initContainers" : "containers";
        assertThat(created.path(where).findValuesAsText("name")).contains("istio-proxy");
        assertThat(created.path(serverKeepsIt ? "containers" : "initContainers").findValuesAsText("name"))
                .doesNotContain("istio-proxy");
    }

    private static JsonNode dryRun(KubernetesClient client, ObjectNode pod) throws Exception {
        GenericKubernetesResource r = JSON.treeToValue(pod, GenericKubernetesResource.class);
        GenericKubernetesResource out = client.genericKubernetesResources("v1", "Pod").inNamespace("default")
                .resource(r).dryRun().create();
        return JSON.valueToTree(client.getKubernetesSerialization().convertValue(out, JsonNode.class));
    }
}
