package dev.meshcd.compiler.model;

/** A group and kind, the type part of a resource's identity (versions aside). */
public record Kind(String group, String kind) {
    public static final String NETWORKING = "networking.istio.io";
    public static final String SECURITY = "security.istio.io";
    public static final String TELEMETRY = "telemetry.istio.io";
    public static final String EXTENSIONS = "extensions.istio.io";
    public static final String MESHCD = "meshcd.dev";
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

    @Override
    public String toString() {
        return group.isEmpty() ? kind : kind + "." + group;
    }
}
