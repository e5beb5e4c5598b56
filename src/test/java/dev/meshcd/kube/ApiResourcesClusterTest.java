package dev.meshcd.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.model.Kind;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ApiResources} against a real API server (Istio's CRDs installed by {@link LocalCluster}). */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class ApiResourcesClusterTest {
    /**
     * Against the real API server: the built-in table says what the server's discovery says (at some version of
     * each kind's group), and every Istio kind meshcd knows is found under the plural its installed CRD declares.
     */
    @Test
    void theApiServerAgrees(LocalCluster cluster) throws Exception {
        KubernetesClient client = cluster.client();
        ApiResources api = ApiResources.of(client);
        for (Map.Entry<Kind, ApiResource> e : ApiResources.builtIns().entrySet()) {
            Kind kind = e.getKey();
            List<String> versions = new ArrayList<>();
            if (kind.group().isEmpty()) {
                versions.add("v1");
            } else {
                APIGroup group = client.getApiGroup(kind.group());
                assertThat(group).as(kind.group()).isNotNull();
                versions.add(group.getPreferredVersion().getVersion());
                group.getVersions().forEach(v -> versions.add(v.getVersion()));
            }
            Optional<ApiResource> served = api.find(kind, versions);
            assertThat(served).as(kind + " at " + versions).isPresent();
            assertThat(served.get().plural()).as(kind.toString()).isEqualTo(e.getValue().plural());
            assertThat(served.get().namespaced()).as(kind.toString()).isEqualTo(e.getValue().namespaced());
        }
        for (List<ApiResource> crd : ApiResourcesTest.bundledCrds()) {
            for (ApiResource r : crd) {
                assertThat(api.require(r.group(), r.version(), r.kind())).isEqualTo(r);
            }
        }
    }
}
