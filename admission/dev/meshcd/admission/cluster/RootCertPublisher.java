package dev.meshcd.admission.cluster;

import dev.meshcd.kube.Ownership;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the mesh root certificate as the {@code istio-ca-root-cert} ConfigMap ({@code root-cert.pem})
 * in every namespace with injection enabled ({@code istio-injection=enabled} or an {@code istio.io/rev} label),
 * the way istiod does, so injected proxies can verify their peers.
 */
public final class RootCertPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(RootCertPublisher.class);
    public static final String NAME = "istio-ca-root-cert";
    public static final String KEY = "root-cert.pem";

    private final KubernetesClient client;
    private final String rootCertPem;

    public RootCertPublisher(KubernetesClient client, String rootCertPem) {
        this.client = client;
        this.rootCertPem = rootCertPem;
    }

    public static boolean injectionEnabled(Map<String, String> labels) {
        return labels != null && ("enabled".equals(labels.get("istio-injection"))
                || (labels.containsKey("istio.io/rev") && !"disabled".equals(labels.get("istio-injection"))));
    }

    /** Namespace listener for {@link InformerSnapshot#onNamespace}. */
    public void namespaceChanged(String namespace, Map<String, String> labels) {
        if (labels == null || !injectionEnabled(labels)) {
            return;
        }
        publish(namespace);
    }

    public void publish(String namespace) {
        try {
            var op = client.configMaps().inNamespace(namespace).withName(NAME);
            ConfigMap existing = op.get();
            if (existing != null && existing.getData() != null && rootCertPem.equals(existing.getData().get(KEY))) {
                return;
            }
            ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(NAME).withNamespace(namespace)
                    .addToLabels("istio.io/config", "true").addToLabels(Ownership.MANAGED_BY, "meshcd-admission")
                    .endMetadata().withData(Map.of(KEY, rootCertPem)).build();
            if (existing == null) {
                client.configMaps().inNamespace(namespace).resource(cm).create();
            } else {
                op.edit(c -> {
                    c.setData(Map.of(KEY, rootCertPem));
                    return c;
                });
            }
            LOG.info("published {} in namespace {}", NAME, namespace);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warn("cannot publish {} in {}: {}", NAME, namespace, e.getMessage());
            }
        }
    }
}
