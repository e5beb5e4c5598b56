package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.kube.Ownership;
import java.util.Set;

/**
 * Objects synced from Git ({@code app.kubernetes.io/managed-by: meshcd}) may be created, changed or deleted
 * only by the sync identity. Anyone else is told where to change them. A break-glass annotation
 * ({@code meshcd.dev/break-glass: "<reason>"}) lets an operator through in an emergency; it is audited.
 * The label and annotations it reads are the ones sync writes, defined once in {@link Ownership}.
 */
public final class OwnershipGuard {
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
        ObjectNode managed = Ownership.managed(req.oldObject()) ? req.oldObject()
                : Ownership.managed(req.object()) ? req.object() : null;
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
        String repo = Ownership.annotation(managed, Ownership.REPO);
        String source = Ownership.annotation(managed, Ownership.SOURCE);
        return AdmissionResponse.deny(403, "managed-by-git", req.display() + " is managed by Git: "
                + (repo == null ? "<unknown repo>" : repo) + " " + (source == null ? "<unknown path>" : source)
                + "; change it there (or, in an emergency, set the annotation " + Ownership.BREAK_GLASS
                + ": \"<reason>\")");
    }

    private static String breakGlass(ObjectNode o) {
        String r = Ownership.annotation(o, Ownership.BREAK_GLASS);
        return r == null || r.isBlank() ? null : r;
    }
}
