package dev.meshcd.admission.webhook;

import java.util.List;

/**
 * An {@code admission.k8s.io/v1} AdmissionResponse.
 *
 * @param code    HTTP-like status code shown with a denial (403 forbidden, 400 bad object)
 * @param message the text kubectl prints for a denial (empty when allowed)
 * @param patch   an RFC 6902 JSON Patch (mutating webhooks), or null
 * @param reason  a short word for audit and metrics ("valid", "invalid", "managed-by-git", ...)
 */
public record AdmissionResponse(boolean allowed, int code, String message, List<String> warnings, byte[] patch,
                                String reason) {
    public AdmissionResponse {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        message = message == null ? "" : message;
        reason = reason == null ? "" : reason;
    }

    public static AdmissionResponse allow(String reason) {
        return new AdmissionResponse(true, 200, "", List.of(), null, reason);
    }

    public static AdmissionResponse allow(String reason, List<String> warnings) {
        return new AdmissionResponse(true, 200, "", warnings, null, reason);
    }

    public static AdmissionResponse patch(String reason, byte[] patch, List<String> warnings) {
        return new AdmissionResponse(true, 200, "", warnings, patch, reason);
    }

    public static AdmissionResponse deny(int code, String reason, String message) {
        return new AdmissionResponse(false, code, message, List.of(), null, reason);
    }

    public AdmissionResponse withWarnings(List<String> more) {
        return new AdmissionResponse(allowed, code, message, more, patch, reason);
    }

    public String verdict() {
        return allowed ? (patch != null ? "patched" : "allowed") : "denied";
    }
}
