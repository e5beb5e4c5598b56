package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Without an API server, a kind's resource name cannot be learned: apply fails as a transport failure (code -1,
 * what the Applier treats as "API server unreachable"), and listing fails, never guessing a URL.
 */
class KubeObjectsTest {
    static KubernetesClient unreachable() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1")
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000).build()).build();
    }

    @Test
    void applyingWithoutAnApiServerIsATransportFailure() throws Exception {
        try (KubernetesClient client = unreachable()) {
            KubeObjects kube = new KubeObjects(client);
            ResourceKey key = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");
            var body = new ObjectMapper().readTree("{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\"}");
            assertThatThrownBy(() -> kube.serverSideApply(key, "networking.istio.io/v1", body, Ownership.FIELD_MANAGER,
                    false)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(-1);
                        assertThat(e.getMessage()).startsWith("apply " + key.display() + ": ");
                    });
        }
    }

    @Test
    void listingWithoutAnApiServerFails() {
        try (KubernetesClient client = unreachable()) {
            assertThatThrownBy(() -> new KubeObjects(client).listManaged(Set.of()))
                    .isInstanceOf(KubernetesClientException.class);
        }
    }
}
