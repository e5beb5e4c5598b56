package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 6902 patches between the pod the API server sent and the injected pod, for the webhook's
 * {@code patchType: JSONPatch} response. Only add/remove/replace operations are emitted (no move/copy),
 * maps are patched key by key (so {@code /metadata/labels/security.istio.io~1tlsMode}, never a whole
 * {@code /metadata/labels} that would drop the pod's other labels), keys escaped per RFC 6901.
 *
 * <p>{@link #diff} is a single pass over both trees shaped for what injection does to a pod: objects are
 * compared key by key; in arrays the common head and tail (items with the same {@code name}, or equal items)
 * are patched in place, and what lies between is replaced pairwise, then removed or added. That makes the
 * containers, init containers, volumes and env lists that injection extends cost one walk, without the
 * longest-common-subsequence search and per-operation pointer parsing of a general diff.
 * {@link #genericDiff} (zjsonpatch) is the reference it is tested against.
 */
public final class JsonPatches {
    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION,
            DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final TextNode ADD = TextNode.valueOf("add");
    private static final TextNode REMOVE = TextNode.valueOf("remove");
    private static final TextNode REPLACE = TextNode.valueOf("replace");
    private JsonPatches() {
    }

    /**
     * The patch turning {@code original} into {@code target}; an empty array when equal. The operations' values
     * are {@code target}'s nodes (not copies).
     */
    public static ArrayNode diff(JsonNode original, JsonNode target) {
        ArrayNode ops = F.arrayNode();
        node(ops, new StringBuilder(256), original, target);
        return ops;
    }

    /** The same patch semantics computed by zjsonpatch's general tree diff. */
    public static ArrayNode genericDiff(JsonNode original, JsonNode target) {
        return (ArrayNode) JsonDiff.asJson(original, target, FLAGS);
    }

    /** Applies {@code patch} to a copy of {@code document}. */
    public static JsonNode apply(JsonNode patch, JsonNode document) {
        return JsonPatch.apply(patch, document);
    }

    /** RFC 6901 reference token: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    public static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static void node(ArrayNode ops, StringBuilder path, JsonNode a, JsonNode b) {
        if (a == b) {
            return;
        }
        if (a instanceof ObjectNode ao && b instanceof ObjectNode bo) {
            object(ops, path, ao, bo);
        } else if (a instanceof ArrayNode aa && b instanceof ArrayNode ba) {
            array(ops, path, aa, ba);
        } else if (!a.equals(b)) {
            op(ops, REPLACE, path, b);
        }
    }

    private static void object(ArrayNode ops, StringBuilder path, ObjectNode a, ObjectNode b) {
        int at = path.length();
        for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode bv = b.get(e.getKey());
            path.append('/').append(escape(e.getKey()));
            if (bv == null) {
                op(ops, REMOVE, path, null);
            } else {
                node(ops, path, e.getValue(), bv);
            }
            path.setLength(at);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!a.has(e.getKey())) {
                path.append('/').append(escape(e.getKey()));
                op(ops, ADD, path, e.getValue());
                path.setLength(at);
            }
        }
    }

    /**
     * Head and tail items that are the same thing (same name, or equal) are diffed in place; the middle of
     * {@code a} is replaced item by item with the middle of {@code b}, and the surplus removed (from the back) or
     * added. Indices in each operation are those of the array as the previous operations left it.
     */
    private static void array(ArrayNode ops, StringBuilder path, ArrayNode a, ArrayNode b) {
        int n = a.size();
        int m = b.size();
        int head = 0;
        while (head < n && head < m && same(a.get(head), b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < n - head && tail < m - head && same(a.get(n - 1 - tail), b.get(m - 1 - tail))) {
            tail++;
        }
        int at = path.length();
        for (int i = 0; i < head; i++) {
            node(ops, index(path, i), a.get(i), b.get(i));
            path.setLength(at);
        }
        int midA = n - head - tail;
        int midB = m - head - tail;
        int common = Math.min(midA, midB);
        for (int k = 0; k < common; k++) {
            op(ops, REPLACE, index(path, head + k), b.get(head + k));
            path.setLength(at);
        }
        for (int k = midA - 1; k >= common; k--) {
            op(ops, REMOVE, index(path, head + k), null);
            path.setLength(at);
        }
        for (int k = common; k < midB; k++) {
            op(ops, ADD, index(path, head + k), b.get(head + k));
            path.setLength(at);
        }
        for (int j = 0; j < tail; j++) {
            node(ops, index(path, m - tail + j), a.get(n - tail + j), b.get(m - tail + j));
            path.setLength(at);
        }
    }

    /** Whether two array items are the same thing: objects by their {@code name}, anything else by equality. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a instanceof ObjectNode ao && b instanceof ObjectNode bo) {
            JsonNode an = ao.get("name");
            JsonNode bn = bo.get("name");
            if (an != null && bn != null && an.isTextual() && bn.isTextual()) {
                return an.textValue().equals(bn.textValue());
            }
        }
        return a.equals(b);
    }

    private static StringBuilder index(StringBuilder path, int i) {
        return path.append('/').append(i);
    }

    private static void op(ArrayNode ops, TextNode kind, StringBuilder path, JsonNode value) {
        ObjectNode op = ops.addObject();
        op.set("op", kind);
        op.put("path", path.toString());
        if (value != null) {
            op.set("value", value);
        }
    }
}
