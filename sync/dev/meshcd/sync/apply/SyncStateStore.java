package dev.meshcd.sync.apply;

import dev.meshcd.kube.Ownership;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last applied commit of a sync, kept in the cluster (ConfigMap {@code meshcd-sync-<name>} in meshcd's
 * namespace, {@code meshcd-system} unless set) so a restarted or newly elected meshcd resumes from it.
 */
public final class SyncStateStore {
    /** What was applied last. */
    public record State(String commit, String branch, String url, Instant appliedAt, int objects) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    /** the namespace was seen or created: saves skip the check (one round trip fewer per sync). */
    private volatile boolean namespaceSeen;

    public SyncStateStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }


    public String configMapName() {
        return "meshcd-sync-" + name;
    }

    public Optional<State> load() {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(configMapName()).get();
        if (cm == null || cm.getData() == null || cm.getData().get("commit") == null) {
            return Optional.empty();
        }
        Map<String, String> d = cm.getData();
        Instant at = null;
        try {
            at = d.get("appliedAt") == null ? null : Instant.parse(d.get("appliedAt"));
        } catch (RuntimeException e) {
            // tolerate a hand-edited value
        }
        int objects = 0;
        try {
            objects = Integer.parseInt(d.getOrDefault("objects", "0"));
        } catch (NumberFormatException e) {
            // ditto
        }
        return Optional.of(new State(d.get("commit"), d.get("branch"), d.get("url"), at, objects));
    }

    public void save(State state) {
        if (!namespaceSeen) {
            ensureNamespace(client, namespace);
            namespaceSeen = true; // a save that fails because it was deleted since clears this again
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("commit", state.commit());
        data.put("branch", state.branch());
        data.put("url", state.url());
        data.put("appliedAt", state.appliedAt().toString());
        data.put("objects", Integer.toString(state.objects()));
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(configMapName()).withNamespace(namespace)
                .addToLabels(Ownership.MANAGED_BY, Ownership.MANAGER).endMetadata().withData(data).build();
        try {
            client.configMaps().inNamespace(namespace).resource(cm).fieldManager(Ownership.FIELD_MANAGER).forceConflicts()
                    .serverSideApply();
        } catch (KubernetesClientException e) {
            namespaceSeen = false;
            throw e;
        }
    }

    /** Creates {@code namespace} when missing. */
    public static void ensureNamespace(KubernetesClient client, String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                        .build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }
}
