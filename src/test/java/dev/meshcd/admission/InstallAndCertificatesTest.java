package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.install.CrdInstaller;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.admission.tls.DirCertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallAndCertificatesTest {
    static <T> T only(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void inClusterInstallHasEverythingTheWebhookNeeds() {
        List<HasMetadata> objs = InstallManifests.render(InstallManifests.Options.defaults());
        assertThat(objs).extracting(HasMetadata::getKind).containsExactly("Namespace", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "Role", "RoleBinding", "Deployment", "Service", "PodDisruptionBudget",
                "NetworkPolicy", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
        ValidatingWebhook w = only(objs, ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        // Ignore until meshcd has written the caBundle (patchCaBundle then switches it to Fail)
        assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(w.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactly("kube-system", "kube-public", "kube-node-lease", "meshcd-system");
        });
        assertThat(w.getTimeoutSeconds()).isEqualTo(5);
        assertThat(w.getSideEffects()).isEqualTo("None");
        assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(w.getRules().get(0).getApiGroups()).containsExactlyInAnyOrderElementsOf(InstallManifests.MANAGED_GROUPS);
        assertThat(w.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE", "DELETE");
        assertThat(w.getClientConfig().getService().getName()).isEqualTo("meshcd-webhook");
        assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/validate");
        MutatingWebhookConfiguration m = only(objs, MutatingWebhookConfiguration.class);
        assertThat(m.getWebhooks()).allSatisfy(mw -> {
            assertThat(mw.getRules().get(0).getResources()).containsExactly("pods");
            assertThat(mw.getObjectSelector().getMatchExpressions().get(0).getKey()).isEqualTo("sidecar.istio.io/inject");
            // opting out with sidecar.istio.io/inject=false: every webhook but the one selecting =true
            assertThat(mw.getObjectSelector().getMatchExpressions().get(0).getValues())
                    .containsExactly(mw.getName().startsWith("object.") ? "true" : "false");
        });
        // istiod's chart's selectors for the default revision (InstallSelectorsTest checks them pod by pod)
        assertThat(m.getWebhooks()).extracting(MutatingWebhook::getName).containsExactly(
                "rev.namespace.injection.meshcd.dev", "rev.object.injection.meshcd.dev",
                "namespace.injection.meshcd.dev", "object.injection.meshcd.dev");
        // least privilege: no write access to Istio config, no wildcard verbs
        ClusterRole role = only(objs, ClusterRole.class);
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*", "delete"));
        assertThat(role.getRules()).filteredOn(r -> r.getApiGroups().contains("networking.istio.io"))
                .allSatisfy(r -> assertThat(r.getVerbs()).containsExactly("get", "list", "watch"));
        assertThat(m.getWebhooks()).allSatisfy(mw -> assertThat(mw.getNamespaceSelector().getMatchExpressions())
                .anySatisfy(e -> assertThat(e.getValues()).contains("kube-system", "meshcd-system")));
        // ConfigMap writes: the root certificate's name only (create cannot be limited by name)
        assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("configmaps")).allSatisfy(r ->
                assertThat(r.getVerbs().equals(List.of("create")) || r.getResourceNames().equals(List.of("istio-ca-root-cert")))
                        .isTrue());
        io.fabric8.kubernetes.api.model.apps.Deployment d = only(objs, io.fabric8.kubernetes.api.model.apps.Deployment.class);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).doesNotEndWith(":latest");
        var policy = only(objs, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(i ->
                assertThat(i.getPorts()).singleElement().satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(8443)));
        assertThat(InstallManifests.yaml(objs)).contains("kind: \"Deployment\"").contains("replicas: 2");
    }

    @Test
    void webhookUrlModeRendersOnlyTheWebhookConfigurations() {
        List<HasMetadata> objs = InstallManifests.render(InstallManifests.Options.defaults()
                .withWebhookUrl("https://127.0.0.1:9443").withCaBundle("PEM"));
        assertThat(objs).extracting(HasMetadata::getKind)
                .containsExactly("Namespace", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
        ValidatingWebhook w = only(objs, ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(w.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:9443/validate");
        assertThat(w.getClientConfig().getCaBundle()).isEqualTo("UEVN");
        assertThat(w.getFailurePolicy()).as("the caBundle is known: Fail from the start").isEqualTo("Fail");
        assertThat(only(objs, MutatingWebhookConfiguration.class).getWebhooks().get(0).getClientConfig().getUrl())
                .isEqualTo("https://127.0.0.1:9443/inject");
    }

    @Test
    void celRulesAreStrippedEverywhere() {
        Path crds = Path.of("schemas/istio/crd-all.gen.yaml"); // the bundle meshcd ships
        Assumptions.assumeTrue(Files.exists(crds), "Istio CRDs not available");
        List<ObjectNode> docs = CrdInstaller.read(crds);
        assertThat(docs).hasSizeGreaterThanOrEqualTo(14);
        int removed = docs.stream().mapToInt(CrdInstaller::stripCelRules).sum();
        assertThat(removed).isGreaterThan(100);
        assertThat(docs.toString()).doesNotContain("x-kubernetes-validations");
    }

    @Test
    void servingCertificateCoversServiceNamesAndLoopbackAndSurvivesRestart(@TempDir Path dir) throws Exception {
        List<String> sans = ServingCertificates.serviceSans("meshcd-webhook", "meshcd-system");
        ServingCertificates certs = ServingCertificates.create(new DirCertStore(dir), sans);
        X509Certificate cert = certs.initialize().serving().cert();
        assertThat(cert.getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                .contains("meshcd-webhook.meshcd-system.svc", "meshcd-webhook.meshcd-system.svc.cluster.local", "127.0.0.1");
        cert.verify(certs.current().ca().cert().getPublicKey());
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(Files.getPosixFilePermissions(dir.resolve("tls.key"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        // a restart reuses what is stored
        ServingCertificates again = ServingCertificates.create(new DirCertStore(dir), sans);
        assertThat(again.initialize().serving().cert()).isEqualTo(cert);
        // rotation keeps the CA (the caBundle stays valid) and changes the serving certificate
        var rotated = again.rotate();
        assertThat(rotated.ca().cert()).isEqualTo(certs.current().ca().cert());
        assertThat(rotated.serving().cert().getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
        assertThat(new DirCertStore(dir).load().orElseThrow().serving().cert()).isEqualTo(rotated.serving().cert());
    }

    @Test
    void aCertificateCloseToExpiryIsRenewedByTheCheck() {
        CertStore store = CertStore.memory();
        ServingCertificates short_ = new ServingCertificates(store, List.of("127.0.0.1"), java.time.Duration.ofDays(10),
                java.time.Duration.ofHours(1), java.time.Duration.ofHours(2));
        var first = short_.initialize();
        java.util.concurrent.atomic.AtomicInteger notified = new java.util.concurrent.atomic.AtomicInteger();
        short_.onChange(b -> notified.incrementAndGet());
        short_.check();
        assertThat(short_.current().serving().cert()).isNotEqualTo(first.serving().cert());
        assertThat(notified.get()).isEqualTo(1);
    }
}
