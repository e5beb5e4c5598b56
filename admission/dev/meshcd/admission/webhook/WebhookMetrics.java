package dev.meshcd.admission.webhook;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Prometheus metrics of the webhook server: requests, denials and latency by webhook, kind and outcome. */
public final class WebhookMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Counter denials;
    private final Counter rejected;
    private final Histogram latency;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public WebhookMetrics() {
        requests = Counter.builder().name("meshcd_admission_requests_total")
                .help("Admission requests by webhook, kind and outcome (allowed, patched, denied)")
                .labelNames("webhook", "kind", "outcome").register(registry);
        denials = Counter.builder().name("meshcd_admission_denials_total")
                .help("Denied admission requests by webhook, kind and reason")
                .labelNames("webhook", "kind", "reason").register(registry);
        rejected = Counter.builder().name("meshcd_admission_bad_requests_total")
                .help("Request bodies that were not a usable AdmissionReview, by HTTP status")
                .labelNames("webhook", "status").register(registry);
        latency = Histogram.builder().name("meshcd_admission_latency_seconds")
                .help("Time from request body read to response written, by webhook, kind and outcome")
                .labelNames("webhook", "kind", "outcome")
                .classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
    }

    /**
     * The kinds a request may be labelled with; any other is "other". Kinds come from requests: labelling by any
     * value would let a client grow the metrics (and meshcd's memory) without bound.
     */
    static final java.util.Set<String> KINDS = java.util.Set.of("VirtualService", "DestinationRule", "Gateway",
            "ServiceEntry", "Sidecar", "WorkloadEntry", "WorkloadGroup", "EnvoyFilter", "PeerAuthentication",
            "AuthorizationPolicy", "RequestAuthentication", "Telemetry", "ProxyConfig", "WasmPlugin", "Pod",
            "Deployment", "StatefulSet", "DaemonSet", "Service", "Namespace", "ConfigMap", "unknown",
            // the Gateway API's ("Gateway" above counts both groups' Gateways)
            "GatewayClass", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "ReferenceGrant",
            "BackendTLSPolicy", "ListenerSet");

    static String kindLabel(String kind) {
        return KINDS.contains(kind) ? kind : "other";
    }

    public void observe(String webhook, String requestKind, AdmissionResponse r, long nanos) {
        String kind = kindLabel(requestKind);
        String outcome = r.verdict();
        requests.labelValues(webhook, kind, outcome).inc();
        if (!r.allowed()) {
            denials.labelValues(webhook, kind, r.reason()).inc();
        }
        latency.labelValues(webhook, kind, outcome).observe(nanos / 1e9);
    }

    public void badRequest(String webhook, int status) {
        rejected.labelValues(webhook, Integer.toString(status)).inc();
    }

    /** Where other parts of the server register their metrics, so that /metrics shows them too. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
