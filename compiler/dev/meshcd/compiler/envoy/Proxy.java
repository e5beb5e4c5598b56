package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.index.Workload;

/**
 * One Envoy that istiod would configure: a sidecar next to a workload, or a gateway (a workload
 * whose labels a Gateway selects, e.g. {@code istio: ingressgateway}).
 */
public record Proxy(Type type, Workload workload) {
    public enum Type { SIDECAR, GATEWAY }

    public String namespace() {
        return workload.namespace();
    }

    public String name() {
        return workload.name();
    }

    /** "namespace/name", the form {@code --proxy} takes. */
    public String id() {
        return workload.namespace() + "/" + workload.name();
    }

    /** SPIFFE identity istiod's CA issues to this proxy. */
    public String principal(String trustDomain) {
        return "spiffe://" + trustDomain + "/ns/" + workload.namespace() + "/sa/" + workload.serviceAccount();
    }
}
