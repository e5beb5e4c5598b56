package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * meshcd's webhook started while the API server is down (a private control plane, its kube-apiserver stopped):
 * it serves, says it is not ready but alive, and once the API server is back it watches every kind, Istio's
 * included, and turns ready on its own, with no restart.
 */
@Tag("cluster")
class ApiServerDownAtStartTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startPrivate();
        // The CRDs were installed by LocalCluster: wait until discovery serves Istio's group.
        Await.until(Duration.ofSeconds(60), "Istio CRDs served",
                () -> cluster.client().getApiGroup("networking.istio.io") != null);
        cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                .build()).create();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void startsWithoutTheApiServerAndCatchesUpWhenItIsBack() throws Exception {
        KubernetesClient client = cluster.client();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // Installed before meshcd ever ran: no caBundle yet, so the validating webhook starts as Ignore.
        InstallManifests.apply(client, InstallManifests.render(InstallManifests.Options.defaults()
                .withWebhookUrl("https://127.0.0.1:" + port)));
        var validating = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(InstallManifests.VALIDATING_NAME);
        assertThat(validating.get().getWebhooks().get(0).getFailurePolicy()).isEqualTo("Ignore");
        cluster.stopApiServer();
        AdmissionRuntime runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen("127.0.0.1", port)
                .certificates(CertStore.memory(), List.of("localhost", "127.0.0.1")).client(client)
                .compiler(TestValidators::compiler).syncWait(Duration.ofSeconds(2)).build());
        try {
            runtime.start();
            HttpClient http = Reviews.client(runtime.certificates().current().ca().cert());
            assertThat(Reviews.get(http, runtime.port(), "/readyz").statusCode()).isEqualTo(503);
            assertThat(Reviews.get(http, runtime.port(), "/healthz").statusCode()).as("alive: it is retrying").isEqualTo(200);

            cluster.startApiServer();
            Await.until(Duration.ofSeconds(90), "ready once the API server is back",
                    () -> Reviews.get(http, runtime.port(), "/readyz").statusCode() == 200);
            GenericKubernetesResource vs = new GenericKubernetesResource();
            vs.setApiVersion("networking.istio.io/v1");
            vs.setKind("VirtualService");
            vs.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("cart").withNamespace("shop")
                    .build());
            vs.setAdditionalProperties(Map.of("spec", Map.of("hosts", List.of("cart"),
                    "http", List.of(Map.of("route", List.of(Map.of("destination", Map.of("host", "cart"))))))));
            client.genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
                    .withVersion("v1").withKind("VirtualService").withPlural("virtualservices").withNamespaced(true)
                    .build()).resource(vs).create();
            Await.until(Duration.ofSeconds(30), "the Istio kinds are watched", () -> runtime.snapshot().resources()
                    .stream().anyMatch(r -> r.kind().kind().equals("VirtualService") && r.name().equals("cart")));
            assertThat(Reviews.get(http, runtime.port(), "/healthz").statusCode()).isEqualTo(200);
            // The caBundle was written once the API server answered, and the webhook switched to Fail.
            Await.until(Duration.ofSeconds(90), "caBundle written", () -> "Fail".equals(
                    validating.get().getWebhooks().get(0).getFailurePolicy()));
            assertThat(validating.get().getWebhooks().get(0).getClientConfig().getCaBundle()).isNotEmpty();
        } finally {
            validating.delete();
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(InstallManifests.MUTATING_NAME)
                    .delete();
            runtime.close();
        }
    }
}
