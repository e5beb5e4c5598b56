package dev.meshcd.compiler.diag;

/**
 * meshcd's own diagnostic codes. Cross-resource findings use Istio's codes (IST0xxx, see
 * {@code IstioMessages}); these cover what istioctl has no code for. Never renumber: tools match on them.
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

    // Per-resource validation: errors use Istio's IST0106 (SchemaValidationError), as istioctl analyze does.
    public static final String SCHEMA_VALIDATION_ERROR = "IST0106";
    /** A warning istiod's webhook would return in {@code AdmissionResponse.warnings}. */
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

    // Configuration of meshcd itself (MCD9xxx)
    public static final String CONFIG = "MCD9001";
    public static final String INTERNAL = "MCD9999";
}
