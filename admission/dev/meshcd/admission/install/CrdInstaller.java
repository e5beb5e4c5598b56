package dev.meshcd.admission.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Istio's CRDs ({@code schemas/istio/crd-all.gen.yaml}, shipped in meshcd's jar) with fabric8.
 * API servers older than 1.25 know no {@code x-kubernetes-validations}: when a server rejects them they are
 * stripped and the CRD is applied again (meshcd's webhook enforces those rules itself).
 */
public final class CrdInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(CrdInstaller.class);
    public static final String RESOURCE = "schemas/istio/crd-all.gen.yaml";
    static final String CEL_RULES = "x-kubernetes-validations";

    private CrdInstaller() {
    }

    /** The CRDs shipped in meshcd's jar, or null when the jar has none. */
    public static List<ObjectNode> bundled() {
        try (InputStream in = CrdInstaller.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            return in == null ? null : read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<ObjectNode> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static List<ObjectNode> read(InputStream in) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(in)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode o && "CustomResourceDefinition".equals(o.path("kind").asText())) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** Removes every {@code x-kubernetes-validations} in place; returns how many were removed. */
    public static int stripCelRules(JsonNode node) {
        int n = 0;
        if (node instanceof ObjectNode o) {
            if (o.remove(CEL_RULES) != null) {
                n++;
            }
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                n += stripCelRules(it.next().getValue());
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode c : node) {
                n += stripCelRules(c);
            }
        }
        return n;
    }

    /** Creates or updates each CRD and waits until all are established. Returns their names. */
    public static List<String> install(KubernetesClient client, List<ObjectNode> crds) {
        List<String> names = new ArrayList<>();
        for (ObjectNode doc : crds) {
            ObjectNode copy = doc.deepCopy();
            copy.withObject("metadata").remove("creationTimestamp");
            names.add(apply(client, copy));
        }
        for (String name : names) {
            try {
                client.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(
                        c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream().anyMatch(
                                        cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                        60, TimeUnit.SECONDS);
            } catch (KubernetesClientException e) {
                throw new IllegalStateException("CRD " + name + " not established: " + e.getMessage(), e);
            }
        }
        LOG.info("installed {} Istio CRDs", names.size());
        return names;
    }

    private static String apply(KubernetesClient client, ObjectNode doc) {
        CustomResourceDefinition crd = Serialization.jsonMapper().convertValue(doc, CustomResourceDefinition.class);
        try {
            upsert(client, crd);
        } catch (KubernetesClientException e) {
            if (e.getCode() < 400 || e.getCode() >= 500) {
                throw e;
            }
            int removed = stripCelRules(doc);
            if (removed == 0) {
                throw e;
            }
            LOG.info("server rejected CRD {} ({}); retrying without its {} CEL rules", crd.getMetadata().getName(),
                    e.getCode(), removed);
            crd = Serialization.jsonMapper().convertValue(doc, CustomResourceDefinition.class);
            upsert(client, crd);
        }
        return crd.getMetadata().getName();
    }

    private static void upsert(KubernetesClient client, CustomResourceDefinition crd) {
        var op = client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName());
        CustomResourceDefinition existing = op.get();
        if (existing == null) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        } else {
            crd.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            client.apiextensions().v1().customResourceDefinitions().resource(crd).update();
        }
    }
}
