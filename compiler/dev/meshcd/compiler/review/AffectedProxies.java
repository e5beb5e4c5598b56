package dev.meshcd.compiler.review;

import dev.meshcd.compiler.envoy.EnvoyTranslator;
import dev.meshcd.compiler.envoy.Proxy;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The proxies whose Envoy configuration a change can affect: the only ones a review translates. */
final class AffectedProxies {
    private AffectedProxies() {
    }

    /** Every proxy of either side when anything changed (the slice keeps their work small), else none. */
    static Set<String> between(Set<ResourceKey> changed, EnvoyTranslator tb, EnvoyTranslator th) {
        Set<String> out = new TreeSet<>();
        if (changed.isEmpty()) {
            return out;
        }
        tb.proxies().forEach(p -> out.add(p.id()));
        th.proxies().stream().map(Proxy::id).forEach(out::add);
        return out;
    }

    /** Keys of every resource (Istio, Kubernetes, context) that differs between the two compilations. */
    static Set<ResourceKey> changed(CompileResult base, CompileResult head) {
        Map<ResourceKey, Resource> b = new HashMap<>();
        base.resources().forEach(r -> b.put(r.key(), r));
        Set<ResourceKey> out = new TreeSet<>();
        for (Resource r : head.resources()) {
            Resource old = b.remove(r.key());
            if (old == null || !old.object().equals(r.object())) {
                out.add(r.key());
            }
        }
        out.addAll(b.keySet());
        return out;
    }
}
