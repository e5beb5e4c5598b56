package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.IstioMessages;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reports Istio analyzer messages: the level and text come from Istio's catalogue
 * ({@link IstioMessages}), with the template's Go verbs filled in as Go's fmt would.
 */
public final class Messages {
    private Messages() {
    }

    /** Reports catalogue message {@code code} about the field {@code path} of {@code r}. */
    public static void report(DiagnosticSink sink, Resource r, String code, FieldPath path, Object... args) {
        IstioMessages.Message m = IstioMessages.lookup(code)
                .orElseThrow(() -> new IllegalArgumentException("not in Istio's catalogue: " + code));
        sink.report(r.diagnostic(m.level(), code, path, format(m.template(), args)));
    }

    public static Severity level(String code) {
        return IstioMessages.lookup(code).map(IstioMessages.Message::level).orElse(Severity.ERROR);
    }

    /** Fills Go fmt verbs (%s %v %q %d, %%): collections print as Go slices, "[a b]". */
    public static String format(String template, Object... args) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int arg = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%' || i + 1 >= template.length()) {
                out.append(c);
                continue;
            }
            char verb = template.charAt(++i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            Object v = arg < args.length ? args[arg++] : "%!" + verb + "(MISSING)";
            switch (verb) {
                case 'q' -> {
                    if (v instanceof Collection<?> col) { // Go quotes each element of a slice: ["a" "b"]
                        java.util.List<String> quoted = new java.util.ArrayList<>();
                        col.forEach(o -> quoted.add(quote(String.valueOf(o))));
                        out.append(goSlice(quoted));
                    } else {
                        out.append(quote(String.valueOf(v)));
                    }
                }
                case 'v', 's', 'd' -> out.append(v instanceof Collection<?> col ? goSlice(col) : String.valueOf(v));
                default -> out.append('%').append(verb);
            }
        }
        return out.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String goSlice(Collection<?> items) {
        StringBuilder b = new StringBuilder("[");
        for (Object o : items) {
            if (b.length() > 1) {
                b.append(' ');
            }
            b.append(o);
        }
        return b.append(']').toString();
    }

    /** A label selector as Kubernetes prints it: "app=cart,version=v1", keys sorted. */
    public static String selector(Map<String, String> labels) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }
}
