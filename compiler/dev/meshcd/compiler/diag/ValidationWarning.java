package dev.meshcd.compiler.diag;

/**
 * The kinds of warning istiod's webhook returns (its {@code AdmissionResponse.warnings}), each with its own stable
 * code, so that one kind can be suppressed without the others. {@link Codes#VALIDATION_WARNING} (MCD2001) is the
 * umbrella: suppressing it suppresses every code of this table (see {@link Codes#covers}). The message texts are
 * Istio's; the summaries name the kind in meshcd's documentation. Never renumber: tools match on the codes.
 */
public enum ValidationWarning {
    SELECTOR_WITHOUT_LABELS("MCD2002", "a workload selector without labels (applies to every workload of the namespace)"),
    DENY_HTTP_ONLY_ON_TCP("MCD2003", "an AuthorizationPolicy DENY rule with only HTTP attributes, which denies all TCP traffic in scope"),
    TELEMETRY_EMPTY_TAG_NAME("MCD2004", "a Telemetry tagOverrides entry with an empty name"),
    TELEMETRY_MULTIPLE_TRACING("MCD2005", "a Telemetry with more than one tracing entry"),
    TELEMETRY_MULTIPLE_PROVIDERS("MCD2006", "a Telemetry tracing entry with more than one provider"),
    ENVOY_FILTER_INTERNALS("MCD2007", "every EnvoyFilter: it exposes internal implementation details"),
    ENVOY_FILTER_MATCH_IGNORED("MCD2008", "an EnvoyFilter filter match that has no effect with its applyTo"),
    TLS_OLD_VERSION_WITHOUT_CIPHERS("MCD2009", "minProtocolVersion below TLSV1_2 without cipherSuites"),
    TLS_INVALID_CIPHERS("MCD2010", "cipher suites Envoy does not know (ignored)"),
    TLS_DUPLICATE_CIPHERS("MCD2011", "cipher suites listed twice (ignored)"),
    TLS_CERTIFICATES_IGNORED("MCD2012", "certificates on a PASSTHROUGH or AUTO_PASSTHROUGH server (ignored)"),
    WORKLOAD_ENTRY_NO_ADDRESS("MCD2013", "a WorkloadEntry with a network but no address"),
    SIDECAR_HTTP_POOL_NOT_HTTP("MCD2014", "Sidecar HTTP connection pool settings on a port whose protocol is not HTTP"),
    SIDECAR_DUPLICATE_EGRESS_HOST("MCD2015", "a Sidecar egress host listed twice"),
    SIDECAR_ALL_HOSTS_NOT_ALONE("MCD2016", "a Sidecar egress `*/*` beside other hosts"),
    LEGACY_GATEWAY_NAME("MCD2017", "a VirtualService gateway in the legacy `name.namespace.svc...` format"),
    DEPRECATED_MIRROR_PERCENT("MCD2018", "the deprecated `mirrorPercent` (use `mirrorPercentage`)"),
    ABORT_WITHOUT_ERROR_TYPE("MCD2019", "a fault abort without an error type"),
    LARGE_DIRECT_RESPONSE("MCD2020", "a large directResponse body"),
    SNI_IP_ADDRESS("MCD2021", "an IP address as an SNI host"),
    HTTPS_REDIRECT_NOT_HTTP("MCD2022", "`tls.httpsRedirect` on a server that is not HTTP"),
    PARTIAL_WILDCARD_HOST("MCD2023", "a ServiceEntry host with a partial wildcard"),
    TARGET_PORT_WITHOUT_EFFECT("MCD2024", "a ServiceEntry targetPort with resolution NONE"),
    SERVICE_ENTRY_ADDRESSES_REQUIRED("MCD2025", "a ServiceEntry TCP port without addresses"),
    SERVICE_ENTRY_SELECTOR_IGNORED("MCD2026", "a ServiceEntry workloadSelector with a resolution that ignores it"),
    SERVICE_ENTRY_HOSTS_WITH_TCP_ADDRESS("MCD2027", "a ServiceEntry with several hosts, an address and a TCP port"),
    DEPRECATED_CONSECUTIVE_ERRORS("MCD2028", "the deprecated outlier detection `consecutiveErrors`"),
    DEPRECATED_MINIMUM_RING_SIZE("MCD2029", "the deprecated consistent hash `minimumRingSize`"),
    FAILOVER_WITHOUT_OUTLIER_DETECTION("MCD2030", "locality failover without outlier detection"),
    APP_PROTOCOL_NOT_ISTIO("MCD2031", "a Service port appProtocol Istio's protocol selection does not know"),
    UNNAMED_SERVICE_PORT("MCD2032", "an unnamed Service port"),
    PORT_NAME_CONVENTION("MCD2033", "a Service port name not following Istio's naming convention"),
    MISSING_TELEMETRY_LABELS("MCD2034", "a Deployment without the `app` or `version` label Istio's telemetry uses");

    private final String code;
    private final String summary;

    ValidationWarning(String code, String summary) {
        this.code = code;
        this.summary = summary;
    }

    public String code() {
        return code;
    }

    public String summary() {
        return summary;
    }

    /**
     * True for the warnings of istiod's webhook on Istio's kinds (MCD2002-MCD2030), which istioctl analyze reports
     * as IST0133 (SchemaWarning): a suppression of IST0133 covers them. The Service and Deployment warnings
     * (MCD2031-MCD2034) come from istioctl validate, not from the webhook.
     */
    public static boolean isSchemaWarning(String code) {
        return code.compareTo("MCD2002") >= 0 && code.compareTo("MCD2030") <= 0 && code.length() == 7
                && isValidationWarning(code);
    }

    /** True for the umbrella code and every code of this table (MCD2xxx). */
    public static boolean isValidationWarning(String code) {
        return code != null && code.length() == 7 && code.startsWith("MCD2");
    }
}
