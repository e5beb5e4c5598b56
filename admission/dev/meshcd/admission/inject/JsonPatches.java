package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.EnumSet;

/**
 * RFC 6902 patches between the pod the API server sent and the injected pod, for the webhook's
 * {@code patchType: JSONPatch} response. Only add/remove/replace operations are emitted (no move/copy),
 * maps are patched key by key (so {@code /metadata/labels/security.istio.io~1tlsMode}, never a whole
 * {@code /metadata/labels} that would drop the pod's other labels), keys escaped per RFC 6901. The diff is
 * zjsonpatch's (a kept library, as issue #5 asks); a hand-written single-pass diff measured about 20 µs less
 * per pod (BENCHMARKS.md, Injection) and was not kept.
 */
public final class JsonPatches {
    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION,
            DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);

    private JsonPatches() {
    }

    /** The patch turning {@code original} into {@code target}; an empty array when equal. */
    public static ArrayNode diff(JsonNode original, JsonNode target) {
        return (ArrayNode) JsonDiff.asJson(original, target, FLAGS);
    }

    /** Applies {@code patch} to a copy of {@code document}. */
    public static JsonNode apply(JsonNode patch, JsonNode document) {
        return JsonPatch.apply(patch, document);
    }

    /** RFC 6901 reference token: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
