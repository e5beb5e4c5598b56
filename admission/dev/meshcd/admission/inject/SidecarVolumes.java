package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The volumes the template adds to the pod and the matching mounts of istio-proxy. The static ones are
 * built once per settings; per pod only the annotation-driven ones are added
 * ({@code sidecar.istio.io/bootstrapOverride}, {@code sidecar.istio.io/userVolume},
 * {@code sidecar.istio.io/userVolumeMount}) and the service-account-specific mTLS secret.
 */
final class SidecarVolumes {
    private final InjectionSettings settings;
    private final ObjectNode workloadSocket = obj("name", "workload-socket");
    private final ObjectNode istioEnvoy = obj("emptyDir", obj("medium", "Memory"), "name", "istio-envoy");
    private final ObjectNode istioData = obj("name", "istio-data", "emptyDir", obj());
    private final ObjectNode podInfo;
    private final ObjectNode token;
    private final ObjectNode caCert;
    private final ObjectNode crl;

    SidecarVolumes(InjectionSettings settings) {
        this.settings = settings;
        this.podInfo = obj("name", "istio-podinfo", "downwardAPI", obj("items", arr(
                obj("path", "labels", "fieldRef", obj("fieldPath", "metadata.labels")),
                obj("path", "annotations", "fieldRef", obj("fieldPath", "metadata.annotations")))));
        this.token = obj("name", "istio-token", "projected", obj("sources", arr(obj("serviceAccountToken",
                obj("path", "istio-token", "expirationSeconds", 43200, "audience", settings.mesh().tokenAudience())))));
        this.caCert = obj("name", "istiod-ca-cert", "configMap",
                obj("name", PodContext.orDefault(settings.mesh().trustBundleName(), "istio-ca-root-cert")));
        this.crl = obj("name", "istio-ca-crl", "configMap",
                obj("name", PodContext.orDefault(settings.mesh().crlConfigMapName(), "istio-ca-crl"), "optional", true));
    }

    private boolean istiodCerts() {
        return settings.mesh().pilotCertProvider().equals("istiod");
    }

    /**
     * Volumes of the sidecar template (gateway: no CRL, no user volumes, emptyDir on the sockets), as far as the
     * annotations decide them: the service-account specific {@code istio-certs} volume ({@code global.mountMtlsCerts})
     * is left out, {@link Rendered#certsAt} says where {@link #certs} goes.
     *
     * @param ctx an annotations-only context ({@link PodContext#ofAnnotations})
     */
    Rendered volumes(PodContext ctx, boolean gateway, List<String> errors) {
        ArrayNode out = Json.F.arrayNode();
        out.add(workloadSocket);
        out.add(gateway ? obj("emptyDir", obj(), "name", "credential-socket") : obj("name", "credential-socket"));
        out.add(gateway ? obj("emptyDir", obj(), "name", "workload-certs") : obj("name", "workload-certs"));
        if (ctx.hasAnnotation("sidecar.istio.io/bootstrapOverride")) {
            out.add(obj("name", "custom-bootstrap-volume", "configMap",
                    obj("name", ctx.annotation("sidecar.istio.io/bootstrapOverride", ""))));
        }
        out.add(istioEnvoy);
        out.add(istioData);
        out.add(podInfo);
        out.add(token);
        if (istiodCerts()) {
            out.add(caCert);
        }
        if (!gateway) {
            out.add(crl);
        }
        int certsAt = settings.mesh().mountMtlsCerts() ? out.size() : -1;
        if (!gateway) {
            userEntries(ctx, "sidecar.istio.io/userVolume", errors).forEach(out::add);
        }
        return new Rendered(out, certsAt);
    }

    /** The {@code istio-certs} volume: the secret of the pod's service account. */
    static ObjectNode certs(JsonNode spec) {
        String sa = spec.path("serviceAccountName").asText("");
        return obj("name", "istio-certs", "secret",
                obj("optional", true, "secretName", sa.isEmpty() ? "istio.default" : "istio." + sa));
    }

    /**
     * The template's volumes but {@code istio-certs}; shared by every pod with the same annotations, so frozen
     * ({@link FrozenJson}) and handed out as they are.
     *
     * @param certsAt where istio-certs goes, -1 for nowhere
     */
    record Rendered(ArrayNode volumes, int certsAt) {
        Rendered {
            volumes = (ArrayNode) FrozenJson.freeze(volumes);
        }

        /** The template's volumes for the pod with this {@code spec}. */
        ArrayNode instantiate(JsonNode spec) {
            ArrayNode out = Json.F.arrayNode(volumes.size() + 1);
            for (int i = 0; i < volumes.size(); i++) {
                if (i == certsAt) {
                    out.add(certs(spec));
                }
                out.add(FrozenJson.share(volumes.get(i)));
            }
            if (certsAt == volumes.size()) {
                out.add(certs(spec));
            }
            return out;
        }

        /** The names the status annotation lists, in order. */
        List<String> names() {
            List<String> names = new ArrayList<>();
            volumes.forEach(v -> names.add(v.path("name").asText("")));
            if (certsAt >= 0) {
                names.add(certsAt, "istio-certs");
            }
            return names;
        }
    }

    /** istio-proxy's volumeMounts. */
    ArrayNode mounts(PodContext ctx, boolean gateway, List<String> errors) {
        ArrayNode out = Json.F.arrayNode();
        out.add(obj("name", "workload-socket", "mountPath", "/var/run/secrets/workload-spiffe-uds"));
        out.add(obj("name", "credential-socket", "mountPath", "/var/run/secrets/credential-uds"));
        out.add(obj("name", "workload-certs", "mountPath", "/var/run/secrets/workload-spiffe-credentials"));
        if (istiodCerts()) {
            out.add(obj("mountPath", "/var/run/secrets/istio", "name", "istiod-ca-cert"));
            if (!gateway) {
                out.add(obj("mountPath", "/var/run/secrets/istio/crl", "name", "istio-ca-crl"));
            }
        }
        out.add(obj("mountPath", "/var/lib/istio/data", "name", "istio-data"));
        if (ctx.hasAnnotation("sidecar.istio.io/bootstrapOverride")) {
            out.add(obj("mountPath", "/etc/istio/custom-bootstrap", "name", "custom-bootstrap-volume"));
        }
        out.add(obj("mountPath", "/etc/istio/proxy", "name", "istio-envoy"));
        out.add(obj("mountPath", "/var/run/secrets/tokens", "name", "istio-token"));
        if (settings.mesh().mountMtlsCerts()) {
            out.add(obj("mountPath", "/etc/certs/", "name", "istio-certs", "readOnly", true));
        }
        out.add(obj("name", "istio-podinfo", "mountPath", "/etc/istio/pod"));
        if (!gateway) {
            userEntries(ctx, "sidecar.istio.io/userVolumeMount", errors).forEach(out::add);
        }
        return out;
    }

    /** {@code imagePullSecrets} from the values, or null. */
    ArrayNode imagePullSecrets() {
        if (settings.images().imagePullSecrets().isEmpty()) {
            return null;
        }
        ArrayNode out = Json.F.arrayNode();
        settings.images().imagePullSecrets().forEach(s -> out.add(obj("name", s)));
        return out;
    }

    /** JSON object annotation {name: spec} to [{name, ...spec}], in key order (Go ranges over sorted keys). */
    static List<ObjectNode> userEntries(PodContext ctx, String annotation, List<String> errors) {
        String raw = ctx.annotations.get(annotation);
        List<ObjectNode> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        JsonNode parsed;
        try {
            parsed = ProxyConfigs.JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            errors.add("invalid value '" + raw + "' for annotation '" + annotation + "': not JSON: "
                    + e.getOriginalMessage());
            return out;
        }
        if (!parsed.isObject()) {
            errors.add("invalid value '" + raw + "' for annotation '" + annotation + "': expected a JSON object");
            return out;
        }
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sorted.put(e.getKey(), e.getValue());
        }
        sorted.forEach((name, spec) -> {
            ObjectNode entry = obj("name", name);
            if (spec.isObject()) {
                spec.fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("name")) {
                        entry.set(f.getKey(), f.getValue().deepCopy());
                    }
                });
            }
            out.add(entry);
        });
        return out;
    }
}
