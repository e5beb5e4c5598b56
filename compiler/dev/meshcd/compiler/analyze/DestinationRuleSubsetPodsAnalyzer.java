package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each subset of a DestinationRule for a Kubernetes Service must select some of the service's pods:
 * the service selector plus the subset's labels (IST0173 DestinationRuleSubsetNotSelectPods).
 * Hosts that are not Kubernetes Services with a selector are left to IST0174. Node-locality labels
 * ({@code topology.kubernetes.io/*}, {@code topology.istio.io/subzone}, {@code kubernetes.io/hostname}) are
 * ignored: istiod adds them to each endpoint from its Node (pilot's AugmentLabels), which no pod template
 * carries; an empty value is never added, so a subset asking for one still selects nothing.
 */
public final class DestinationRuleSubsetPodsAnalyzer extends SubjectAnalyzer {
    public DestinationRuleSubsetPodsAnalyzer() {
        super(Kind.DESTINATION_RULE);
    }

    @Override
    public String name() {
        return "destinationrule.subsetpods";
    }

    @Override
    protected void check(MeshIndex index, Resource dr, DiagnosticSink sink) {
        JsonNode subsets = dr.spec().path("subsets");
        if (subsets.isEmpty()) {
            return;
        }
        String fqdn = index.resolveHost(dr.spec().path("host").asText(""), dr.namespace());
        MeshService svc = null;
        for (MeshService s : index.servicesForHost(fqdn)) {
            if (!s.fromServiceEntry() && !s.selector().isEmpty()) {
                svc = s;
            }
        }
        if (svc == null) {
            return;
        }
        for (int i = 0; i < subsets.size(); i++) {
            JsonNode subset = subsets.path(i);
            Map<String, String> selector = new LinkedHashMap<>(svc.selector());
            MeshIndex.stringMap(subset.path("labels")).forEach((k, v) -> {
                if (!nodeLocality(k) || v.isEmpty()) {
                    selector.put(k, v);
                }
            });
            if (index.workloadsMatchingIn(svc.namespace(), selector).isEmpty()) {
                Messages.report(sink, dr, "IST0173", FieldPath.of("spec", "subsets", i, "name"),
                        subset.path("name").asText(""));
            }
        }
    }

    /** Labels istiod sets on endpoints from the pod's Node (region, zone, subzone, hostname). */
    static boolean nodeLocality(String key) {
        return key.startsWith("topology.kubernetes.io/") || key.equals("topology.istio.io/subzone")
                || key.equals("kubernetes.io/hostname");
    }

    @Override
    public java.util.Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SERVICE);
    }
}
