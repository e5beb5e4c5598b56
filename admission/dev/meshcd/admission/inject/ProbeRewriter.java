package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * App probe rewriting: HTTP, TCP and gRPC probes and HTTP/TCP lifecycle hooks of the app containers are
 * redirected to pilot-agent ({@code /app-health/<container>/readyz|livez|startupz},
 * {@code /app-lifecycle/<container>/prestopz|poststartz} on the status port), and the original
 * targets go to istio-proxy as {@code ISTIO_KUBE_APP_PROBERS} so that probes keep working under mTLS.
 * Honours {@code sidecar.istio.io/rewriteAppHTTPProbers} and the inbound port include/exclude annotations.
 */
final class ProbeRewriter {
    /** field, URL prefix, URL suffix (the URL is prefix + container name + suffix) */
    private static final String[][] PROBES = {
        {"readinessProbe", "/app-health/", "/readyz"},
        {"livenessProbe", "/app-health/", "/livez"},
        {"startupProbe", "/app-health/", "/startupz"},
    };
    private static final String[][] HOOKS = {
        {"preStop", "/app-lifecycle/", "/prestopz"},
        {"postStart", "/app-lifecycle/", "/poststartz"},
    };

    private ProbeRewriter() {
    }

    static boolean enabled(Map<String, String> annotations, boolean setting) {
        String v = annotations.get("sidecar.istio.io/rewriteAppHTTPProbers");
        Boolean b = v == null ? null : TrafficRules.parseBool(v);
        return b == null ? setting : b;
    }

    /**
     * @param pod          the merged pod (mutated)
     * @param sidecar      its istio-proxy container (gets ISTIO_KUBE_APP_PROBERS)
     * @param targetPort   the mesh status port (probes already on it count as rewritten)
     * @param reinjected   the pod was injected before: its ISTIO_KUBE_APP_PROBERS entries are kept and the new
     *                     ones added (Istio's mergeOrAppendProbers), rather than a second entry appended
     */
    static void rewrite(ObjectNode pod, ObjectNode sidecar, int targetPort, boolean reinjected) {
        JsonNode spec = pod.path("spec");
        Map<String, String> annotations = Json.stringMap(pod.path("metadata").path("annotations"));
        Map<Integer, Boolean> portRules = portRules(annotations);
        List<ObjectNode> containers = new ArrayList<>();
        spec.path("initContainers").forEach(c -> containers.add((ObjectNode) c));
        spec.path("containers").forEach(c -> containers.add((ObjectNode) c));

        Map<String, ObjectNode> probers = new TreeMap<>(); // Go marshals map keys sorted
        for (ObjectNode c : containers) {
            String name = c.path("name").asText("");
            if (name.equals(PodContext.PROXY)) {
                continue;
            }
            for (String[] p : PROBES) {
                ObjectNode prober = prober(c.get(p[0]), true, c, portRules, targetPort);
                if (prober != null) {
                    probers.put(p[1] + name + p[2], prober);
                }
            }
            JsonNode lifecycle = c.get("lifecycle");
            if (lifecycle != null) {
                for (String[] h : HOOKS) {
                    ObjectNode prober = prober(lifecycle.get(h[0]), false, c, portRules, targetPort);
                    if (prober != null) {
                        probers.put(h[1] + name + h[2], prober);
                    }
                }
            }
        }
        if (!probers.isEmpty()) {
            ArrayNode env = Json.arrayAt(sidecar, "env");
            int existing = reinjected ? indexOf(env, "ISTIO_KUBE_APP_PROBERS") : -1;
            if (existing >= 0) {
                JsonNode old;
                try {
                    old = ProxyConfigs.JSON.readTree(env.get(existing).path("value").asText(""));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    old = null; // Istio logs it and leaves the env as it is
                }
                if (old == null || !old.isObject()) {
                    return;
                }
                old.fields().forEachRemaining(e -> probers.put(e.getKey(), (ObjectNode) e.getValue()));
            }
            ObjectNode json = Json.obj();
            probers.forEach(json::set);
            ObjectNode entry = obj("name", "ISTIO_KUBE_APP_PROBERS", "value", json.toString());
            if (existing >= 0) {
                env.set(existing, entry);
            } else {
                env.add(entry);
            }
        }
        int statusPort = statusPort(annotations, targetPort);
        for (ObjectNode c : containers) {
            String name = c.path("name").asText("");
            if (name.equals(PodContext.PROXY)) {
                continue;
            }
            for (String[] p : PROBES) {
                JsonNode probe = c.get(p[0]);
                if (probe instanceof ObjectNode po && included(port(po), portRules)) {
                    convert(po, p[1] + name + p[2], statusPort, true);
                }
            }
            if (c.get("lifecycle") instanceof ObjectNode lifecycle) {
                for (String[] h : HOOKS) {
                    if (lifecycle.get(h[0]) instanceof ObjectNode ho && included(port(ho), portRules)) {
                        convert(ho, h[1] + name + h[2], statusPort, false);
                    }
                }
            }
        }
    }

    private static int indexOf(ArrayNode env, String name) {
        for (int i = 0; i < env.size(); i++) {
            if (name.equals(env.get(i).path("name").asText(null))) {
                return i;
            }
        }
        return -1;
    }

    private static int statusPort(Map<String, String> annotations, int dflt) {
        String v = annotations.get("status.sidecar.istio.io/port");
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0; // Go's Atoi yields 0 on error; validation refused such pods earlier
        }
    }

    /** The entry for ISTIO_KUBE_APP_PROBERS: the probe's action with named ports resolved, or null. */
    private static ObjectNode prober(JsonNode probe, boolean isProbe, JsonNode container, Map<Integer, Boolean> rules,
                                     int targetPort) {
        if (probe == null || !probe.isObject()) {
            return null;
        }
        String kind = probe.has("httpGet") ? "httpGet" : probe.has("tcpSocket") ? "tcpSocket"
                : isProbe && probe.has("grpc") ? "grpc" : null;
        if (kind == null) {
            return null;
        }
        ObjectNode action = probe.get(kind).deepCopy();
        if (kind.equals("grpc")) {
            if (!included(action.path("port").asInt(0), rules)) {
                return null;
            }
        } else {
            JsonNode port = action.get("port");
            int resolved;
            if (port != null && port.isTextual()) {
                resolved = namedPort(container, port.asText());
                if (resolved < 0) {
                    return null;
                }
            } else {
                resolved = port == null ? 0 : port.asInt();
                if (resolved == targetPort) {
                    return null; // already rewritten
                }
            }
            if (!included(resolved, rules)) {
                return null;
            }
            action.put("port", resolved);
        }
        ObjectNode out = obj(kind, orderAction(kind, action));
        if (isProbe && probe.path("timeoutSeconds").asInt(0) != 0) {
            out.put("timeoutSeconds", probe.path("timeoutSeconds").asInt());
        }
        return out;
    }

    /** Go field order of HTTPGetAction (path, port, host, scheme, httpHeaders) / TCPSocketAction / GRPCAction. */
    private static ObjectNode orderAction(String kind, ObjectNode action) {
        List<String> order = switch (kind) {
            case "httpGet" -> List.of("path", "port", "host", "scheme", "httpHeaders");
            case "tcpSocket" -> List.of("port", "host");
            default -> List.of("port", "service");
        };
        ObjectNode out = Json.obj();
        for (String f : order) {
            JsonNode v = action.get(f);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
                out.set(f, v);
            }
        }
        action.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static int namedPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText(null))) {
                return p.path("containerPort").asInt();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int port(ObjectNode handler) {
        for (String kind : List.of("httpGet", "tcpSocket", "grpc")) {
            JsonNode a = handler.get(kind);
            if (a != null) {
                JsonNode p = a.get("port");
                return p != null && p.isInt() ? p.asInt() : 0;
            }
        }
        return 0;
    }

    private static void convert(ObjectNode handler, String path, int statusPort, boolean isProbe) {
        if (handler.get("httpGet") instanceof ObjectNode http) {
            http.put("path", path);
            http.put("port", statusPort);
            if ("HTTPS".equals(http.path("scheme").asText())) {
                http.put("scheme", "HTTP");
            }
        } else if (handler.has("tcpSocket") || isProbe && handler.has("grpc")) {
            handler.remove("tcpSocket");
            handler.remove("grpc");
            handler.set("httpGet", obj("path", path, "port", statusPort));
        }
    }

    /** Inbound include/exclude annotations as port → included (empty = every port). */
    private static Map<Integer, Boolean> portRules(Map<String, String> annotations) {
        Map<Integer, Boolean> rules = new HashMap<>();
        String include = annotations.getOrDefault("traffic.sidecar.istio.io/includeInboundPorts", "");
        String exclude = annotations.getOrDefault("traffic.sidecar.istio.io/excludeInboundPorts", "");
        if (!include.isEmpty() && !include.equals("*")) {
            for (String p : include.split(",")) {
                int port = parse(p);
                if (port != 0) {
                    rules.put(port, true);
                }
            }
            return rules;
        }
        if (!exclude.isEmpty()) {
            for (String p : exclude.split(",")) {
                int port = parse(p);
                if (port != 0) {
                    rules.put(port, false);
                }
            }
        }
        return rules;
    }

    private static int parse(String p) {
        try {
            return Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean included(int port, Map<Integer, Boolean> rules) {
        if (rules.isEmpty()) {
            return true;
        }
        Boolean rule = rules.get(port);
        if (rule != null) {
            return rule;
        }
        return !rules.containsValue(Boolean.TRUE);
    }
}
