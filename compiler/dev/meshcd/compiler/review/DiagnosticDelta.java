package dev.meshcd.compiler.review;

import dev.meshcd.compiler.diag.Diagnostic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings a change introduces and the ones it fixes. Two findings are the same when they have the same code,
 * resource and field path: a line moving (lines added above it, the file renamed) is not a new finding, and a
 * finding in a file the change did not touch (a VirtualService whose DestinationRule was deleted) is one. Counted
 * as a multiset, so a second identical finding is still introduced.
 */
public record DiagnosticDelta(List<Diagnostic> introduced, List<Diagnostic> fixed) {

    private record Key(String code, String resource, String path) {
        static Key of(Diagnostic d) {
            // a finding about no resource (YAML syntax, the config file) is identified by its file instead
            return new Key(d.code(), d.resource().isEmpty() ? "file " + d.location().file() : d.resource(), d.path());
        }
    }

    public DiagnosticDelta {
        introduced = List.copyOf(introduced);
        fixed = List.copyOf(fixed);
    }

    public static DiagnosticDelta between(List<Diagnostic> base, List<Diagnostic> head) {
        return new DiagnosticDelta(minus(head, base), minus(base, head));
    }

    /** The findings of {@code a} left after each finding of {@code b} cancels one of {@code a} with its key. */
    private static List<Diagnostic> minus(List<Diagnostic> a, List<Diagnostic> b) {
        Map<Key, Integer> left = new HashMap<>();
        b.forEach(d -> left.merge(Key.of(d), 1, Integer::sum));
        List<Diagnostic> out = new ArrayList<>();
        for (Diagnostic d : a) {
            Key k = Key.of(d);
            int n = left.getOrDefault(k, 0);
            if (n > 0) {
                left.put(k, n - 1);
            } else {
                out.add(d);
            }
        }
        return out;
    }
}
