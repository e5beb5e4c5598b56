package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * Objects synced from Git ({@code app.kubernetes.io/managed-by: meshcd}) may be created, changed or deleted
 * only by the sync identity. Anyone else is told where to change them. A break-glass annotation
 * ({@code meshcd.dev/break-glass: "<reason>"}) lets an operator through in an emergency; it is audited.
 */
public final class OwnershipGuard {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "meshcd";
    public static final String REPO = "meshcd.dev/repo";
    public static final String SOURCE = "meshcd.dev/source";
    public static final String BREAK_GLASS = "meshcd.dev/break-glass";
    public static final String DEFAULT_SYNC_IDENTITY = "system:serviceaccount:meshcd-system:meshcd";

    private final Set<String> syncIdentities;

    public OwnershipGuard(Set<String> syncIdentities) {
        this.syncIdentities = Set.copyOf(syncIdentities);
    }

    public static OwnershipGuard standard() {
        return new OwnershipGuard(Set.of(DEFAULT_SYNC_IDENTITY));
    }

    /** A denial, or null when the request may go on. */
    public AdmissionResponse check(AdmissionRequest req) {
        ObjectNode managed = managed(req.oldObject()) ? req.oldObject() : managed(req.object()) ? req.object() : null;
        if (managed == null || syncIdentities.contains(req.username())) {
            return null;
        }
        String reason = breakGlass(req.object());
        if (reason == null && "DELETE".equals(req.operation())) {
            reason = breakGlass(req.oldObject());
        }
        if (reason != null) {
            AuditLog.breakGlass(req, reason);
            return null;
        }
        String repo = text(managed, REPO);
        String source = text(managed, SOURCE);
        return AdmissionResponse.deny(403, "managed-by-git", req.display() + " is managed by Git: "
                + (repo == null ? "<unknown repo>" : repo) + " " + (source == null ? "<unknown path>" : source)
                + "; change it there (or, in an emergency, set the annotation " + BREAK_GLASS + ": \"<reason>\")");
    }

    static boolean managed(ObjectNode o) {
        return o != null && MANAGER.equals(o.path("metadata").path("labels").path(MANAGED_BY).asText(null));
    }

    private static String breakGlass(ObjectNode o) {
        String r = o == null ? null : text(o, BREAK_GLASS);
        return r == null || r.isBlank() ? null : r;
    }

    private static String text(ObjectNode o, String annotation) {
        JsonNode v = o.path("metadata").path("annotations").get(annotation);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
