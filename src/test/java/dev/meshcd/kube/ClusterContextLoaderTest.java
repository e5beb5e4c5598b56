package dev.meshcd.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link ClusterContextLoader} against a real API server: what it reads, what it leaves out, what it may not read. */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class ClusterContextLoaderTest {
    private static final String NS = "ctx-loader";
    private static final String MESH_NS = "ctx-loader-istio";
    private static KubernetesClient client;

    @BeforeAll
    static void objects(LocalCluster cluster) {
        client = cluster.client(cfg -> { });
        for (String yaml : List.of("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: ctx-loader, labels: {istio-injection: enabled}}
                """, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: ctx-loader-istio}
                """, """
                apiVersion: v1
                kind: Service
                metadata: {name: ratings, namespace: ctx-loader}
                spec:
                  selector: {app: ratings}
                  ports: [{name: http, port: 9080, protocol: TCP}]
                """, """
                apiVersion: v1
                kind: Pod
                metadata: {name: ratings-1, namespace: ctx-loader, labels: {app: ratings, version: v1}}
                spec:
                  serviceAccountName: ratings
                  containers:
                  - name: app
                    image: example/ratings:1
                    env: [{name: PASSWORD, value: hunter2}]
                    ports: [{containerPort: 9080, protocol: TCP}]
                """, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: ratings
                  namespace: ctx-loader
                  annotations: {kubectl.kubernetes.io/last-applied-configuration: '{"big": "blob"}'}
                spec:
                  selector: {matchLabels: {app: ratings}}
                  template:
                    metadata: {labels: {app: ratings, version: v1}}
                    spec:
                      containers: [{name: app, image: example/ratings:1, env: [{name: TOKEN, value: s3cr3t}]}]
                """, """
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata:
                  name: ratings-abc
                  namespace: ctx-loader
                  ownerReferences:
                  - {apiVersion: apps/v1, kind: Deployment, name: ratings, uid: 00000000-0000-0000-0000-000000000001, controller: true}
                spec:
                  selector: {matchLabels: {app: ratings}}
                  template:
                    metadata: {labels: {app: ratings}}
                    spec: {containers: [{name: app, image: example/ratings:1}]}
                """, """
                apiVersion: v1
                kind: Secret
                metadata: {name: ratings-cert, namespace: ctx-loader}
                stringData: {tls.key: PRIVATE-KEY-MATERIAL}
                """, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: ctx-loader-istio}
                data:
                  mesh: "trustDomain: example.org"
                  unrelated: "dropped"
                """, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-sidecar-injector, namespace: ctx-loader-istio}
                data:
                  values: '{"global": {"hub": "example"}}'
                  config: "large injection templates: unrelated"
                """, """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: ctx-loader-injector}
                webhooks:
                - name: namespace.sidecar-injector.istio.io
                  admissionReviewVersions: [v1]
                  sideEffects: None
                  failurePolicy: Ignore
                  namespaceSelector: {matchLabels: {ctx-loader-never: "true"}}
                  clientConfig: {url: "https://istiod.example.org:15017/inject"}
                """, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: ratings, namespace: ctx-loader}
                spec:
                  hosts: [ratings]
                  http: [{route: [{destination: {host: ratings}}]}]
                """)) {
            HasMetadata object = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
            client.resource(object).serverSideApply();
        }
    }

    @AfterAll
    static void cleanUp() {
        client.namespaces().withName(NS).delete();
        client.namespaces().withName(MESH_NS).delete();
        client.rbac().clusterRoles().withName("ctx-loader-no-secrets").delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("ctx-loader-injector").delete();
        client.rbac().clusterRoleBindings().withName("ctx-loader-no-secrets").delete();
        client.close();
    }

    private static ClusterContextLoader.Result load(KubernetesClient c) {
        return new ClusterContextLoader(c, ApiResources.of(c), KindRegistry.standard()).load(MESH_NS);
    }

    private static Optional<Resource> find(ClusterContextLoader.Result r, String group, String kind, String ns,
                                           String name) {
        ResourceKey key = new ResourceKey(group, kind, ns, name);
        return r.context().resources().stream().filter(x -> x.key().equals(key)).findFirst();
    }

    @Test
    void readsWhatAnalysisReadsAsACompleteView() {
        ClusterContextLoader.Result result = load(client);

        assertThat(result.notes()).isEmpty();
        assertThat(result.context().complete()).isTrue();
        assertThat(result.context().source()).startsWith("cluster https://127.0.0.1");
        assertThat(find(result, "", "Namespace", "", NS)).get()
                .satisfies(ns -> assertThat(ns.labels()).containsEntry("istio-injection", "enabled"));
        assertThat(find(result, "", "Service", NS, "ratings")).isPresent();
        assertThat(find(result, "networking.istio.io", "VirtualService", NS, "ratings")).isPresent();
        assertThat(find(result, "apps", "Deployment", NS, "ratings")).isPresent();
        assertThat(find(result, "", "Pod", NS, "ratings-1")).get()
                .satisfies(pod -> assertThat(pod.labels()).containsEntry("version", "v1"));
        assertThat(find(result, "", "ConfigMap", MESH_NS, "istio")).get()
                .satisfies(cm -> assertThat(cm.object().path("data").path("mesh").asText()).contains("example.org"));
        assertThat(find(result, "", "ConfigMap", MESH_NS, "istio-sidecar-injector")).get()
                .satisfies(cm -> assertThat(cm.object().path("data").path("values").asText()).contains("example"));
        assertThat(find(result, "admissionregistration.k8s.io", "MutatingWebhookConfiguration", "", "ctx-loader-injector"))
                .isPresent();
        // the kube-apiserver's own Service in default: a whole cluster, not just one namespace
        assertThat(find(result, "", "Service", "default", "kubernetes")).isPresent();
    }

    @Test
    void leavesOutWhatAnalysisDoesNotNeedAndNeverHoldsSecretData() {
        ClusterContextLoader.Result result = load(client);
        String all = result.context().resources().stream().map(r -> r.object().toString()).reduce("", String::concat);

        assertThat(find(result, "", "Secret", NS, "ratings-cert")).get()
                .satisfies(s -> assertThat(s.object().has("data")).isFalse());
        assertThat(all).doesNotContain("PRIVATE-KEY-MATERIAL").doesNotContain("hunter2").doesNotContain("s3cr3t")
                .doesNotContain("last-applied-configuration").doesNotContain("managedFields")
                .doesNotContain("unrelated");
        assertThat(find(result, "apps", "ReplicaSet", NS, "ratings-abc"))
                .as("a Deployment's ReplicaSet: the Deployment stands for it").isEmpty();
        assertThat(find(result, "", "Pod", NS, "ratings-1")).get().satisfies(pod -> {
            assertThat(pod.spec().path("serviceAccountName").asText()).isEqualTo("ratings");
            assertThat(pod.spec().path("containers").path(0).path("image").asText()).isEqualTo("example/ratings:1");
            assertThat(pod.spec().path("containers").path(0).path("ports").path(0).path("containerPort").asInt())
                    .isEqualTo(9080);
        });
    }

    @Test
    void whatTheCredentialsMayNotListIsANoteNotAFailure(LocalCluster cluster) {
        client.resource(new ClusterRoleBuilder().withNewMetadata().withName("ctx-loader-no-secrets").endMetadata()
                .addNewRule().withApiGroups("").withResources("namespaces", "services", "pods", "configmaps")
                .withVerbs("get", "list").endRule()
                .addNewRule().withApiGroups("apps", "batch", "networking.istio.io", "security.istio.io",
                        "telemetry.istio.io", "extensions.istio.io", "admissionregistration.k8s.io").withResources("*")
                .withVerbs("get", "list").endRule()
                .build()).serverSideApply();
        client.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("ctx-loader-no-secrets").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "ctx-loader-no-secrets")
                .addNewSubject().withKind("User").withName("ctx-loader-reader").withApiGroup("rbac.authorization.k8s.io")
                .endSubject().build()).serverSideApply();

        try (KubernetesClient reader = cluster.client(cfg -> cfg.setImpersonateUsername("ctx-loader-reader"))) {
            ClusterContextLoader.Result result = load(reader);

            assertThat(result.notes()).singleElement().asString().contains("may not list Secret");
            assertThat(find(result, "", "Service", NS, "ratings")).isPresent();
            assertThat(find(result, "", "Secret", NS, "ratings-cert")).isEmpty();
        }
    }
}
