package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.validate.istio.Checks;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The values the sidecar injector accepts for its annotations (istio's pkg/kube/inject/validate.go,
 * {@code AnnotationValidation}), with Go's error texts, which IST0125 InvalidAnnotation quotes.
 */
public final class IstioAnnotationValues {
    private IstioAnnotationValues() {
    }

    private static final Pattern QUANTITY = Pattern.compile("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
    private static final Pattern INTERFACE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9_.\\-]*$");

    private static final Map<String, Function<String, String>> RULES = Map.ofEntries(
            Map.entry("sidecar.istio.io/interceptionMode", IstioAnnotationValues::interceptionMode),
            Map.entry("status.sidecar.istio.io/port", v -> prefixed("excludeInboundPorts invalid: ", port(v))),
            Map.entry("readiness.status.sidecar.istio.io/initialDelaySeconds", v -> parseUint("ParseUint", v, 32)),
            Map.entry("readiness.status.sidecar.istio.io/periodSeconds", v -> parseUint("ParseUint", v, 32)),
            Map.entry("readiness.status.sidecar.istio.io/failureThreshold", v -> parseUint("ParseUint", v, 32)),
            Map.entry("traffic.sidecar.istio.io/includeOutboundIPRanges",
                    v -> v.equals("*") ? null : prefixed("includeIPRanges invalid: ", cidrs(v))),
            Map.entry("traffic.sidecar.istio.io/excludeOutboundIPRanges",
                    v -> prefixed("excludeIPRanges invalid: ", cidrs(v))),
            Map.entry("traffic.sidecar.istio.io/includeInboundPorts",
                    v -> v.equals("*") ? null : prefixed("includeInboundPorts invalid: ", ports(v))),
            Map.entry("traffic.sidecar.istio.io/excludeInboundPorts",
                    v -> prefixed("excludeInboundPorts invalid: ", ports(v))),
            Map.entry("traffic.sidecar.istio.io/excludeOutboundPorts",
                    v -> prefixed("excludeOutboundPorts invalid: ", ports(v))),
            Map.entry("traffic.sidecar.istio.io/excludeInterfaces", IstioAnnotationValues::interfaces),
            Map.entry("traffic.sidecar.istio.io/kubevirtInterfaces", IstioAnnotationValues::interfaces),
            Map.entry("istio.io/reroute-virtual-interfaces", IstioAnnotationValues::interfaces),
            Map.entry("prometheus.istio.io/merge-metrics", IstioAnnotationValues::parseBool),
            Map.entry("proxy.istio.io/config", IstioAnnotationValues::proxyConfig),
            Map.entry("sidecar.istio.io/proxyCPU", IstioAnnotationValues::quantity),
            Map.entry("sidecar.istio.io/proxyMemory", IstioAnnotationValues::quantity),
            Map.entry("sidecar.istio.io/proxyCPULimit", IstioAnnotationValues::quantity),
            Map.entry("sidecar.istio.io/proxyMemoryLimit", IstioAnnotationValues::quantity));

    /** The injector's error for this annotation value, empty when it accepts it (or does not check it). */
    public static Optional<String> error(String annotation, String value) {
        Function<String, String> rule = RULES.get(annotation);
        return rule == null ? Optional.empty() : Optional.ofNullable(rule.apply(value));
    }

    private static String prefixed(String prefix, String error) {
        return error == null ? null : prefix + error;
    }

    private static String interceptionMode(String mode) {
        return switch (mode) {
            case "REDIRECT", "TPROXY", "NONE" -> null;
            default -> "interceptionMode invalid, use REDIRECT,TPROXY,NONE: " + mode;
        };
    }

    /** strconv.ParseUint(value, 10, bits) as Go reports its failures. */
    static String parseUint(String fn, String value, int bits) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "strconv." + fn + ": parsing " + goQuote(value) + ": invalid syntax";
        }
        java.math.BigInteger n = new java.math.BigInteger(value);
        if (n.bitLength() > bits) {
            return "strconv." + fn + ": parsing " + goQuote(value) + ": value out of range";
        }
        return null;
    }

    private static String parseBool(String value) {
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False" -> null;
            default -> "strconv.ParseBool: parsing " + goQuote(value) + ": invalid syntax";
        };
    }

    private static String port(String value) {
        String error = parseUint("ParseUint", value.strip(), 16);
        return error == null ? null : "failed parsing port '" + value + "': " + error;
    }

    private static String ports(String value) {
        String list = value.strip();
        if (list.isEmpty()) {
            return null;
        }
        for (String p : list.split(",", -1)) {
            String error = port(p);
            if (error != null) {
                return "failed parsing port '" + p + "': " + error;
            }
        }
        return null;
    }

    private static String cidrs(String value) {
        if (value.isEmpty()) {
            return null;
        }
        for (String cidr : value.split(",", -1)) {
            if (!Checks.isCidr(cidr)) {
                return "failed parsing cidr '" + cidr + "': netip.ParsePrefix(" + goQuote(cidr) + "): invalid prefix";
            }
        }
        return null;
    }

    private static String interfaces(String value) {
        if (value.isEmpty()) {
            return null;
        }
        for (String iface : value.split(",", -1)) {
            iface = iface.strip();
            if (iface.isEmpty()) {
                return "empty interface name";
            }
            if (iface.length() > 15) {
                return "interface name " + goQuote(iface) + " too long (max 15 chars)";
            }
            if (!INTERFACE.matcher(iface).matches()) {
                return "interface name " + goQuote(iface) + " contains invalid characters";
            }
        }
        return null;
    }

    private static String quantity(String value) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            return "value contains control characters";
        }
        return QUANTITY.matcher(value).matches() ? null
                : "quantities must match the regular expression '" + QUANTITY.pattern() + "'";
    }

    /** A ProxyConfig as YAML: it must be a mapping (Istio then validates the fields, which meshcd does not). */
    private static String proxyConfig(String value) {
        try {
            Object parsed = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions())).load(value);
            if (parsed == null || parsed instanceof Map<?, ?>) {
                return null;
            }
            return "failed to convert to apply proxy config: not a ProxyConfig mapping";
        } catch (RuntimeException e) {
            return "failed to convert to apply proxy config: " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    private static String goQuote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
