package dev.meshcd.sync.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code metadata.managedFields} ({@code fieldsType: FieldsV1}) of a live object: which field
 * manager owns which fields. A FieldsV1 set is a tree whose keys are {@code f:<name>} (a field),
 * {@code k:<json>} (a list item identified by its key fields), {@code v:<json>} (a set item by value)
 * and {@code .} (the node itself); an empty object {} is a leaf (the whole value is owned).
 *
 * <p>Paths are sequences of {@link Segment}s, matched against objects by {@link #owners}.
 */
public final class ManagedFields {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step of an owned path. */
    public sealed interface Segment permits Field, KeyedItem, ValueItem {
    }

    public record Field(String name) implements Segment {
    }

    /** A list item identified by key fields, e.g. {@code k:{"name":"v1"}}. */
    public record KeyedItem(ObjectNode keys) implements Segment {
        boolean matches(JsonNode item) {
            Iterator<Map.Entry<String, JsonNode>> it = keys.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().equals(item.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    public record ValueItem(JsonNode value) implements Segment {
    }

    /** A leaf (owned as a whole) path of one manager. */
    public record Owned(String manager, String operation, List<Segment> path) {
    }

    private final List<Owned> owned;

    private ManagedFields(List<Owned> owned) {
        this.owned = owned;
    }

    public static ManagedFields of(JsonNode liveObject) {
        List<Owned> out = new ArrayList<>();
        for (JsonNode entry : liveObject.path("metadata").path("managedFields")) {
            if (!"FieldsV1".equals(entry.path("fieldsType").asText("FieldsV1"))) {
                continue;
            }
            String manager = entry.path("manager").asText("");
            String op = entry.path("operation").asText("");
            collect(entry.path("fieldsV1"), new ArrayList<>(), manager, op, out);
        }
        return new ManagedFields(out);
    }

    private static void collect(JsonNode node, List<Segment> prefix, String manager, String op, List<Owned> out) {
        if (!node.isObject()) {
            return;
        }
        if (node.isEmpty() || node.has(".")) {
            if (!prefix.isEmpty() && (node.isEmpty() || node.size() == 1)) {
                out.add(new Owned(manager, op, List.copyOf(prefix)));
            }
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            Segment seg;
            if (k.startsWith("f:")) {
                seg = new Field(k.substring(2));
            } else if (k.startsWith("k:")) {
                try {
                    seg = new KeyedItem((ObjectNode) JSON.readTree(k.substring(2)));
                } catch (java.io.IOException | ClassCastException ex) {
                    continue;
                }
            } else if (k.startsWith("v:")) {
                try {
                    seg = new ValueItem(JSON.readTree(k.substring(2)));
                } catch (java.io.IOException ex) {
                    continue;
                }
            } else {
                continue;
            }
            prefix.add(seg);
            collect(e.getValue(), prefix, manager, op, out);
            prefix.remove(prefix.size() - 1);
        }
    }

    public List<Owned> owned() {
        return owned;
    }

    /** Leaf paths owned by one manager. */
    public List<List<Segment>> ownedBy(String manager) {
        List<List<Segment>> out = new ArrayList<>();
        for (Owned o : owned) {
            if (o.manager().equals(manager)) {
                out.add(o.path());
            }
        }
        return out;
    }

    /**
     * The managers owning the field at a concrete path of names and indexes inside {@code object}
     * (an owned ancestor counts: owning {@code spec.http} owns everything below it).
     */
    public List<String> owners(JsonNode object, List<Object> concretePath) {
        Map<String, Boolean> found = new LinkedHashMap<>();
        for (Owned o : owned) {
            if (covers(o.path(), object, concretePath)) {
                found.put(o.manager(), true);
            }
        }
        return new ArrayList<>(found.keySet());
    }

    private static boolean covers(List<Segment> owned, JsonNode object, List<Object> concrete) {
        JsonNode cur = object;
        int n = Math.min(owned.size(), concrete.size());
        if (owned.size() > concrete.size()) {
            return false; // owns something deeper only
        }
        for (int i = 0; i < n; i++) {
            Segment s = owned.get(i);
            Object c = concrete.get(i);
            if (s instanceof Field f) {
                if (!(c instanceof String name) || !name.equals(f.name())) {
                    return false;
                }
                cur = cur == null ? null : cur.get(name);
            } else if (s instanceof KeyedItem ki) {
                if (!(c instanceof Integer idx) || cur == null || !cur.isArray() || cur.get(idx) == null
                        || !ki.matches(cur.get(idx))) {
                    return false;
                }
                cur = cur.get(idx);
            } else if (s instanceof ValueItem vi) {
                if (!(c instanceof Integer idx) || cur == null || !vi.value().equals(cur.get(idx))) {
                    return false;
                }
                cur = cur.get(idx);
            }
        }
        return true;
    }
}
