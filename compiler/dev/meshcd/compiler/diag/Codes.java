package dev.meshcd.compiler.diag;

/**
 * meshcd's own diagnostic codes. Cross-resource findings use Istio's codes (IST0xxx, see
 * {@link IstioMessages}); these cover what istioctl has no code for. Never renumber: tools match on them.
 */
public final class Codes {
    private Codes() {
    }

    // Loading (MCD1xxx)
    public static final String YAML_SYNTAX = "MCD1001";
    public static final String DUPLICATE_KEY = "MCD1002";
    public static final String ALIAS_LIMIT = "MCD1003";
    public static final String NESTING_LIMIT = "MCD1004";
    public static final String FILE_TOO_LARGE = "MCD1005";
    public static final String NOT_UTF8 = "MCD1006";
    public static final String NOT_AN_OBJECT = "MCD1007";
    public static final String MISSING_TYPE_META = "MCD1008";
    public static final String MISSING_NAME = "MCD1009";
    public static final String UNKNOWN_KIND = "MCD1010";
    public static final String IO_ERROR = "MCD1011";
    public static final String DUPLICATE_RESOURCE = "MCD1012";
    public static final String UNKNOWN_VERSION = "MCD1013";
    /** A workload in an API version Kubernetes removed (extensions/v1beta1, apps/v1beta1, apps/v1beta2). */
    public static final String REMOVED_API_VERSION = "MCD1014";
    /** A Flux-style {@code ${VAR}} placeholder that no {@code substitute:} value or default resolves. */
    public static final String UNRESOLVED_PLACEHOLDER = "MCD1015";
    /** A custom resource in a version its CRD still serves but marks deprecated (Gateway API v1alpha2 routes). */
    public static final String DEPRECATED_VERSION = "MCD1016";

    // Per-resource validation: errors use Istio's IST0106 (SchemaValidationError), as istioctl analyze does.
    public static final String SCHEMA_VALIDATION_ERROR = "IST0106";
    /**
     * The umbrella code of the warnings istiod's webhook would return in {@code AdmissionResponse.warnings}: each kind
     * has its own code ({@link ValidationWarning}, MCD2002 on); a suppression of MCD2001 suppresses all of them.
     */
    public static final String VALIDATION_WARNING = "MCD2001";

    // ---- Envoy output (MCD3xxx): constraints Envoy enforces on the translated xDS resources ----
    /** A translated resource breaks a protoc-gen-validate rule of Envoy's API (Envoy would NACK it). */
    public static final String ENVOY_PGV_VIOLATION = "MCD3001";
    /** A route points at a cluster the proxy does not have (Envoy answers 503 NC). */
    public static final String ENVOY_UNKNOWN_CLUSTER = "MCD3002";
    /** Two listeners, clusters or route configurations of one proxy share a name. */
    public static final String ENVOY_DUPLICATE_NAME = "MCD3003";
    /** A constraint Envoy checks at load time beyond PGV: weighted clusters summing to 0, duplicate domains. */
    public static final String ENVOY_INVALID_CONFIG = "MCD3004";
    // ---- end of Envoy output codes ----

    // meshcd policies (meshcd.dev kinds) and their lowering to Istio (MCD4xxx)
    /** A policy does not match its kind's JSON Schema (schemas/meshcd/&lt;Kind&gt;.schema.json). */
    public static final String POLICY_SCHEMA = "MCD4001";
    /** A route, split or mirror names a version the policy does not define. */
    public static final String POLICY_UNDEFINED_VERSION = "MCD4002";
    /** A weighted split is empty or its weights do not sum to 100. */
    public static final String POLICY_BAD_SPLIT = "MCD4003";
    /** A caller service account that no workload in the repo (or meshcd's config) runs as. */
    public static final String POLICY_UNKNOWN_CALLER = "MCD4004";
    /** Two ServicePolicies for one service. */
    public static final String POLICY_DUPLICATE_SERVICE = "MCD4005";
    /** A resource a policy generates is also written by hand (same name, or same host and kind). */
    public static final String POLICY_CONFLICT = "MCD4006";
    /** More than one MeshDefaults in the repository. */
    public static final String POLICY_DUPLICATE_DEFAULTS = "MCD4007";
    /** A ServicePolicy for a service that is not in the repo. */
    public static final String POLICY_UNKNOWN_SERVICE = "MCD4008";

    // The Kubernetes Gateway API (MCD6xxx): what istiod reports only in a route's status conditions
    /** A route refers to an object in another namespace that no ReferenceGrant there lets it refer to. */
    public static final String GATEWAY_API_REF_NOT_PERMITTED = "MCD6001";
    /** A route's parent Gateway exists but none of the listeners it names accepts the route. */
    public static final String GATEWAY_API_NOT_ALLOWED_BY_LISTENERS = "MCD6002";

    // Configuration of meshcd itself (MCD9xxx)
    public static final String CONFIG = "MCD9001";
    public static final String INTERNAL = "MCD9999";

    /** Istio's SchemaWarning: what istioctl analyze reports istiod's webhook warnings as (MCD2002-MCD2030 here). */
    public static final String SCHEMA_WARNING = "IST0133";

    /**
     * Does a suppression naming {@code suppressed} ("*", a code, or the umbrella MCD2001) cover a diagnostic with
     * {@code code}? MCD2001 named every validation warning before they had their own codes, so it still covers them.
     */
    public static boolean covers(String suppressed, String code) {
        return suppressed.equals("*") || suppressed.equals(code)
                || (suppressed.equals(VALIDATION_WARNING) && ValidationWarning.isValidationWarning(code))
                || (suppressed.equals(SCHEMA_WARNING) && ValidationWarning.isSchemaWarning(code));
    }
}
