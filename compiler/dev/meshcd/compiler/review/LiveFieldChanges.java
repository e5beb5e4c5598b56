package dev.meshcd.compiler.review;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields that would change on a live object: its current state against what the API server answered to a
 * dry-run apply, leaf by leaf ({@code spec.http[0].route[1].weight}). What the server maintains by itself
 * (resourceVersion, managedFields, generation, ...) and the sync's bookkeeping annotations (the commit, the
 * content hash: they change with every commit) are not changes a reviewer needs to see.
 */
public final class LiveFieldChanges {
    private static final Set<String> IGNORED = Set.of("metadata.resourceVersion", "metadata.managedFields",
            "metadata.generation", "metadata.uid", "metadata.creationTimestamp", "metadata.selfLink", "status",
            "metadata.annotations.meshcd.dev/commit", "metadata.annotations.meshcd.dev/content-hash");
    /** A reviewer needs the gist; an object rewritten whole is summarised. */
    private static final int MAX_FIELDS = 20;

    private LiveFieldChanges() {
    }

    public static List<String> between(JsonNode live, JsonNode after) {
        Set<String> out = new TreeSet<>();
        walk("", live, after, out);
        List<String> list = new ArrayList<>(out);
        if (list.size() > MAX_FIELDS) {
            int more = list.size() - MAX_FIELDS;
            list = new ArrayList<>(list.subList(0, MAX_FIELDS));
            list.add("and " + more + " more");
        }
        return list;
    }

    private static void walk(String path, JsonNode a, JsonNode b, Set<String> out) {
        if (IGNORED.contains(path)) {
            return;
        }
        boolean aMissing = a == null || a.isMissingNode() || a.isNull();
        boolean bMissing = b == null || b.isMissingNode() || b.isNull();
        if (aMissing && bMissing) {
            return;
        }
        if (!aMissing && !bMissing && a.isObject() && b.isObject()) {
            Set<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                walk(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
            }
        } else if (!aMissing && !bMissing && a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                walk(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else if (aMissing || bMissing || !a.equals(b)) {
            out.add(path);
        }
    }
}
