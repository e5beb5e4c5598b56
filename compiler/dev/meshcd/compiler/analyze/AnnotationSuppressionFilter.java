package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Suppressions as code on the resource itself: the annotation istioctl analyze honours,
 * {@code galley.istio.io/analyze-suppress: "IST0101,IST0109"}, and meshcd's own
 * {@code meshcd.dev/suppress} with the same syntax. {@code "*"} suppresses every code, MCD2001 every validation warning (MCD2002 on). Only
 * diagnostics about that resource are dropped; the resource's own file is not otherwise affected.
 */
public final class AnnotationSuppressionFilter implements DiagnosticFilter {
    public static final String ISTIO_ANNOTATION = MeshIndex.ISTIO_SUPPRESS_ANNOTATION;
    public static final String MESHCD_ANNOTATION = MeshIndex.MESHCD_SUPPRESS_ANNOTATION;

    @Override
    public List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index) {
        Set<ResourceKey> mentioned = new HashSet<>();
        for (Diagnostic d : diagnostics) {
            if (d.subject() != null) {
                mentioned.add(d.subject());
            }
        }
        if (mentioned.isEmpty()) {
            return diagnostics;
        }
        Map<ResourceKey, Set<String>> suppressed = new HashMap<>();
        for (String annotation : MeshIndex.INDEXED_ANNOTATIONS) {
            for (Resource r : index.withAnnotation(annotation)) {
                if (mentioned.contains(r.key())) {
                    suppressed.computeIfAbsent(r.key(), k -> new HashSet<>()).addAll(codes(r.annotation(annotation)));
                }
            }
        }
        if (suppressed.isEmpty()) {
            return diagnostics;
        }
        List<Diagnostic> out = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            Set<String> codes = d.subject() == null ? null : suppressed.get(d.subject());
            if (codes == null || !covered(codes, d.code())) {
                out.add(d);
            }
        }
        return out;
    }

    private static boolean covered(Set<String> suppressed, String code) {
        if (suppressed.contains("*") || suppressed.contains(code)) {
            return true;
        }
        return suppressed.contains(Codes.VALIDATION_WARNING) && Codes.covers(Codes.VALIDATION_WARNING, code);
    }

    /** "IST0101, IST0109" → {IST0101, IST0109}. */
    public static Set<String> codes(String value) {
        Set<String> out = new HashSet<>();
        for (String c : value.split(",")) {
            String t = c.trim();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
