package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SLF4J line per admission request on logger {@code meshcd.audit}: who, what, verdict, why, as a JSON object
 * (JSON lines). Every value comes from the request and is escaped by the JSON writer, so no value can forge a
 * line or a field.
 */
public final class AuditLog {
    private static final Logger AUDIT = LoggerFactory.getLogger("meshcd.audit");
    private static final JsonFactory JSON = new JsonFactory();

    private AuditLog() {
    }

    public static void record(String webhook, AdmissionRequest req, AdmissionResponse resp) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.info(json("webhook", webhook, "uid", req.uid(), "user", req.username(), "op", req.operation(),
                    "kind", kind(req), "object", objectName(req), "dryRun", req.dryRun(), "verdict", resp.verdict(),
                    "reason", resp.reason(), "why", resp.allowed() ? "" : resp.message()));
        }
    }

    /** Break-glass edits of Git-managed objects: allowed, and logged at WARN so they stand out. */
    public static void breakGlass(AdmissionRequest req, String why) {
        AUDIT.warn(json("event", "break-glass", "uid", req.uid(), "user", req.username(), "op", req.operation(),
                "object", req.display(), "reason", why));
    }

    public static void badRequest(String webhook, String remote, int status, String why) {
        AUDIT.warn(json("webhook", webhook, "remote", remote, "status", status, "error", why));
    }

    /** A JSON object of name, value pairs (strings, numbers, booleans; null as ""). */
    static String json(Object... pairs) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i < pairs.length; i += 2) {
                String name = (String) pairs[i];
                Object v = pairs[i + 1];
                if (v instanceof Boolean b) {
                    g.writeBooleanField(name, b);
                } else if (v instanceof Integer n) {
                    g.writeNumberField(name, n);
                } else {
                    g.writeStringField(name, v == null ? "" : v.toString());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
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
}
