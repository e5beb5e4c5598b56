package dev.meshcd.compiler.model;

/** A group and kind, the type part of a resource's identity (versions aside). */
public record Kind(String group, String kind) {
    public static final String NETWORKING = "networking.istio.io";
    public static final String SECURITY = "security.istio.io";
    public static final String TELEMETRY = "telemetry.istio.io";
    public static final String EXTENSIONS = "extensions.istio.io";
    public static final String MESHCD = "meshcd.dev";
    /** The Kubernetes Gateway API, which istiod reads beside its own kinds. */
    public static final String GATEWAY_API = "gateway.networking.k8s.io";
    public static final String GATEWAY_API_EXPERIMENTAL = "gateway.networking.x-k8s.io";
    public static final String ADMISSION = "admissionregistration.k8s.io";

    public static final Kind VIRTUAL_SERVICE = new Kind(NETWORKING, "VirtualService");
    public static final Kind DESTINATION_RULE = new Kind(NETWORKING, "DestinationRule");
    public static final Kind GATEWAY = new Kind(NETWORKING, "Gateway");
    public static final Kind SERVICE_ENTRY = new Kind(NETWORKING, "ServiceEntry");
    public static final Kind SIDECAR = new Kind(NETWORKING, "Sidecar");
    public static final Kind WORKLOAD_ENTRY = new Kind(NETWORKING, "WorkloadEntry");
    public static final Kind WORKLOAD_GROUP = new Kind(NETWORKING, "WorkloadGroup");
    public static final Kind ENVOY_FILTER = new Kind(NETWORKING, "EnvoyFilter");
    public static final Kind PROXY_CONFIG = new Kind(NETWORKING, "ProxyConfig");
    public static final Kind PEER_AUTHENTICATION = new Kind(SECURITY, "PeerAuthentication");
    public static final Kind AUTHORIZATION_POLICY = new Kind(SECURITY, "AuthorizationPolicy");
    public static final Kind REQUEST_AUTHENTICATION = new Kind(SECURITY, "RequestAuthentication");
    public static final Kind TELEMETRY_KIND = new Kind(TELEMETRY, "Telemetry");
    public static final Kind WASM_PLUGIN = new Kind(EXTENSIONS, "WasmPlugin");

    public static final Kind K8S_GATEWAY = new Kind(GATEWAY_API, "Gateway");
    public static final Kind GATEWAY_CLASS = new Kind(GATEWAY_API, "GatewayClass");
    public static final Kind HTTP_ROUTE = new Kind(GATEWAY_API, "HTTPRoute");
    public static final Kind GRPC_ROUTE = new Kind(GATEWAY_API, "GRPCRoute");
    public static final Kind TCP_ROUTE = new Kind(GATEWAY_API, "TCPRoute");
    public static final Kind TLS_ROUTE = new Kind(GATEWAY_API, "TLSRoute");
    public static final Kind UDP_ROUTE = new Kind(GATEWAY_API, "UDPRoute");
    public static final Kind REFERENCE_GRANT = new Kind(GATEWAY_API, "ReferenceGrant");
    public static final Kind BACKEND_TLS_POLICY = new Kind(GATEWAY_API, "BackendTLSPolicy");
    public static final Kind LISTENER_SET = new Kind(GATEWAY_API, "ListenerSet");
    public static final Kind CUSTOM_RESOURCE_DEFINITION = new Kind("apiextensions.k8s.io", "CustomResourceDefinition");

    public static final Kind NAMESPACE = new Kind("", "Namespace");
    public static final Kind SERVICE = new Kind("", "Service");
    public static final Kind POD = new Kind("", "Pod");
    public static final Kind SERVICE_ACCOUNT = new Kind("", "ServiceAccount");
    public static final Kind CONFIG_MAP = new Kind("", "ConfigMap");
    public static final Kind SECRET = new Kind("", "Secret");
    public static final Kind MUTATING_WEBHOOK = new Kind(ADMISSION, "MutatingWebhookConfiguration");
    public static final Kind VALIDATING_WEBHOOK = new Kind(ADMISSION, "ValidatingWebhookConfiguration");
    public static final Kind DEPLOYMENT = new Kind("apps", "Deployment");
    public static final Kind STATEFUL_SET = new Kind("apps", "StatefulSet");
    public static final Kind DAEMON_SET = new Kind("apps", "DaemonSet");
    public static final Kind REPLICA_SET = new Kind("apps", "ReplicaSet");
    public static final Kind JOB = new Kind("batch", "Job");
    public static final Kind CRON_JOB = new Kind("batch", "CronJob");
    /** Argo Rollouts' replacement for a Deployment (progressive delivery). */
    public static final Kind ROLLOUT = new Kind("argoproj.io", "Rollout");

    public static Kind of(ResourceKey key) {
        return new Kind(key.group(), key.kind());
    }

    public boolean isIstio() {
        return group.endsWith(".istio.io");
    }

    /** A kind of the Kubernetes Gateway API (standard or experimental group). */
    public boolean isGatewayApi() {
        return group.equals(GATEWAY_API) || group.equals(GATEWAY_API_EXPERIMENTAL);
    }

    /** A custom resource meshcd validates against its CRD and applies: Istio's kinds and the Gateway API's. */
    public boolean isManagedCustomResource() {
        return isIstio() || isGatewayApi();
    }

    @Override
    public String toString() {
        return group.isEmpty() ? kind : kind + "." + group;
    }
}
