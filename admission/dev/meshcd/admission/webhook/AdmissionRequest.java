package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The parts of an {@code admission.k8s.io/v1} AdmissionRequest meshcd uses.
 *
 * @param object    the new object (null on DELETE)
 * @param oldObject the previous object (null on CREATE)
 */
public record AdmissionRequest(String uid, String group, String version, String kind, String resource,
                               String subResource, String namespace, String name, String operation,
                               String username, List<String> groups, boolean dryRun,
                               ObjectNode object, ObjectNode oldObject) {

    public String display() {
        String n = name == null || name.isEmpty() ? nameOf(object) : name;
        return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + (n == null ? "<unnamed>" : n);
    }

    /** The object the request is about: the new one, or the old one on DELETE. */
    public ObjectNode subject() {
        return object != null ? object : oldObject;
    }

    static String nameOf(ObjectNode o) {
        if (o == null) {
            return null;
        }
        JsonNode n = o.path("metadata").path("name");
        if (n.isTextual()) {
            return n.asText();
        }
        JsonNode g = o.path("metadata").path("generateName");
        return g.isTextual() ? g.asText() + "*" : null;
    }
}
