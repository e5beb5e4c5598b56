package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.Origin;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalCluster.Kubectl;
import dev.meshcd.testing.LocalClusterExtension;
import dev.meshcd.testing.Await;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * meshcd's webhooks registered with a real kube-apiserver (at https://127.0.0.1:PORT), driven with the real
 * kubectl and fabric8: what a user of the cluster sees.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdmissionClusterTest {
    static final String NS = "admission-e2e";
    static final String MESH_NS = "admission-mesh";
    static final ResourceDefinitionContext VS = new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
            .withVersion("v1").withKind("VirtualService").withPlural("virtualservices").withNamespaced(true).build();

    LocalCluster cluster;
    KubernetesClient client;
    Compiler compiler;
    AdmissionRuntime runtime;

    @BeforeAll
    void start(LocalCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.client();
        compiler = TestValidators.compiler();
        kubectlOk(null, "create", "namespace", NS);
        kubectlOk(null, "create", "namespace", MESH_NS);
        kubectlOk(null, "label", "namespace", MESH_NS, "istio-injection=enabled");
        // alice may edit Istio config in NS (RBAC lets her; meshcd's ownership guard may not)
        kubectlOk("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: istio-editor-e2e}
                rules:
                - apiGroups: [networking.istio.io]
                  resources: ["*"]
                  verbs: ["*"]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: alice-istio-editor, namespace: %s}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: istio-editor-e2e}
                subjects:
                - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
                """.formatted(NS), "apply", "-f", "-");
        runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen("127.0.0.1", 0)
                .certificates(CertStore.memory(), List.of("localhost", "127.0.0.1")).client(client)
                .compiler(() -> compiler).injector(new TestInjector())
                .syncIdentities(Set.of("admin", OwnershipGuard.DEFAULT_SYNC_IDENTITY)).maxBody(3L * 1024 * 1024)
                .build()).start();
        InstallManifests.Options o = InstallManifests.Options.defaults()
                .withWebhookUrl("https://127.0.0.1:" + runtime.port())
                .withCaBundle(runtime.certificates().current().ca().certPem());
        InstallManifests.apply(client, InstallManifests.render(o));
        Await.until(Duration.ofSeconds(30), "informers synced", () -> runtime.snapshot().synced()
                && runtime.snapshot().namespaceLabels(MESH_NS).containsKey("istio-injection"));
    }

    @AfterAll
    void stop() {
        if (client != null) {
            // failurePolicy Fail: never leave webhooks pointing at a server that is gone
            client.admissionRegistration().v1().validatingWebhookConfigurations().withName(InstallManifests.VALIDATING_NAME).delete();
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(InstallManifests.MUTATING_NAME).delete();
            client.namespaces().withName(NS).delete();
            client.namespaces().withName(MESH_NS).delete();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    Kubectl.Result kubectl(String stdin, String... args) {
        return cluster.kubectl(stdin, args);
    }

    void kubectlOk(String stdin, String... args) {
        Kubectl.Result r = kubectl(stdin, args);
        assertThat(r.exit()).as("kubectl %s: %s", String.join(" ", args), r.all()).isZero();
    }

    static String vs(String name, String extra, int weight) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: %s
                  namespace: %s
                %s
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: %d
                """.formatted(name, NS, extra, weight);
    }

    boolean vsExists(String name) {
        return client.genericKubernetesResources(VS).inNamespace(NS).withName(name).get() != null;
    }

    @Test
    void invalidVirtualServiceIsDeniedWithMeshcdsMessage() {
        Kubectl.Result r = kubectl(vs("bad-weight", "", 150), "apply", "--validate=false", "-f", "-");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("admission webhook \"validation.meshcd.dev\" denied the request")
                .contains("meshcd denied VirtualService " + NS + "/bad-weight")
                .contains("IST0106 spec.http[0].route[0].weight: ");
        assertThat(vsExists("bad-weight")).isFalse();
    }

    @Test
    void validVirtualServiceIsCreated() {
        Kubectl.Result r = kubectl(vs("good", "", 100), "apply", "--validate=false", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("virtualservice.networking.istio.io/good created");
        assertThat(vsExists("good")).isTrue();
    }

    @Test
    void serverSideDryRunIsAnsweredTheSameWay() {
        Kubectl.Result bad = kubectl(vs("dry-bad", "", 150), "apply", "--dry-run=server", "--validate=false", "-f", "-");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.stderr()).contains("IST0106 spec.http[0].route[0].weight");
        Kubectl.Result good = kubectl(vs("dry-good", "", 100), "apply", "--dry-run=server", "--validate=false", "-f", "-");
        assertThat(good.exit()).as(good.all()).isZero();
        assertThat(good.stdout()).contains("created (server dry run)");
        assertThat(vsExists("dry-good")).isFalse();
    }

    static final String REVIEWS_SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: %s}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080, protocol: TCP}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: %s}
            spec:
              host: reviews
              subsets:
              - name: v1
                labels: {version: v1}
            """.formatted(NS, NS);

    static String subsetVs(String subset) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews-%s, namespace: %s}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews, subset: %s}
                """.formatted(subset, NS, subset);
    }

    /** Whether this build's analyzers report IST0101 (ReferencedResourceNotFound) for a missing subset. */
    boolean subsetAnalyzerPresent() {
        Diagnostics d = new Diagnostics();
        List<Resource> rs = new ArrayList<>();
        for (String doc : (REVIEWS_SERVICE + "---\n" + subsetVs("v2")).split("(?m)^---$")) {
            rs.addAll(compiler.decoder().decode(Reviews.yaml(doc), Origin.NONE, d));
        }
        return compiler.analyze(rs, d).diagnostics().stream().anyMatch(x -> x.code().equals("IST0101"));
    }

    @Test
    void virtualServiceReferencingAMissingSubsetIsDenied() {
        Assumptions.assumeTrue(subsetAnalyzerPresent(),
                "no analyzer reports IST0101 for a missing DestinationRule subset in this build yet");
        kubectlOk(REVIEWS_SERVICE, "apply", "--validate=false", "-f", "-");
        Await.until(Duration.ofSeconds(10), "DestinationRule in snapshot", () -> runtime.snapshot().resources().stream()
                .anyMatch(r -> r.key().kind().equals("DestinationRule") && r.namespace().equals(NS)));
        Kubectl.Result ok = kubectl(subsetVs("v1"), "apply", "--validate=false", "-f", "-");
        assertThat(ok.exit()).as(ok.all()).isZero();
        Kubectl.Result r = kubectl(subsetVs("v2"), "apply", "--validate=false", "-f", "-");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("meshcd denied VirtualService " + NS + "/reviews-v2").contains("IST0101");
    }

    static String pod(String name, String labels) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: %s
                  labels: {app: demo%s}
                spec:
                  containers:
                  - {name: app, image: example.invalid/app:1}
                """.formatted(name, MESH_NS, labels);
    }

    @Test
    void podsInAnInjectionEnabledNamespaceGoThroughInject() {
        Kubectl.Result r = kubectl(pod("injected", ""), "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        Pod p = client.pods().inNamespace(MESH_NS).withName("injected").get();
        assertThat(p.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("app", "istio-proxy");
        assertThat(p.getMetadata().getAnnotations()).containsKey("sidecar.istio.io/status");
        // the mesh root certificate is published in the namespace
        Await.until(Duration.ofSeconds(15), "istio-ca-root-cert published", () ->
                client.configMaps().inNamespace(MESH_NS).withName("istio-ca-root-cert").get() != null);
        assertThat(client.configMaps().inNamespace(MESH_NS).withName("istio-ca-root-cert").get().getData().get("root-cert.pem"))
                .isEqualTo(runtime.certificates().current().ca().certPem());
        assertThat(client.configMaps().inNamespace(NS).withName("istio-ca-root-cert").get()).isNull();
    }

    @Test
    void optOutLabelSkipsInjection() {
        Kubectl.Result r = kubectl(pod("opted-out", ", sidecar.istio.io/inject: \"false\""), "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        Pod p = client.pods().inNamespace(MESH_NS).withName("opted-out").get();
        assertThat(p.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("app");
    }

    @Test
    void podsOutsideEnabledNamespacesAreNotSentToTheWebhook() {
        Kubectl.Result r = kubectl(pod("plain", "").replace(MESH_NS, NS), "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(client.pods().inNamespace(NS).withName("plain").get().getSpec().getContainers()).hasSize(1);
    }

    @Test
    void gitManagedResourceCannotBeEditedByAnOrdinaryUser() {
        String managed = vs("from-git", """
                  labels: {app.kubernetes.io/managed-by: meshcd}
                  annotations: {meshcd.dev/repo: "https://git.example.com/mesh.git", meshcd.dev/source: "reviews/vs.yaml"}
                """.stripTrailing(), 100);
        // the sync identity (here: the admin user) creates it
        kubectlOk(managed, "apply", "--validate=false", "-f", "-");
        // alice may edit VirtualServices (RBAC), but not this one
        Kubectl.Result edit = kubectl(managed.replace("weight: 100", "weight: 90"), "apply", "--as=alice",
                "--validate=false", "-f", "-");
        assertThat(edit.exit()).isNotZero();
        assertThat(edit.stderr()).contains("managed by Git: https://git.example.com/mesh.git reviews/vs.yaml; change it there");
        Kubectl.Result delete = kubectl(null, "delete", "--as=alice", "-n", NS, "virtualservice", "from-git");
        assertThat(delete.exit()).isNotZero();
        assertThat(delete.stderr()).contains("managed by Git");
        assertThat(vsExists("from-git")).isTrue();
        // break-glass: allowed, audited
        Kubectl.Result glass = kubectl(null, "annotate", "--as=alice", "-n", NS, "virtualservice", "from-git",
                "meshcd.dev/break-glass=INC-1234 rollback");
        assertThat(glass.exit()).as(glass.all()).isZero();
    }

    @Test
    void servingCertificateRotatesDuringAStreamOfRequestsWithoutAFailure() throws Exception {
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.math.BigInteger firstSerial = runtime.certificates().current().serving().cert().getSerialNumber();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                int i = 0;
                while (running.get()) {
                    String name = "rot-" + id + "-" + (i++ % 5);
                    try {
                        GenericKubernetesResource obj = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                                vs(name, "", 100), GenericKubernetesResource.class);
                        client.genericKubernetesResources(VS).inNamespace(NS).resource(obj).createOr(e -> e.update());
                        done.incrementAndGet();
                    } catch (KubernetesClientException e) {
                        failures.add(e.getMessage());
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (int k = 1; k <= 6; k++) {
            int target = k * 4;
            Await.until(Duration.ofSeconds(60), target + " requests through the API server", () -> done.get() >= target);
            if (k < 6) {
                runtime.certificates().rotate();
            }
        }
        running.set(false);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        assertThat(runtime.certificates().current().serving().cert().getSerialNumber()).isNotEqualTo(firstSerial);
        // a new connection sees the new certificate
        java.security.cert.X509Certificate served = servedCertificate(runtime.port());
        assertThat(served.getSerialNumber()).isEqualTo(runtime.certificates().current().serving().cert().getSerialNumber());
    }

    static java.security.cert.X509Certificate servedCertificate(int port) throws Exception {
        javax.net.ssl.SSLContext ctx = Reviews.trustAll();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return (java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void inClusterInstallIsAcceptedByTheApiServer() {
        List<io.fabric8.kubernetes.api.model.HasMetadata> objs = InstallManifests.render(InstallManifests.Options.defaults());
        // the webhook configurations are in use by this test class: dry-run the rest
        // (and the Role in Istio's namespace: it exists only where Istio is installed, and apply skips it otherwise)
        boolean istio = client.namespaces().withName("istio-system").get() != null;
        List<io.fabric8.kubernetes.api.model.HasMetadata> rest = objs.stream()
                .filter(h -> !h.getKind().endsWith("WebhookConfiguration"))
                .filter(h -> istio || !"istio-system".equals(h.getMetadata().getNamespace())).toList();
        InstallManifests.apply(client, rest, true);
        assertThat(client.apps().deployments().inNamespace("meshcd-system").withName("meshcd").get()).isNull();
        // and kubectl agrees (policy/v1 PodDisruptionBudgets exist from 1.21 on)
        boolean pdbV1 = client.supports("policy/v1", "PodDisruptionBudget");
        String yaml = InstallManifests.yaml(rest.stream().filter(h -> pdbV1 || !h.getKind().equals("PodDisruptionBudget")).toList());
        Kubectl.Result r = kubectl(yaml, "apply", "--dry-run=server", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("deployment.apps/meshcd created (server dry run)")
                .contains("clusterrole.rbac.authorization.k8s.io/meshcd created (server dry run)");
    }
}
