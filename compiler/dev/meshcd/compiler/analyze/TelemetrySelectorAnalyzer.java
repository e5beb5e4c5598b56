package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Telemetry selectors (Istio's telemetry/selector.go and default_selector.go): a {@code selector.matchLabels} must
 * match a workload of the Telemetry's namespace (IST0101 "selector"); two Telemetries must not select the same
 * workload (IST0159); a namespace may have at most one Telemetry without {@code selector} (IST0160).
 */
public final class TelemetrySelectorAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "telemetry.selector";
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        Map<String, List<Resource>> noSelector = new LinkedHashMap<>();
        Map<Workload, List<Resource>> byWorkload = new IdentityHashMap<>();
        for (Resource t : index.ofKind(Kind.TELEMETRY_KIND)) {
            if (t.spec().path("selector").isMissingNode() || t.spec().path("selector").isNull()) {
                noSelector.computeIfAbsent(t.namespace(), n -> new ArrayList<>()).add(t);
            }
            Map<String, String> selector = MeshIndex.stringMap(t.spec().path("selector").path("matchLabels"));
            if (selector.isEmpty()) {
                continue;
            }
            List<Workload> pods = index.workloadsMatchingIn(t.namespace(), selector);
            if (pods.isEmpty()) {
                Messages.report(sink, t, "IST0101", FieldPath.of("spec", "selector", "matchLabels"), "selector",
                        Messages.selector(selector));
            }
            for (Workload w : pods) {
                byWorkload.computeIfAbsent(w, k -> new ArrayList<>()).add(t);
            }
        }
        for (Map.Entry<String, List<Resource>> e : noSelector.entrySet()) {
            if (e.getValue().size() > 1) {
                List<String> names = names(e.getValue());
                for (Resource t : e.getValue()) {
                    Messages.report(sink, t, "IST0160", FieldPath.of("metadata", "name"), names, e.getKey());
                }
            }
        }
        Set<String> reported = new HashSet<>();
        for (Map.Entry<Workload, List<Resource>> e : byWorkload.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            List<String> names = names(e.getValue());
            for (Resource t : e.getValue()) {
                // one message per Telemetry and set of co-selecting Telemetries
                if (reported.add(t.key() + "|" + names)) {
                    Messages.report(sink, t, "IST0159", FieldPath.of("spec", "selector", "matchLabels"), names,
                            t.namespace(), e.getKey().name());
                }
            }
        }
    }

    private static List<String> names(List<Resource> rs) {
        List<String> out = new ArrayList<>();
        rs.forEach(r -> out.add(r.name()));
        out.sort(null);
        return out;
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.TELEMETRY_KIND);
    }

    @Override
    public Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.TELEMETRY_KIND);
    }
}
