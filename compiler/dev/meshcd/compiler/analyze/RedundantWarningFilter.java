package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One diagnostic per mistake: drops a validation warning when an analyzer reports the same mistake, on the same
 * resource and field, with Istio's analyzer code (which istioctl analyze users know). A port name that follows no
 * convention is one IST0118 (or IST0150 on an ExternalName Service), not also the istioctl-validate warning; a
 * ServiceEntry TCP port without addresses is one IST0134, not also MCD2025.
 * Runs before the suppressions, so suppressing the analyzer's code silences the mistake entirely.
 */
public final class RedundantWarningFilter implements DiagnosticFilter {
    /** Validation warning code → the analyzer codes that report the same mistake. */
    private static final Map<String, Set<String>> REPLACED_BY = Map.of(
            ValidationWarning.PORT_NAME_CONVENTION.code(), Set.of("IST0118", "IST0150"),
            ValidationWarning.UNNAMED_SERVICE_PORT.code(), Set.of("IST0118", "IST0150"),
            ValidationWarning.APP_PROTOCOL_NOT_ISTIO.code(), Set.of("IST0118", "IST0150"),
            ValidationWarning.SERVICE_ENTRY_ADDRESSES_REQUIRED.code(), Set.of("IST0134"));

    private record Finding(ResourceKey subject, String code, String field) {
    }

    @Override
    public List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index) {
        Set<Finding> analyzer = new HashSet<>();
        for (Diagnostic d : diagnostics) {
            if (d.subject() != null && d.code().startsWith("IST")) {
                analyzer.add(new Finding(d.subject(), d.code(), element(d.path())));
            }
        }
        if (analyzer.isEmpty()) {
            return diagnostics;
        }
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            if (!redundant(d, analyzer)) {
                out.add(d);
            }
        }
        return out.size() == diagnostics.size() ? diagnostics : out;
    }

    private static boolean redundant(Diagnostic d, Set<Finding> analyzer) {
        Set<String> by = REPLACED_BY.get(d.code());
        if (by == null || d.subject() == null) {
            return false;
        }
        String field = element(d.path());
        for (String code : by) {
            if (analyzer.contains(new Finding(d.subject(), code, field))) {
                return true;
            }
        }
        return false;
    }

    /** The list element a path is about: "spec.ports[0].name" → "spec.ports[0]"; other paths unchanged. */
    static String element(String path) {
        int close = path.lastIndexOf(']');
        return close < 0 ? path : path.substring(0, close + 1);
    }
}
