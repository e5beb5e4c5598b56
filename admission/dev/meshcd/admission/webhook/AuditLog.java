package dev.meshcd.admission.webhook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One SLF4J line per admission request on logger {@code meshcd.audit}: who, what, verdict, why. */
public final class AuditLog {
    private static final Logger AUDIT = LoggerFactory.getLogger("meshcd.audit");

    private AuditLog() {
    }

    public static void record(String webhook, AdmissionRequest req, AdmissionResponse resp) {
        AUDIT.info("webhook={} uid={} user={} op={} kind={} object={} dryRun={} verdict={} reason={} why={}",
                webhook, req.uid(), quote(req.username()), req.operation(), kind(req), quote(objectName(req)),
                req.dryRun(), resp.verdict(), resp.reason(), quote(resp.allowed() ? "" : resp.message()));
    }

    /** Break-glass edits of Git-managed objects: allowed, and logged at WARN so they stand out. */
    public static void breakGlass(AdmissionRequest req, String why) {
        AUDIT.warn("break-glass uid={} user={} op={} object={} reason={}", req.uid(), quote(req.username()),
                req.operation(), quote(req.display()), quote(why));
    }

    public static void badRequest(String webhook, String remote, int status, String why) {
        AUDIT.warn("webhook={} remote={} status={} bad request: {}", webhook, remote, status, quote(why));
    }

    private static String kind(AdmissionRequest r) {
        return r.group().isEmpty() ? r.kind() : r.kind() + "." + r.group();
    }

    private static String objectName(AdmissionRequest r) {
        String n = r.name();
        if (n == null || n.isEmpty()) {
            n = AdmissionRequest.nameOf(r.subject());
        }
        return (r.namespace().isEmpty() ? "" : r.namespace() + "/") + (n == null ? "" : n);
    }

    private static String quote(String s) {
        if (s == null) {
            return "\"\"";
        }
        String clean = s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
        return "\"" + clean + "\"";
    }
}
