package dev.meshcd.compiler.report;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Diagnostics as an admission webhook shows them to {@code kubectl}: one item per finding,
 * {@code IST0106 spec.http[0].route[0].weight: message}. No file positions (admission objects have no file).
 */
public final class AdmissionMessageRenderer {
    /** The longest denial message sent back; the API server and kubectl show it verbatim. */
    public static final int MAX_MESSAGE = 4096;

    private AdmissionMessageRenderer() {
    }

    /** One finding: {@code CODE path: message}, or {@code CODE message} when it has no path. */
    public static String item(Diagnostic d) {
        StringBuilder sb = new StringBuilder(d.code());
        if (!d.path().isEmpty()) {
            sb.append(' ').append(d.path()).append(':');
        }
        return sb.append(' ').append(d.message()).toString();
    }

    /**
     * The denial message for the errors among {@code diagnostics}:
     * {@code meshcd denied VirtualService shop/cart: IST0106 spec...: msg; IST0101 ...}.
     */
    public static String denial(String resource, List<Diagnostic> diagnostics) {
        List<String> items = new ArrayList<>();
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Severity.ERROR) {
                items.add(item(d));
            }
        }
        String msg = "meshcd denied " + resource + ": " + String.join("; ", items);
        return msg.length() <= MAX_MESSAGE ? msg : msg.substring(0, MAX_MESSAGE - 16) + " ... (truncated)";
    }

    /** {@code AdmissionResponse.warnings}: one entry per warning. */
    public static List<String> warnings(List<Diagnostic> diagnostics) {
        List<String> out = new ArrayList<>();
        for (Diagnostic d : diagnostics) {
            if (d.severity() == Severity.WARNING) {
                out.add(item(d));
            }
        }
        return out;
    }
}
