package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image: auto} on an {@code istio-proxy} container (Istio's injection/image-auto.go): a Pod carrying it was
 * not injected (IST0147, error: its pod would not start); a Deployment carrying it should match one of Istio's
 * injection webhooks (a MutatingWebhookConfiguration webhook named {@code *istio.io}) by namespace and object
 * selector (IST0146).
 */
public final class ImageAutoAnalyzer extends SubjectAnalyzer {
    public ImageAutoAnalyzer() {
        super(Kind.POD, Kind.DEPLOYMENT);
    }

    @Override
    public String name() {
        return "injection.imageauto";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        boolean pod = r.is(Kind.POD);
        JsonNode spec = pod ? r.spec() : r.spec().path("template").path("spec");
        JsonNode containers = spec.path("containers");
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.path(i);
            if (!InjectionAnalyzer.PROXY_CONTAINER.equals(c.path("name").asText()) || !"auto".equals(c.path("image").asText())) {
                continue;
            }
            if (pod) {
                Messages.report(sink, r, "IST0147", FieldPath.of("spec", "containers", i, "image"), "Pod", r.name());
            } else if (!matchesWebhooks(index, r)) {
                Messages.report(sink, r, "IST0146", FieldPath.of("spec", "template", "spec", "containers", i, "image"),
                        "Deployment", r.name());
            }
            return;
        }
    }

    private static boolean matchesWebhooks(MeshIndex index, Resource deployment) {
        Map<String, String> nsLabels = index.get(InjectionAnalyzer.namespaceKey(deployment.namespace()))
                .map(Resource::labels).orElse(Map.of());
        Map<String, String> podLabels = MeshIndex.stringMap(deployment.spec().path("template").path("metadata")
                .path("labels"));
        for (JsonNode wh : istioWebhooks(index)) {
            if (LabelSelectors.matches(wh.get("namespaceSelector"), nsLabels)
                    && LabelSelectors.matches(wh.get("objectSelector"), podLabels)) {
                return true;
            }
        }
        return false;
    }

    /** The webhooks of every MutatingWebhookConfiguration whose name ends in "istio.io". */
    static List<JsonNode> istioWebhooks(MeshIndex index) {
        List<JsonNode> out = new ArrayList<>();
        for (Resource mwc : index.ofKind(Kind.MUTATING_WEBHOOK)) {
            for (JsonNode wh : mwc.object().path("webhooks")) {
                if (wh.path("name").asText().endsWith("istio.io")) {
                    out.add(wh);
                }
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.NAMESPACE, Kind.MUTATING_WEBHOOK);
    }

    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.NAMESPACE)) {
            return r.labels();
        }
        return r.is(Kind.MUTATING_WEBHOOK) ? r.object().path("webhooks") : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Resource r = after != null ? after : before;
        if (!r.is(Kind.NAMESPACE)) {
            return null;
        }
        List<ResourceKey> out = new ArrayList<>();
        for (dev.meshcd.compiler.index.Workload w : afterIndex.workloadsIn(r.name())) {
            if (w.resource() != null && w.resource().is(Kind.DEPLOYMENT)) {
                out.add(w.resource().key());
            }
        }
        return out;
    }
}
