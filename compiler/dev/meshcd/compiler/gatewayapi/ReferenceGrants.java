package dev.meshcd.compiler.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;

/**
 * The Gateway API's ReferenceGrant: an object in one namespace may refer to an object in another only when a
 * ReferenceGrant in the target's namespace lets objects of its group, kind and namespace do so (the target's group
 * and kind, and its name when the grant names one).
 */
public final class ReferenceGrants {
    private ReferenceGrants() {
    }

    /** Whether {@code from} may refer to the object ({@code group}, {@code kind}, {@code namespace}, {@code name}). */
    public static boolean permits(MeshIndex index, Resource from, String group, String kind, String namespace,
                                  String name) {
        if (namespace.equals(from.namespace())) {
            return true;
        }
        for (Resource grant : index.ofKind(Kind.REFERENCE_GRANT)) {
            if (grant.namespace().equals(namespace) && matchesFrom(grant.spec().path("from"), from)
                    && matchesTo(grant.spec().path("to"), group, kind, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesFrom(JsonNode froms, Resource from) {
        for (JsonNode f : froms) {
            if (f.path("group").asText("").equals(from.key().group()) && f.path("kind").asText("").equals(from.key().kind())
                    && f.path("namespace").asText("").equals(from.namespace())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesTo(JsonNode tos, String group, String kind, String name) {
        for (JsonNode t : tos) {
            String n = t.path("name").asText("");
            if (t.path("group").asText("").equals(group) && t.path("kind").asText("").equals(kind)
                    && (n.isEmpty() || n.equals(name))) {
                return true;
            }
        }
        return false;
    }
}
