package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The API server killed (SIGKILL) and restarted while meshcd's webhooks serve, on a private control plane: every
 * review sent meanwhile is answered, with the verdict the last state received gives; /readyz stays 200 and says the
 * watches are reconnecting, /healthz stays 200; once the API server is back the watches resume, a change made
 * through it reaches the verdicts, and /readyz says plain "ok" again.
 */
@Tag("cluster")
class ApiServerOutageTest {
    static LocalCluster cluster;
    static final ResourceDefinitionContext DR = new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
            .withVersion("v1").withKind("DestinationRule").withPlural("destinationrules").withNamespaced(true).build();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startPrivate();
        Await.until(Duration.ofSeconds(60), "Istio CRDs served",
                () -> cluster.client().getApiGroup("networking.istio.io") != null);
        cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata()
                .build()).create();
        Await.until(Duration.ofSeconds(30), "DestinationRules accepted", () -> {
            try {
                cluster.client().genericKubernetesResources(DR).resource(destinationRule("v1")).createOr(
                        r -> r.update());
                return true;
            } catch (KubernetesClientException e) {
                return false; // the CRD is not established yet
            }
        });
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static GenericKubernetesResource destinationRule(String... subsets) {
        GenericKubernetesResource dr = new GenericKubernetesResource();
        dr.setApiVersion("networking.istio.io/v1");
        dr.setKind("DestinationRule");
        dr.setMetadata(new ObjectMetaBuilder().withName("cart").withNamespace("shop").build());
        dr.setAdditionalProperties(Map.of("spec", Map.of("host", "cart", "subsets",
                java.util.Arrays.stream(subsets).map(s -> Map.of("name", s, "labels", Map.of("version", s))).toList())));
        return dr;
    }

    /** A review of a VirtualService routing to {@code subset} of cart: allowed only while cart's rule defines it. */
    static byte[] routeTo(String subset) {
        return Reviews.review("CREATE", "alice", Reviews.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart-SUBSET, namespace: shop}
                spec:
                  hosts: [cart]
                  http: [{route: [{destination: {host: cart, subset: SUBSET}}]}]
                """.replace("SUBSET", subset)), null, false);
    }

    @Test
    void webhooksAnswerFromTheLastStateWhileTheApiServerIsAwayAndCatchUpAfter() throws Exception {
        KubernetesClient client = cluster.client();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        InstallManifests.apply(client, InstallManifests.render(InstallManifests.Options.defaults()
                .withWebhookUrl("https://127.0.0.1:" + port)));
        var validating = client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(InstallManifests.VALIDATING_NAME);
        AdmissionRuntime runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen("127.0.0.1", port)
                .certificates(CertStore.memory(), List.of("localhost", "127.0.0.1")).client(client)
                .compiler(TestValidators::compiler).syncWait(Duration.ofSeconds(30)).build());
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger answered = new AtomicInteger();
        Thread load = null;
        try {
            runtime.start();
            HttpClient http = Reviews.client(runtime.certificates().current().ca().cert());
            Await.until(Duration.ofSeconds(60), "ready", () -> Reviews.get(http, runtime.port(), "/readyz").statusCode() == 200);
            Await.until(Duration.ofSeconds(60), "cart's rule in the snapshot", () -> !allowed(http, runtime, "v2")
                    && allowed(http, runtime, "v1"));
            Await.until(Duration.ofSeconds(60), "caBundle written (Fail)",
                    () -> "Fail".equals(validating.get().getWebhooks().get(0).getFailurePolicy()));

            // Reviews as the API server would send them, without pause, through the outage: v1 allowed, v2 denied.
            load = new Thread(() -> {
                while (running.get()) {
                    for (String subset : List.of("v1", "v2")) {
                        try {
                            HttpResponse<String> r = Reviews.post(http, runtime.port(), "/validate", routeTo(subset));
                            boolean allowed = r.statusCode() == 200 && Reviews.response(r).path("allowed").asBoolean();
                            if (r.statusCode() != 200 || allowed != subset.equals("v1")) {
                                failures.add(subset + ": HTTP " + r.statusCode() + " " + r.body());
                            }
                            answered.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(subset + ": " + e);
                        }
                    }
                }
            }, "reviews");
            load.start();

            cluster.stopApiServer();
            Await.until(Duration.ofSeconds(90), "/readyz says the watches are reconnecting", () -> {
                HttpResponse<String> r = Reviews.get(http, runtime.port(), "/readyz");
                return r.statusCode() == 200 && r.body().contains("reconnecting");
            });
            assertThat(Reviews.get(http, runtime.port(), "/healthz").statusCode()).as("alive: it is retrying").isEqualTo(200);
            int before = answered.get();
            Await.until(Duration.ofSeconds(60), "reviews answered while the API server is down",
                    () -> answered.get() >= before + 50);

            cluster.startApiServer();
            Await.until(Duration.ofSeconds(120), "/readyz plain ok once the watches are back",
                    () -> Reviews.get(http, runtime.port(), "/readyz").body().equals("ok"));
            running.set(false);
            load.join();
            assertThat(failures).as("reviews failed or answered wrongly during the outage").isEmpty();

            // Back: a change made through the API server (which asks this webhook) reaches the verdicts.
            client.genericKubernetesResources(DR).resource(destinationRule("v1", "v2")).update();
            Await.until(Duration.ofSeconds(60), "the new subset is known", () -> allowed(http, runtime, "v2"));
        } finally {
            running.set(false);
            if (load != null) {
                load.join();
            }
            validating.delete();
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(InstallManifests.MUTATING_NAME)
                    .delete();
            runtime.close();
        }
    }

    static boolean allowed(HttpClient http, AdmissionRuntime runtime, String subset) {
        HttpResponse<String> r = Reviews.post(http, runtime.port(), "/validate", routeTo(subset));
        return r.statusCode() == 200 && Reviews.response(r).path("allowed").asBoolean();
    }
}
