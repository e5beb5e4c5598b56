package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sidecar selectors (istio's sidecar/selector.go): a workloadSelector must match a workload of the
 * Sidecar's namespace (IST0101 "selector"); two Sidecars must not select the same workload
 * (IST0110); a namespace may have at most one Sidecar without a selector (IST0111).
 */
public final class SidecarSelectorAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "sidecar.selector";
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        Map<String, List<Resource>> noSelector = new LinkedHashMap<>();
        Map<Workload, List<Resource>> byWorkload = new IdentityHashMap<>();
        for (Resource sc : index.ofKind(Kind.SIDECAR)) {
            JsonNode labels = sc.spec().path("workloadSelector").path("labels");
            Map<String, String> selector = MeshIndex.stringMap(labels);
            if (selector.isEmpty()) {
                noSelector.computeIfAbsent(sc.namespace(), n -> new ArrayList<>()).add(sc);
                continue;
            }
            List<Workload> pods = index.workloadsMatchingIn(sc.namespace(), selector);
            if (pods.isEmpty()) {
                Messages.report(sink, sc, "IST0101", FieldPath.of("spec", "workloadSelector", "labels"), "selector",
                        Messages.selector(selector));
            }
            for (Workload w : pods) {
                byWorkload.computeIfAbsent(w, k -> new ArrayList<>()).add(sc);
            }
        }
        for (Map.Entry<String, List<Resource>> e : noSelector.entrySet()) {
            if (e.getValue().size() > 1) {
                List<String> names = names(e.getValue());
                for (Resource sc : e.getValue()) {
                    Messages.report(sink, sc, "IST0111", FieldPath.of("spec"), names, e.getKey());
                }
            }
        }
        Map<String, Boolean> reported = new HashMap<>();
        for (Map.Entry<Workload, List<Resource>> e : byWorkload.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            List<String> names = names(e.getValue());
            for (Resource sc : e.getValue()) {
                // one message per Sidecar and set of co-selecting Sidecars
                if (reported.putIfAbsent(sc.key() + "|" + names, Boolean.TRUE) == null) {
                    Messages.report(sink, sc, "IST0110", FieldPath.of("spec", "workloadSelector", "labels"), names,
                            sc.namespace(), e.getKey().name());
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
    public java.util.Set<Kind> subjects() {
        return java.util.Set.of(Kind.SIDECAR);
    }

    @Override
    public java.util.Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SIDECAR);
    }
}
