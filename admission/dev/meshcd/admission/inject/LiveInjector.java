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
    private record Current(IstioSidecarInjector injector, Revisions revisions, String unusable) {
    }

    private volatile Current current;

    public LiveInjector(InjectionSettings initial) {
        Revisions revisions = Revisions.of(initial.revisionOrDefault());
        this.current = new Current(new IstioSidecarInjector(initial, revisions), revisions, null);
    }

    /** From the next request on, inject with {@code settings} (the pods of the same revisions). */
    public synchronized void use(InjectionSettings settings) {
        Revisions revisions = current.revisions();
        current = new Current(new IstioSidecarInjector(settings, revisions), revisions, null);
    }

    /** From the next request on, inject the pods of {@code revisions} (a revision tag came, went or moved). */
    public synchronized void use(Revisions revisions) {
        Current c = current;
        current = new Current(new IstioSidecarInjector(c.injector().settings(), revisions), revisions, c.unusable());
    }

    /** The revision and tags whose pods are injected. */
    public Revisions revisions() {
        return current.revisions();
    }

    /**
     * From the next request on, refuse every pod that would get a sidecar, with {@code why} (settings that match
     * the cluster cannot be had: injecting with others would give pods proxies that do not match istiod's).
     */
    public synchronized void refuse(String why) {
        current = new Current(current.injector(), current.revisions(), why);
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
