package dev.meshcd.admission.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Certificates in a {@code kubernetes.io/tls} Secret (plus {@code ca.crt}/{@code ca.key}), shared by all replicas.
 * The first replica to start creates it; the others read it.
 */
public final class SecretCertStore implements CertStore {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public SecretCertStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public Optional<Bundle> load() {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        if (s == null || s.getData() == null || !s.getData().keySet().containsAll(
                java.util.List.of("ca.crt", "ca.key", "tls.crt", "tls.key"))) {
            return Optional.empty();
        }
        Map<String, String> d = s.getData();
        return Optional.of(new Bundle(Certificates.parse(dec(d.get("ca.crt")), dec(d.get("ca.key"))),
                Certificates.parse(dec(d.get("tls.crt")), dec(d.get("tls.key")))));
    }

    @Override
    public void save(Bundle b) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("ca.crt", enc(b.ca().certPem()));
        data.put("ca.key", enc(b.ca().keyPem()));
        data.put("tls.crt", enc(b.serving().certPem()));
        data.put("tls.key", enc(b.serving().keyPem()));
        Secret secret = new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels("app.kubernetes.io/name", "meshcd").endMetadata()
                .withType("kubernetes.io/tls").withData(data).build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            client.secrets().inNamespace(namespace).withName(name).edit(s -> {
                s.setData(data);
                return s;
            });
        }
    }

    private static String enc(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String dec(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
