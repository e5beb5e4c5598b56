package dev.meshcd.compiler.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds meshcd understands. The Istio and Gateway API tables mirror the served versions of the CRDs in
 * {@code schemas/istio/crd-all.gen.yaml} and {@code schemas/gateway-api/gateway-api-crd.yaml} (a test keeps them
 * in step).
 */
public final class KindRegistry {
    private final Map<Kind, KindInfo> kinds;

    private KindRegistry(Map<Kind, KindInfo> kinds) {
        this.kinds = Map.copyOf(kinds);
    }

    public static KindRegistry standard() {
        Builder b = new Builder();
        Set<String> networking = Set.of("v1", "v1beta1", "v1alpha3");
        for (String k : new String[]{"VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar",
                "WorkloadEntry", "WorkloadGroup"}) {
            b.istio(Kind.NETWORKING, k, networking);
        }
        b.istio(Kind.NETWORKING, "EnvoyFilter", Set.of("v1alpha3"));
        b.istio(Kind.NETWORKING, "ProxyConfig", Set.of("v1beta1"));
        for (String k : new String[]{"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"}) {
            b.istio(Kind.SECURITY, k, Set.of("v1", "v1beta1"));
        }
        b.istio(Kind.TELEMETRY, "Telemetry", Set.of("v1", "v1alpha1"));
        b.istio(Kind.EXTENSIONS, "WasmPlugin", Set.of("v1alpha1"));
        b.istio(Kind.EXTENSIONS, "TrafficExtension", Set.of("v1alpha1"));

        // The Gateway API kinds istiod reads, at the served versions of schemas/gateway-api/gateway-api-crd.yaml
        // (v1.6.0, experimental channel). Deprecated versions are served: validation warns about them.
        Set<String> v1 = Set.of("v1");
        Set<String> v1beta1 = Set.of("v1", "v1beta1");
        Set<String> v1alpha2 = Set.of("v1", "v1alpha2");
        b.crd(Kind.GATEWAY_API, "Gateway", v1beta1, true);
        b.crd(Kind.GATEWAY_API, "GatewayClass", v1beta1, false);
        b.crd(Kind.GATEWAY_API, "HTTPRoute", v1beta1, true);
        b.crd(Kind.GATEWAY_API, "GRPCRoute", v1, true);
        b.crd(Kind.GATEWAY_API, "TCPRoute", v1alpha2, true);
        b.crd(Kind.GATEWAY_API, "TLSRoute", Set.of("v1", "v1alpha2", "v1alpha3"), true);
        b.crd(Kind.GATEWAY_API, "UDPRoute", v1alpha2, true);
        b.crd(Kind.GATEWAY_API, "ReferenceGrant", v1beta1, true);
        b.crd(Kind.GATEWAY_API, "BackendTLSPolicy", Set.of("v1", "v1alpha3"), true);
        b.crd(Kind.GATEWAY_API, "ListenerSet", v1, true);
        b.crd(Kind.GATEWAY_API_EXPERIMENTAL, "XBackendTrafficPolicy", Set.of("v1alpha1"), true);

        b.context("", "Namespace", Set.of("v1"), false);
        // read for IST0176 (the Gateway API CRDs' bundle version), never applied
        b.context("apiextensions.k8s.io", "CustomResourceDefinition", Set.of("v1"), false);
        for (String k : new String[]{"Service", "Pod", "ServiceAccount", "ConfigMap", "Endpoints"}) {
            b.context("", k, Set.of("v1"), true);
        }
        for (String k : new String[]{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}) {
            b.context("apps", k, Set.of("v1"), true);
        }
        // inputs of Istio's analyzers: gateway credentials, multicluster secrets, Istio's injection webhooks
        b.context("", "Secret", Set.of("v1"), true);
        for (String k : new String[]{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
            b.context(Kind.ADMISSION, k, Set.of("v1", "v1beta1"), false);
        }
        b.context("batch", "Job", Set.of("v1"), true);
        b.context("batch", "CronJob", Set.of("v1", "v1beta1"), true);
        b.context(Kind.ROLLOUT.group(), Kind.ROLLOUT.kind(), Set.of("v1alpha1"), true);
        return b.build();
    }

    public Optional<KindInfo> lookup(Kind kind) {
        return Optional.ofNullable(kinds.get(kind));
    }

    public Collection<KindInfo> all() {
        return kinds.values();
    }

    /** A copy of this registry with more kinds (meshcd's policy kinds are added by the lowering stage). */
    public KindRegistry with(KindInfo... more) {
        Map<Kind, KindInfo> copy = new LinkedHashMap<>(kinds);
        for (KindInfo info : more) {
            copy.put(info.kind(), info);
        }
        return new KindRegistry(copy);
    }

    private static final class Builder {
        private final Map<Kind, KindInfo> kinds = new LinkedHashMap<>();

        void istio(String group, String kind, Set<String> versions) {
            kinds.put(new Kind(group, kind), new KindInfo(new Kind(group, kind), versions, true, KindInfo.Role.ISTIO));
        }

        /** A custom resource other than Istio's that meshcd validates against its CRD and applies like one. */
        void crd(String group, String kind, Set<String> versions, boolean namespaced) {
            kinds.put(new Kind(group, kind), new KindInfo(new Kind(group, kind), versions, namespaced,
                    KindInfo.Role.ISTIO));
        }

        void context(String group, String kind, Set<String> versions, boolean namespaced) {
            kinds.put(new Kind(group, kind), new KindInfo(new Kind(group, kind), versions, namespaced,
                    KindInfo.Role.CONTEXT));
        }

        KindRegistry build() {
            return new KindRegistry(kinds);
        }
    }
}
