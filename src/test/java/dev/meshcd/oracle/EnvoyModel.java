package dev.meshcd.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One proxy's xDS, from either side (istiod via xdsdump, or meshcd), flattened into a comparable model: a sorted
 * map from field key to scalar value. Keys name the resource and the JSON path of a leaf:
 * <ul>
 * <li>{@code listener NAME}: present (listener contents are not compared: filters differ by design);</li>
 * <li>{@code routeconfig NAME /PATH}: fields of a route configuration other than its virtual hosts;</li>
 * <li>{@code vhost RC VHOST /PATH}: a virtual host's fields; {@code domains} is one field, the sorted set;
 * routes are {@code /routes[i]/...} in order, so a route that moves or a match that differs shows;</li>
 * <li>{@code cluster NAME /PATH}: a cluster's fields (type, lb, TLS, SNI, circuit breakers, outlier detection,
 * ...).</li>
 * </ul>
 * Leaves whose {@code KIND/PATH} matches an {@code omit} rule of the allow-list are dropped (fields meshcd
 * deliberately leaves out), as are leaves equal to a {@code default} rule's value (Envoy's default, stated by one
 * side only).
 */
final class EnvoyModel {
    private EnvoyModel() {
    }

    /** Flattens one proxy's listeners, route configurations and clusters (protojson, proto field names). */
    static SortedMap<String, String> of(Iterable<JsonNode> listeners, Iterable<JsonNode> routes,
            Iterable<JsonNode> clusters, EnvoyAllowlist rules) {
        SortedMap<String, String> out = new TreeMap<>();
        for (JsonNode l : listeners) {
            out.put("listener " + l.path("name").asText(), "present");
        }
        for (JsonNode rc : routes) {
            String rcName = rc.path("name").asText();
            Map<String, String> top = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = rc.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("virtual_hosts") && !f.getKey().equals("name") && !f.getKey().equals("@type")) {
                    flatten(f.getValue(), "/" + f.getKey(), top);
                }
            }
            top.put("", "present");
            put(out, rules, "routeconfig", "routeconfig " + rcName + " ", top);
            for (JsonNode vh : rc.path("virtual_hosts")) {
                Map<String, String> fields = new TreeMap<>();
                List<String> domains = new ArrayList<>();
                vh.path("domains").forEach(d -> domains.add(d.asText()));
                domains.sort(null);
                Iterator<Map.Entry<String, JsonNode>> vf = vh.fields();
                while (vf.hasNext()) {
                    Map.Entry<String, JsonNode> f = vf.next();
                    if (!f.getKey().equals("domains") && !f.getKey().equals("name")) {
                        flatten(f.getValue(), "/" + f.getKey(), fields);
                    }
                }
                fields.put("/domains", String.join(",", domains));
                put(out, rules, "vhost", "vhost " + rcName + " " + vh.path("name").asText() + " ", fields);
            }
        }
        for (JsonNode c : clusters) {
            Map<String, String> fields = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = c.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!f.getKey().equals("name") && !f.getKey().equals("@type")) {
                    flatten(f.getValue(), "/" + f.getKey(), fields);
                }
            }
            fields.put("", "present");
            put(out, rules, "cluster", "cluster " + c.path("name").asText() + " ", fields);
        }
        return out;
    }

    private static void put(SortedMap<String, String> out, EnvoyAllowlist rules, String kind, String prefix,
            Map<String, String> fields) {
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (!f.getKey().isEmpty() && rules.omitted(kind + f.getKey(), f.getValue())) {
                continue;
            }
            out.put((prefix + f.getKey()).strip(), f.getValue());
        }
    }

    private static void flatten(JsonNode n, String path, Map<String, String> out) {
        if (n.isObject()) {
            if (n.isEmpty()) {
                out.put(path, "{}");
            }
            n.fields().forEachRemaining(f -> flatten(f.getValue(), path + "/" + f.getKey(), out));
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                out.put(path, "[]");
            }
            for (int i = 0; i < n.size(); i++) {
                flatten(n.get(i), path + "[" + i + "]", out);
            }
        } else {
            out.put(path, n.asText());
        }
    }
}
