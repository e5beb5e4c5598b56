package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts of the templates that depend on the settings only, built once per injector, and the
 * {@link InjectionPlan}s built so far, by annotation set.
 */
final class StaticParts {
    /** plans kept at most; past that the cache starts over (pods with ever-new annotations gain nothing from it) */
    static final int MAX_PLANS = 256;
    /** annotation sets larger than this (keys and values, in chars) are planned each time, not kept */
    static final int MAX_PLAN_KEY_CHARS = 16 * 1024;

    final InjectionSettings settings;
    final ObjectNode defaultResources;
    final ProxyConfigs meshProxyConfig;
    final SidecarVolumes volumes;
    final ProxyContainer proxy;
    private final Map<Map<String, String>, InjectionPlan> plans = new ConcurrentHashMap<>();

    StaticParts(InjectionSettings settings) {
        this.settings = settings;
        ObjectNode r = Json.obj();
        if (!settings.proxy().limits().isEmpty()) {
            ObjectNode l = r.putObject("limits");
            settings.proxy().limits().forEach((k, v) -> l.put(k, Quantities.canonical(v)));
        }
        if (!settings.proxy().requests().isEmpty()) {
            ObjectNode q = r.putObject("requests");
            settings.proxy().requests().forEach((k, v) -> q.put(k, Quantities.canonical(v)));
        }
        this.defaultResources = r;
        this.meshProxyConfig = ProxyConfigs.of(settings.mesh().proxyConfig());
        this.volumes = new SidecarVolumes(settings);
        this.proxy = new ProxyContainer(settings, volumes);
    }

    /**
     * The plan for a pod with these annotations, cached by its Istio annotations (names containing
     * {@code istio.io/}): the plan is built from those alone, so nothing else can make two pods' plans differ,
     * and per-pod annotations of other tools (checksums, ids) do not defeat the cache. The order of the
     * annotations does not matter either: validation reports them sorted, everything else looks them up by name.
     */
    InjectionPlan plan(Map<String, String> annotations) {
        Map<String, String> istio = istioAnnotations(annotations);
        InjectionPlan plan = plans.get(istio);
        if (plan != null) {
            return plan;
        }
        plan = InjectionPlan.of(this, istio);
        if (chars(istio) <= MAX_PLAN_KEY_CHARS) {
            if (plans.size() >= MAX_PLANS) {
                plans.clear();
            }
            plans.put(Map.copyOf(istio), plan);
        }
        return plan;
    }

    /** The annotations an {@link InjectionPlan} reads: those whose name contains {@code istio.io/}. */
    static Map<String, String> istioAnnotations(Map<String, String> annotations) {
        for (String name : annotations.keySet()) {
            if (!name.contains("istio.io/")) {
                Map<String, String> istio = new LinkedHashMap<>();
                annotations.forEach((k, v) -> {
                    if (k.contains("istio.io/")) {
                        istio.put(k, v);
                    }
                });
                return istio;
            }
        }
        return annotations;
    }

    /** How many plans are cached (for tests). */
    int cachedPlans() {
        return plans.size();
    }

    private static int chars(Map<String, String> annotations) {
        int n = 0;
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            n += e.getKey().length() + e.getValue().length();
        }
        return n;
    }
}
