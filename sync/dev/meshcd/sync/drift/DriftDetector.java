package dev.meshcd.sync.drift;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.kube.Ownership;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure comparison of a live object with its desired state from Git.
 *
 * <p>Compared: every field meshcd applies (the desired object: spec and the like, plus its own labels
 * and annotations) and every field the {@code meshcd} manager still owns per {@code managedFields}.
 * Ignored: status, server-set metadata, fields only other managers set (they are not in the desired
 * object), and API-server defaults (fields the live object has below a desired object that the desired
 * object does not mention). A desired field that another manager changed (and so now owns, e.g.
 * {@code kubectl-edit}) is drift, reported with that owner.
 */
public final class DriftDetector {
    private static final Set<String> SKIP_TOP = Set.of("apiVersion", "kind", "metadata", "status");
    private static final Set<String> VOLATILE_ANNOTATIONS = Set.of(Ownership.COMMIT,
            "kubectl.kubernetes.io/last-applied-configuration");

    private final String manager;

    public DriftDetector(String manager) {
        this.manager = manager;
    }

    public DriftDetector() {
        this(Ownership.FIELD_MANAGER);
    }

    /** The drifted fields of one object; empty when the live object matches. {@code live == null}: deleted. */
    public List<Drift> compare(ResourceKey key, JsonNode desired, JsonNode live) {
        List<Drift> out = new ArrayList<>();
        if (live == null || live.isMissingNode() || live.isNull()) {
            out.add(new Drift(key, "", "<object>", "<absent>", ""));
            return out;
        }
        ManagedFields mf = ManagedFields.of(live);
        List<Object> path = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = desired.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (SKIP_TOP.contains(e.getKey())) {
                continue;
            }
            path.add(e.getKey());
            walk(key, e.getValue(), live.get(e.getKey()), path, live, mf, out);
            path.remove(path.size() - 1);
        }
        for (String map : new String[]{"labels", "annotations"}) {
            JsonNode want = desired.path("metadata").path(map);
            JsonNode have = live.path("metadata").path(map);
            Iterator<Map.Entry<String, JsonNode>> m = want.fields();
            while (m.hasNext()) {
                Map.Entry<String, JsonNode> e = m.next();
                if (map.equals("annotations") && VOLATILE_ANNOTATIONS.contains(e.getKey())) {
                    continue;
                }
                JsonNode actual = have.get(e.getKey());
                if (!sameScalar(e.getValue(), actual)) {
                    List<Object> p = List.of("metadata", map, e.getKey());
                    out.add(new Drift(key, render(p), e.getValue().toString(), show(actual), owner(mf, live, p)));
                }
            }
        }
        // Fields meshcd still owns that Git no longer has (only possible between a Git change and its apply).
        for (List<ManagedFields.Segment> owned : mf.ownedBy(manager)) {
            List<Object> p = new ArrayList<>();
            boolean plain = true;
            for (ManagedFields.Segment s : owned) {
                if (s instanceof ManagedFields.Field f) {
                    p.add(f.name());
                } else {
                    plain = false;
                    break;
                }
            }
            if (!plain || p.isEmpty() || SKIP_TOP.contains((String) p.get(0))) {
                continue;
            }
            JsonNode want = at(desired, p);
            JsonNode have = at(live, p);
            if (want == null && have != null) {
                out.add(new Drift(key, render(p), "<absent>", show(have), manager));
            }
        }
        return out;
    }

    private void walk(ResourceKey key, JsonNode want, JsonNode have, List<Object> path, JsonNode live,
                      ManagedFields mf, List<Drift> out) {
        if (want.isObject() && have != null && have.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = want.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                path.add(e.getKey());
                walk(key, e.getValue(), have.get(e.getKey()), path, live, mf, out);
                path.remove(path.size() - 1);
            }
            return;
        }
        if (want.isArray() && have != null && have.isArray() && want.size() == have.size()) {
            for (int i = 0; i < want.size(); i++) {
                path.add(i);
                walk(key, want.get(i), have.get(i), path, live, mf, out);
                path.remove(path.size() - 1);
            }
            return;
        }
        if (!covers(want, have)) {
            out.add(new Drift(key, render(path), want.toString(), show(have), owner(mf, live, path)));
        }
    }

    /** True when {@code have} has everything {@code want} has (extra object fields are defaults). */
    static boolean covers(JsonNode want, JsonNode have) {
        if (have == null || have.isMissingNode()) {
            return want.isNull();
        }
        if (want.isObject()) {
            if (!have.isObject()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> it = want.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!covers(e.getValue(), have.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (want.isArray()) {
            if (!have.isArray() || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!covers(want.get(i), have.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return sameScalar(want, have);
    }

    private static boolean sameScalar(JsonNode want, JsonNode have) {
        if (have == null) {
            return false;
        }
        if (want.isNumber() && have.isNumber()) {
            return want.decimalValue().compareTo(have.decimalValue()) == 0;
        }
        return want.equals(have);
    }

    private String owner(ManagedFields mf, JsonNode live, List<Object> path) {
        List<String> owners = mf.owners(live, path);
        for (String o : owners) {
            if (!o.equals(manager)) {
                return o;
            }
        }
        return owners.isEmpty() ? "" : owners.get(0);
    }

    private static JsonNode at(JsonNode node, List<Object> path) {
        JsonNode cur = node;
        for (Object p : path) {
            cur = p instanceof Integer i ? cur.get(i) : cur.get((String) p);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    private static String show(JsonNode n) {
        return n == null || n.isMissingNode() ? "<absent>" : n.toString();
    }

    static String render(List<Object> path) {
        return FieldPath.of(path.toArray()).toString();
    }
}
