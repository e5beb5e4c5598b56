package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that injection needs, applied to Pod trees: maps merge
 * recursively (the overlay wins), lists of named things merge by their key (containers and volumes by
 * {@code name}, env by {@code name}, ports by {@code containerPort}, mounts by {@code mountPath}), other
 * lists are replaced. Like the real thing, merged lists put the overlay's items first (in overlay order)
 * and keep the original-only items after them, except that items present in both keep their original
 * relative order.
 */
final class PodMerger {
    /** list field name → merge key */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"), Map.entry("volumes", "name"),
            Map.entry("imagePullSecrets", "name"), Map.entry("env", "name"),
            Map.entry("ports", "containerPort"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("hostAliases", "ip"),
            Map.entry("tolerations", "key"), Map.entry("topologySpreadConstraints", "topologyKey"),
            Map.entry("resourceClaims", "name"), Map.entry("schedulingGates", "name"));

    private PodMerger() {
    }

    /** Merges a copy of {@code overlay} into {@code target} (mutated). */
    static void merge(ObjectNode target, JsonNode overlay) {
        merge(target, overlay, true);
    }

    /**
     * Merges {@code overlay} into {@code target}; with {@code copy} false the overlay's nodes are moved into the
     * target as they are (for a freshly rendered template: not used again as a tree, and free of nulls).
     */
    static void merge(ObjectNode target, JsonNode overlay, boolean copy) {
        overlay.fields().forEachRemaining(e -> {
            String key = e.getKey();
            JsonNode value = e.getValue();
            JsonNode existing = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && existing instanceof ObjectNode) {
                merge(Json.objectAt(target, key), value, copy); // a frozen template part is copied before the change
            } else if (value.isArray() && existing instanceof ArrayNode ea && MERGE_KEYS.containsKey(key)) {
                target.set(key, mergeList(ea, (ArrayNode) value, MERGE_KEYS.get(key), copy));
            } else {
                target.set(key, copy ? withoutNulls(value.deepCopy()) : value);
            }
        });
    }

    private static JsonNode withoutNulls(JsonNode n) {
        if (FrozenJson.isFrozen(n)) {
            return n; // frozen trees hold no nulls
        }
        if (n instanceof ObjectNode o) {
            List<String> nulls = null;
            for (var it = o.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isNull()) {
                    nulls = nulls == null ? new ArrayList<>() : nulls;
                    nulls.add(e.getKey());
                } else if (e.getValue().isContainerNode()) {
                    withoutNulls(e.getValue());
                }
            }
            if (nulls != null) {
                o.remove(nulls);
            }
        } else if (n instanceof ArrayNode a) {
            a.forEach(PodMerger::withoutNulls);
        }
        return n;
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, String mergeKey, boolean copy) {
        Map<String, Integer> serverOrder = new HashMap<>();
        for (int i = 0; i < original.size(); i++) {
            serverOrder.putIfAbsent(key(original.get(i), mergeKey), i);
        }
        List<JsonNode> patched = new ArrayList<>();
        java.util.Set<String> patchKeys = new java.util.HashSet<>();
        for (JsonNode item : patch) {
            String k = key(item, mergeKey);
            patchKeys.add(k);
            Integer at = serverOrder.get(k);
            if (at != null && original.get(at) instanceof ObjectNode o && item.isObject()) {
                o = FrozenJson.thaw(o); // a frozen template part: merged into a copy of its top level
                merge(o, item, copy);
                patched.add(o);
            } else {
                patched.add(copy ? withoutNulls(item.deepCopy()) : item);
            }
        }
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : original) {
            if (!patchKeys.contains(key(item, mergeKey))) {
                serverOnly.add(item);
            }
        }
        // mergeSortedSlice: a server-only item goes first only when both are server items in that order
        ArrayNode out = Json.F.arrayNode();
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < patched.size()) {
            if (j >= patched.size()) {
                out.add(serverOnly.get(i++));
            } else if (i >= serverOnly.size()) {
                out.add(patched.get(j++));
            } else {
                Integer li = serverOrder.get(key(serverOnly.get(i), mergeKey));
                Integer ri = serverOrder.get(key(patched.get(j), mergeKey));
                if (li != null && ri != null && li < ri) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(patched.get(j++));
                }
            }
        }
        return out;
    }

    private static String key(JsonNode item, String mergeKey) {
        JsonNode k = item.get(mergeKey);
        return k == null ? "" : k.asText();
    }
}
