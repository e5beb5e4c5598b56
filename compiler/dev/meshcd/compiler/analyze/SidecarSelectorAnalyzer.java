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
 * (IST0110); a namespace may have at most one Sidecar without a selector (IST0111). A Sidecar selecting an ambient
 * workload (annotated {@code ambient.istio.io/redirection: enabled}), or without selector in an ambient namespace
 * ({@code istio.io/dataplane-mode: ambient} without an injection label), has no effect (IST0167) instead.
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
        java.util.Set<dev.meshcd.compiler.model.ResourceKey> ineffective = new java.util.HashSet<>();
        for (Map.Entry<Workload, List<Resource>> e : byWorkload.entrySet()) {
            if (AMBIENT_REDIRECTION.equals(e.getKey().annotations().get(AMBIENT_ANNOTATION))) {
                for (Resource sc : e.getValue()) {
                    if (ineffective.add(sc.key())) {
                        Messages.report(sink, sc, "IST0167", FieldPath.of("spec", "workloadSelector", "labels"),
                                "selected workload is in ambient mode, the policy has no impact");
                    }
                }
            }
        }
        for (Map.Entry<String, List<Resource>> e : noSelector.entrySet()) {
            if (ambientNamespace(index, e.getKey())) {
                for (Resource sc : e.getValue()) {
                    if (ineffective.add(sc.key())) {
                        Messages.report(sink, sc, "IST0167", FieldPath.of("metadata", "name"),
                                "namespace is in ambient mode, the policy has no impact");
                    }
                }
                continue;
            }
            if (e.getValue().size() > 1) {
                List<String> names = names(e.getValue());
                for (Resource sc : e.getValue()) {
                    Messages.report(sink, sc, "IST0111", FieldPath.of("spec"), names, e.getKey());
                }
            }
        }
        Map<String, Boolean> reported = new HashMap<>();
        for (Map.Entry<Workload, List<Resource>> e : byWorkload.entrySet()) {
            if (e.getValue().size() < 2 || AMBIENT_REDIRECTION.equals(e.getKey().annotations().get(AMBIENT_ANNOTATION))) {
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

    static final String AMBIENT_ANNOTATION = "ambient.istio.io/redirection";
    static final String AMBIENT_REDIRECTION = "enabled";

    /** Istio's NamespaceInAmbientMode: labelled ambient, and neither for injection nor for a revision. */
    static boolean ambientNamespace(MeshIndex index, String namespace) {
        Resource ns = index.get(InjectionAnalyzer.namespaceKey(namespace)).orElse(null);
        if (ns == null) {
            return false;
        }
        Map<String, String> labels = ns.labels();
        String rev = labels.get(InjectionAnalyzer.REVISION_LABEL);
        return !"enabled".equals(labels.get(InjectionAnalyzer.INJECTION_LABEL)) && (rev == null || rev.isEmpty())
                && "ambient".equals(labels.get(InjectionAnalyzer.DATAPLANE_MODE_LABEL));
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
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SIDECAR, Kind.NAMESPACE);
    }
}
