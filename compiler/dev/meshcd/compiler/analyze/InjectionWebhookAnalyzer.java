package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio's injection webhooks (Istio's webhook/webhook.go, IST0139): among the MutatingWebhookConfigurations that
 * are Istio's (a webhook named {@code *istio.io}, or a revision in their labels or selectors), two webhooks must not
 * both match a namespace and a pod labelled the usual ways ({@code istio-injection}, {@code
 * sidecar.istio.io/inject}, {@code istio.io/rev} of each revision): the pod would be injected twice. A webhook's
 * Service must exist.
 */
public final class InjectionWebhookAnalyzer implements Analyzer {
    private static final String REV = "istio.io/rev";

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.MUTATING_WEBHOOK);
    }

    private record Hook(Resource config, int index, JsonNode webhook, String id) {
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        List<Hook> hooks = new ArrayList<>();
        Set<String> revisions = new TreeSet<>();
        for (Resource mwc : index.ofKind(Kind.MUTATING_WEBHOOK)) {
            Set<String> revs = revisions(mwc);
            if (revs.isEmpty() && !istios(mwc)) {
                continue;
            }
            revisions.addAll(revs);
            JsonNode whs = mwc.object().path("webhooks");
            for (int i = 0; i < whs.size(); i++) {
                hooks.add(new Hook(mwc, i, whs.path(i), mwc.name() + "/" + whs.path(i).path("name").asText("")));
            }
        }
        Set<String> reported = new HashSet<>();
        for (Map<String, String> nl : labelSets("istio-injection", "enabled", "disabled", revisions)) {
            for (Map<String, String> ol : labelSets("sidecar.istio.io/inject", "true", "false", revisions)) {
                Map<String, Hook> matches = new LinkedHashMap<>();
                for (Hook h : hooks) {
                    if (LabelSelectors.matches(h.webhook().get("namespaceSelector"), nl)
                            && LabelSelectors.matches(h.webhook().get("objectSelector"), ol)) {
                        matches.put(h.id(), h);
                    }
                }
                if (matches.size() < 2) {
                    continue;
                }
                for (Hook h : matches.values()) {
                    TreeSet<String> others = new TreeSet<>(matches.keySet());
                    others.remove(h.id());
                    String text = "Webhook overlaps with others: " + Messages.goSlice(others)
                            + ". This may cause injection to occur twice.";
                    if (reported.add(h.id() + "\u0000" + text)) {
                        Messages.report(sink, h.config(), "IST0139", FieldPath.of("webhooks", h.index()), text);
                    }
                }
            }
        }
        for (Hook h : hooks) {
            JsonNode svc = h.webhook().path("clientConfig").path("service");
            if (!svc.isObject()) {
                continue;
            }
            String ns = svc.path("namespace").asText("");
            String name = svc.path("name").asText("");
            if (index.get(new ResourceKey("", "Service", ns, name)).isEmpty()) {
                Messages.report(sink, h.config(), "IST0139", FieldPath.of("webhooks", h.index(), "clientConfig",
                        "service"), "Injector refers to a control plane service that does not exist: " + ns + "/"
                        + name + ".");
            }
        }
    }

    /** No label, {@code key=on}, {@code key=off}; then each of those with each revision's {@code istio.io/rev}. */
    private static List<Map<String, String>> labelSets(String key, String on, String off, Set<String> revisions) {
        List<Map<String, String>> base = List.of(Map.of(), Map.of(key, on), Map.of(key, off));
        List<Map<String, String>> out = new ArrayList<>(base);
        for (String rev : revisions) {
            for (Map<String, String> b : base) {
                Map<String, String> m = new LinkedHashMap<>(b);
                m.put(REV, rev);
                out.add(m);
            }
        }
        return out;
    }

    private static boolean istios(Resource mwc) {
        for (JsonNode wh : mwc.object().path("webhooks")) {
            if (wh.path("name").asText("").endsWith("istio.io")) {
                return true;
            }
        }
        return false;
    }

    /** The revisions a configuration serves: its istio.io/rev label, and those its selectors name. */
    private static Set<String> revisions(Resource mwc) {
        Set<String> out = new TreeSet<>();
        String label = mwc.labels().get(REV);
        if (label != null) {
            out.add(label);
        }
        for (JsonNode wh : mwc.object().path("webhooks")) {
            for (String selector : new String[]{"namespaceSelector", "objectSelector"}) {
                JsonNode s = wh.path(selector);
                if (s.path("matchLabels").has(REV)) {
                    out.add(s.path("matchLabels").path(REV).asText());
                }
                for (JsonNode ex : s.path("matchExpressions")) {
                    if (REV.equals(ex.path("key").asText())) {
                        ex.path("values").forEach(v -> out.add(v.asText()));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.MUTATING_WEBHOOK, Kind.SERVICE);
    }

    /** Of a Service, only that it exists (its key); of a webhook configuration, the whole object. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.SERVICE)) {
            return r.key();
        }
        return r.is(Kind.MUTATING_WEBHOOK) ? r.object() : null;
    }
}
