package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pod labels and annotations: those the templates add (tlsMode, canonical service name/revision,
 * {@code istio.io/rev}, default containers), the {@code sidecar.istio.io/status} record of what was
 * injected, and Prometheus metrics merging ({@code prometheus.io/*} pointing at the agent, the app's own
 * scrape settings moved into {@code ISTIO_PROMETHEUS_ANNOTATIONS}).
 */
final class SidecarMetadata {
    static final String STATUS = "sidecar.istio.io/status";

    private SidecarMetadata() {
    }

    /** The template's {@code metadata:} block. */
    static ObjectNode templateMetadata(PodContext ctx, boolean gateway) {
        ObjectNode labels = Json.obj();
        if (!gateway) {
            labels.put("security.istio.io/tlsMode", PodContext.orDefault(ctx.label("security.istio.io/tlsMode"), "istio"));
            if ("true".equals(ctx.proxyConfig.proxyMetadata().get("ISTIO_META_ENABLE_HBONE"))) {
                labels.put("networking.istio.io/tunnel",
                        PodContext.orDefault(ctx.label("networking.istio.io/tunnel"), "http"));
            }
        }
        String name = first(ctx.label("service.istio.io/canonical-name"), ctx.label("app.kubernetes.io/name"),
                ctx.label("app"), ctx.workload.name());
        if (!gateway) {
            name = trimAll(name.length() > 63 ? name.substring(0, 63) : name, "-_.");
        }
        labels.put("service.istio.io/canonical-name", name);
        labels.put("service.istio.io/canonical-revision", first(ctx.label("service.istio.io/canonical-revision"),
                ctx.label("app.kubernetes.io/version"), ctx.label("version"), "latest"));

        ObjectNode annotations = Json.obj();
        annotations.put("istio.io/rev", ctx.settings.revisionOrDefault());
        if (!ctx.appContainers.isEmpty()) {
            String firstApp = ctx.appContainers.get(0);
            if (!ctx.hasAnnotation("kubectl.kubernetes.io/default-logs-container")) {
                annotations.put("kubectl.kubernetes.io/default-logs-container", firstApp);
            }
            if (!ctx.hasAnnotation("kubectl.kubernetes.io/default-container")) {
                annotations.put("kubectl.kubernetes.io/default-container", firstApp);
            }
        }
        if (!gateway && ctx.settings.mesh().cniEnabled()) {
            InjectionSettings.Traffic t = ctx.settings.traffic();
            annotations.put("sidecar.istio.io/interceptionMode", ctx.interceptionMode);
            String inc = ctx.annotation("traffic.sidecar.istio.io/includeOutboundIPRanges", t.includeIPRanges());
            if (!inc.isEmpty()) {
                annotations.put("traffic.sidecar.istio.io/includeOutboundIPRanges", inc);
            }
            String exc = ctx.annotation("traffic.sidecar.istio.io/excludeOutboundIPRanges", t.excludeIPRanges());
            if (!exc.isEmpty()) {
                annotations.put("traffic.sidecar.istio.io/excludeOutboundIPRanges", exc);
            }
            annotations.put("traffic.sidecar.istio.io/includeInboundPorts",
                    ctx.annotation("traffic.sidecar.istio.io/includeInboundPorts", t.includeInboundPorts()));
            annotations.put("traffic.sidecar.istio.io/excludeInboundPorts", TrafficRules.excludedInboundPorts(ctx));
            if (ctx.hasAnnotation("traffic.sidecar.istio.io/includeOutboundPorts") || !t.includeOutboundPorts().isEmpty()) {
                annotations.put("traffic.sidecar.istio.io/includeOutboundPorts",
                        ctx.annotation("traffic.sidecar.istio.io/includeOutboundPorts", t.includeOutboundPorts()));
            }
            if (ctx.hasAnnotation("traffic.sidecar.istio.io/excludeOutboundPorts") || !t.excludeOutboundPorts().isEmpty()) {
                annotations.put("traffic.sidecar.istio.io/excludeOutboundPorts",
                        ctx.annotation("traffic.sidecar.istio.io/excludeOutboundPorts", t.excludeOutboundPorts()));
            }
            for (String a : List.of("traffic.sidecar.istio.io/kubevirtInterfaces", "istio.io/reroute-virtual-interfaces",
                    "traffic.sidecar.istio.io/excludeInterfaces")) {
                String v = ctx.annotations.get(a);
                if (v != null && !v.isEmpty()) {
                    annotations.put(a, v);
                }
            }
        }
        return obj("labels", labels, "annotations", annotations);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    /** sprig trimAll: strip any of {@code chars} from both ends. */
    static String trimAll(String s, String chars) {
        int b = 0;
        int e = s.length();
        while (b < e && chars.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (e > b && chars.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }

    /** {@code {"initContainers":[..],"containers":[..],"volumes":[..],"imagePullSecrets":[..],"revision":".."}} */
    static String status(ObjectNode templateSpec, String revision) {
        ObjectNode s = Json.obj();
        s.set("initContainers", names(templateSpec.path("initContainers")));
        s.set("containers", names(templateSpec.path("containers")));
        s.set("volumes", names(templateSpec.path("volumes")));
        s.set("imagePullSecrets", names(templateSpec.path("imagePullSecrets")));
        s.put("revision", revision);
        return s.toString();
    }

    private static JsonNode names(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) {
            return Json.F.nullNode();
        }
        ArrayNode out = Json.F.arrayNode();
        list.forEach(n -> out.add(n.path("name").asText("")));
        return out;
    }

    /** Prometheus' label sanitising (every character outside [a-zA-Z0-9_] becomes '_'), for comparison with
     * the prometheus_* names Istio compares with only: keys of other lengths are returned as they are. */
    static String sanitize(String key) {
        if (key.length() != 18 && key.length() != 20 && key.length() != SCRAPE_TARGETS.length()) {
            return key; // cannot become prometheus_io_port/path (18), prometheus_io_scrape (20) or scrape targets
        }
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    /** Several app endpoints for the agent to merge, {@code port:path,port:path} (Istio 1.29). */
    static final String SCRAPE_TARGETS = "prometheus.istio.io/scrape-targets";
    private static final String SCRAPE_TARGETS_SANITIZED = "prometheus_istio_io_scrape_targets";
    /** The agent's reserved ports (status.IstioReservedPortReason): scraping them is refused. */
    private static final Map<String, String> RESERVED_PORTS = Map.of("15000", "Envoy admin",
            "15001", "outbound traffic capture", "15004", "pilot debug", "15006", "inbound traffic capture",
            "15008", "HBONE tunnel", "15020", "pilot-agent status / merged Prometheus", "15021", "Envoy health",
            "15053", "DNS proxy", "15090", "Envoy Prometheus (already merged)");

    /**
     * Metrics merging (applyPrometheusMerge): unless the pod says {@code prometheus.io/scrape: false} or
     * {@code prometheus.istio.io/merge-metrics: false}, point the scrape annotations at the agent's status port
     * (the mesh config's {@code defaultConfig.statusPort}, as Istio takes it) and hand the app's own settings,
     * including several {@code prometheus.istio.io/scrape-targets}, to the agent in ISTIO_PROMETHEUS_ANNOTATIONS.
     *
     * @return Istio's error when a scrape port is invalid, reserved or the agent's own; null when fine
     */
    static String prometheusMerge(ObjectNode pod, ObjectNode sidecar, boolean meshEnabled, int statusPort) {
        ObjectNode annotations = Json.objectAt(Json.objectAt(pod, "metadata"), "annotations");
        Map<String, String> current = Json.stringMap(annotations);
        for (Map.Entry<String, String> e : current.entrySet()) {
            if (sanitize(e.getKey()).equals("prometheus_io_scrape")) {
                Boolean scrape = TrafficRules.parseBool(e.getValue());
                if (scrape != null && !scrape) {
                    return null;
                }
            }
        }
        boolean enabled = meshEnabled;
        String merge = current.get("prometheus.istio.io/merge-metrics");
        if (merge != null && TrafficRules.parseBool(merge) != null) {
            enabled = TrafficRules.parseBool(merge);
        }
        if (!enabled) {
            return null;
        }
        String target = String.valueOf(statusPort);
        String scrape = "";
        String path = "";
        String port = null;
        List<String[]> targets = List.of();
        List<String> toClear = new ArrayList<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            switch (sanitize(e.getKey())) {
                case "prometheus_io_port" -> {
                    port = e.getValue();
                    toClear.add(e.getKey());
                }
                case "prometheus_io_scrape" -> {
                    scrape = e.getValue();
                    toClear.add(e.getKey());
                }
                case "prometheus_io_path" -> {
                    path = e.getValue();
                    toClear.add(e.getKey());
                }
                case SCRAPE_TARGETS_SANITIZED -> {
                    targets = parseScrapeTargets(e.getValue()); // Istio logs a bad value and ignores it
                    toClear.add(e.getKey());
                }
                default -> {
                }
            }
        }
        if (target.equals(port)) {
            return null; // already pointing at the agent (re-injection, or the user controls it)
        }
        if (!targets.isEmpty()) {
            port = targets.get(0)[0];
            path = targets.get(0)[1];
            for (String[] t : targets) {
                String problem = scrapePortProblem(t[0], target);
                if (problem != null) {
                    return "invalid prometheus scrape targets: " + problem.replace("port ", "target port ");
                }
            }
        } else if (port != null && !port.isEmpty()) {
            String problem = scrapePortProblem(port, target);
            if (problem != null) {
                return "invalid prometheus scrape configuration: " + problem;
            }
        }
        if (sidecar != null && (!scrape.isEmpty() || !path.isEmpty() || port != null && !port.isEmpty()
                || !targets.isEmpty())) {
            ObjectNode cfg = obj("scrape", scrape, "path", path, "port", port == null ? "" : port);
            if (!targets.isEmpty()) {
                ArrayNode list = cfg.putArray("targets");
                targets.forEach(t -> list.add(obj("port", t[0], "path", t[1])));
            }
            Json.arrayAt(sidecar, "env").add(obj("name", "ISTIO_PROMETHEUS_ANNOTATIONS", "value", cfg.toString()));
        }
        toClear.forEach(annotations::remove);
        annotations.put("prometheus.io/port", target);
        annotations.put("prometheus.io/path", "/stats/prometheus");
        annotations.put("prometheus.io/scrape", "true");
        return null;
    }

    /** stripPod: a pod whose prometheus port annotation points at the agent already loses its prometheus ones. */
    static void clearPrometheusIfAgent(ObjectNode annotations, String agentPort) {
        Map<String, String> current = Json.stringMap(annotations);
        boolean atAgent = false;
        for (Map.Entry<String, String> e : current.entrySet()) {
            if (sanitize(e.getKey()).equals("prometheus_io_port")) {
                atAgent = agentPort.equals(e.getValue()); // Go: the first one met decides
                break;
            }
        }
        if (!atAgent) {
            return;
        }
        for (String key : current.keySet()) {
            switch (sanitize(key)) {
                case "prometheus_io_port", "prometheus_io_path", "prometheus_io_scrape", SCRAPE_TARGETS_SANITIZED ->
                        annotations.remove(key);
                default -> {
                }
            }
        }
    }

    /** Istio's ParseScrapeTargets: {@code port[:path]} entries, path default /metrics; empty list when malformed. */
    static List<String[]> parseScrapeTargets(String raw) {
        List<String[]> out = new ArrayList<>();
        for (String entry : raw.split(",", -1)) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String port = (colon < 0 ? entry : entry.substring(0, colon)).strip();
            if (port.isEmpty()) {
                return List.of();
            }
            String path = colon < 0 ? "" : entry.substring(colon + 1).strip();
            out.add(new String[] {port, path.isEmpty() ? "/metrics" : path});
        }
        return out;
    }

    /** Why {@code port} cannot be scraped (Istio's wording, "port X ..."), or null. */
    private static String scrapePortProblem(String port, String agentPort) {
        int n;
        try {
            n = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 65535) {
            return "invalid port \"" + port + "\"";
        }
        String canon = String.valueOf(n);
        if (canon.equals(agentPort)) {
            return "port " + port + " conflicts with agent port";
        }
        String reserved = RESERVED_PORTS.get(canon);
        return reserved == null ? null
                : "port " + port + " is reserved for Istio (" + reserved + ") and cannot be scraped";
    }
}
