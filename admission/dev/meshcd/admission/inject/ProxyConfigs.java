package dev.meshcd.admission.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective {@code ProxyConfig} of a pod: the mesh's {@code defaultConfig} overridden by the pod's
 * {@code proxy.istio.io/config} annotation (YAML or JSON), merged the way protobuf merges messages
 * (scalars replace, maps and messages merge). {@link #toJson()} renders what the template's
 * {@code protoToJSON} puts into {@code PROXY_CONFIG}: only fields that differ from Istio's defaults,
 * in the proto's declaration order.
 */
final class ProxyConfigs {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** meshconfig.ProxyConfig fields in declaration order (JSON names). */
    private static final List<String> FIELD_ORDER = List.of(
            "configPath", "binaryPath", "serviceCluster", "drainDuration", "parentShutdownDuration",
            "discoveryAddress", "discoveryRefreshDelay", "zipkinAddress", "connectTimeout", "statsdUdpAddress",
            "envoyMetricsServiceAddress", "proxyAdminPort", "availabilityZone", "controlPlaneAuthPolicy",
            "customConfigFile", "statNameLength", "concurrency", "proxyBootstrapTemplatePath", "interceptionMode",
            "tracing", "sds", "envoyAccessLogService", "envoyMetricsService", "proxyMetadata", "runtimeValues",
            "statusPort", "extraStatTags", "gatewayTopology", "terminationDrainDuration", "meshId", "readinessProbe",
            "proxyStatsMatcher", "holdApplicationUntilProxyStarts", "caCertificatesPem", "image",
            "privateKeyProvider", "proxyHeaders", "fileFlushInterval", "fileFlushMinSizeKb", "caCertificatePem",
            "startupProbe", "agentDrainDuration", "minimumDrainDuration", "trustDomainAliases");

    /** Istio's defaults: a field equal to these is left out of PROXY_CONFIG (cleanProxyConfig). */
    private static final Map<String, Object> DEFAULTS = Map.of(
            "configPath", "./etc/istio/proxy", "binaryPath", "/usr/local/bin/envoy",
            "serviceCluster", "istio-proxy", "drainDuration", "45s", "terminationDrainDuration", "5s",
            "discoveryAddress", "istiod.istio-system.svc:15012", "proxyAdminPort", 15000,
            "statNameLength", 189, "statusPort", 15020, "controlPlaneAuthPolicy", "MUTUAL_TLS");

    private final ObjectNode config;
    private final String json;

    private ProxyConfigs(ObjectNode config) {
        this.config = config;
        this.json = render(config);
    }

    /** The mesh default config alone. */
    static ProxyConfigs of(Map<String, Object> meshDefaults) {
        return new ProxyConfigs(JSON.valueToTree(meshDefaults));
    }

    /**
     * @return the mesh defaults overridden by {@code annotation}
     * @throws IllegalArgumentException when the annotation is not a ProxyConfig
     */
    ProxyConfigs withAnnotation(String annotation) {
        JsonNode parsed = parse(annotation);
        ObjectNode merged = config.deepCopy();
        merge(merged, (ObjectNode) parsed);
        return new ProxyConfigs(merged);
    }

    /** Validates a {@code proxy.istio.io/config} value; returns null when fine, else the problem. */
    static String validate(String annotation) {
        try {
            parse(annotation);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static JsonNode parse(String annotation) {
        JsonNode parsed;
        try {
            parsed = YAML.readTree(annotation);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("failed to parse proxy config: " + e.getOriginalMessage());
        }
        if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
            return JSON.createObjectNode();
        }
        if (!parsed.isObject()) {
            throw new IllegalArgumentException("proxy config must be a mapping, got " + parsed.getNodeType());
        }
        for (Iterator<String> it = parsed.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELD_ORDER.contains(f)) {
                throw new IllegalArgumentException("unknown ProxyConfig field \"" + f + "\"");
            }
        }
        JsonNode mode = parsed.get("interceptionMode");
        if (mode != null && !List.of("REDIRECT", "TPROXY", "NONE").contains(mode.asText())) {
            throw new IllegalArgumentException("interceptionMode invalid, use REDIRECT,TPROXY,NONE: " + mode.asText());
        }
        JsonNode status = parsed.get("statusPort");
        if (status != null && (!status.canConvertToInt() || status.asInt() < 0 || status.asInt() > 65535)) {
            throw new IllegalArgumentException("statusPort invalid: " + status);
        }
        return parsed;
    }

    private static void merge(ObjectNode target, ObjectNode overlay) {
        overlay.fields().forEachRemaining(e -> {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
                merge(eo, vo);
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }

    private static String render(ObjectNode config) {
        ObjectNode out = JSON.createObjectNode();
        List<String> names = new ArrayList<>();
        config.fieldNames().forEachRemaining(names::add);
        names.sort((a, b) -> Integer.compare(order(a), order(b)));
        for (String name : names) {
            JsonNode v = config.get(name);
            Object dflt = DEFAULTS.get(name);
            if (dflt != null && v.isValueNode() && v.asText().equals(String.valueOf(dflt))) {
                continue;
            }
            if (v.isObject() && v.isEmpty() && name.equals("proxyMetadata")) {
                continue;
            }
            out.set(name, MAP_FIELDS.contains(name) && v.isObject() ? sorted((ObjectNode) v) : v);
        }
        return out.toString();
    }

    /** ProxyConfig's map fields: protojson writes map keys sorted. */
    private static final List<String> MAP_FIELDS = List.of("proxyMetadata", "runtimeValues");

    private static ObjectNode sorted(ObjectNode map) {
        ObjectNode out = JSON.createObjectNode();
        Map<String, JsonNode> keys = new TreeMap<>();
        map.fields().forEachRemaining(e -> keys.put(e.getKey(), e.getValue()));
        keys.forEach(out::set);
        return out;
    }

    private static int order(String name) {
        int i = FIELD_ORDER.indexOf(name);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /** PROXY_CONFIG's JSON (without the trailing newline the template adds). */
    String toJson() {
        return json;
    }

    String interceptionMode(String fallback) {
        return config.path("interceptionMode").asText(fallback);
    }

    /** proxyMetadata sorted by key, as Go templates range over maps. */
    Map<String, String> proxyMetadata() {
        Map<String, String> out = new TreeMap<>();
        config.path("proxyMetadata").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    boolean holdApplicationUntilProxyStarts() {
        return config.path("holdApplicationUntilProxyStarts").asBoolean(false);
    }

    int statusPort(int fallback) {
        return config.path("statusPort").asInt(fallback);
    }

    String imageType(String fallback) {
        return config.path("image").path("imageType").asText(fallback);
    }
}
