package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The injector {@code /inject} asks, whose settings change while meshcd runs (the cluster's
 * {@code istio-sidecar-injector} and {@code istio} ConfigMaps). Each change builds a whole new
 * {@link IstioSidecarInjector} (static parts, plan cache) and then swaps one volatile reference: a request reads it
 * once and is served entirely by one settings snapshot, never by half of an update, and no request waits or fails
 * while settings change.
 */
public final class LiveInjector implements PodInjector {
    /** One immutable snapshot: the injector in force, or why there is none ({@code unusable}). */
    private record Current(IstioSidecarInjector injector, String unusable) {
    }

    private volatile Current current;

    public LiveInjector(InjectionSettings initial) {
        this.current = new Current(new IstioSidecarInjector(initial), null);
    }

    /** From the next request on, inject with {@code settings}. */
    public void use(InjectionSettings settings) {
        current = new Current(new IstioSidecarInjector(settings), null);
    }

    /**
     * From the next request on, refuse every pod that would get a sidecar, with {@code why} (settings that match
     * the cluster cannot be had: injecting with others would give pods proxies that do not match istiod's).
     */
    public void refuse(String why) {
        current = new Current(current.injector(), why);
    }

    /** The settings the next request is injected with. */
    public InjectionSettings settings() {
        return current.injector().settings();
    }

    /** Why pods are refused, or null when injecting. */
    public String unusable() {
        return current.unusable();
    }

    @Override
    public Result inject(ObjectNode pod, String namespace, Map<String, String> namespaceLabels) {
        Current c = current;
        Result r = c.injector().inject(pod, namespace, namespaceLabels);
        // only pods that would get a sidecar are refused: the others are not this injector's business
        if (c.unusable() != null && r.injected()) {
            return new Result(pod, false, "refused: " + c.unusable(), List.of(c.unusable()));
        }
        return r;
    }
}
