package dev.meshcd.compiler.validate.istio;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The value checks istiod's validation shares between kinds (DNS names, hosts, ports, IPs, durations,
 * RE2 regexes, header names and values, labels). Each returns an empty Optional when the value is
 * valid and the error message otherwise (report it with {@code Findings.check} or {@code ifPresent}),
 * so callers never use exceptions or null for control flow. No regex is compiled per call: the checks
 * are hand-written scanners, and user regexes are compiled once and cached.
 */
public final class Checks {
    private Checks() {
    }

    public static final int DNS1123_LABEL_MAX = 63;
    public static final int DNS1123_SUBDOMAIN_MAX = 253;
    public static final int REGEX_MAX_LENGTH = 1024;

    // ---------------------------------------------------------------- DNS names and hosts

    /** Istio's labels.IsDNS1123Label: 1..63 of [a-zA-Z0-9-], starting and ending alphanumeric. */
    public static boolean isDns1123Label(String s) {
        if (s == null || s.isEmpty() || s.length() > DNS1123_LABEL_MAX) {
            return false;
        }
        if (!isAlnum(s.charAt(0)) || !isAlnum(s.charAt(s.length() - 1))) {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** A DNS-1123 label that may start with "*" or "*-", or is just "*". */
    public static boolean isWildcardDns1123Label(String s) {
        if (s == null || s.isEmpty() || s.length() > DNS1123_LABEL_MAX) {
            return false;
        }
        if (s.equals("*")) {
            return true;
        }
        String rest = s;
        if (rest.startsWith("*-")) {
            rest = rest.substring(2);
        } else if (rest.startsWith("*")) {
            rest = rest.substring(1);
        }
        return isDns1123Label(rest);
    }

    /** Kubernetes DNS-1123 subdomain: lower case labels joined by dots, at most 253 characters. */
    public static boolean isDns1123Subdomain(String s) {
        if (s == null || s.isEmpty() || s.length() > DNS1123_SUBDOMAIN_MAX) {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '.') {
                String label = s.substring(start, i);
                if (label.isEmpty() || !isLowerAlnum(label.charAt(0)) || !isLowerAlnum(label.charAt(label.length() - 1))) {
                    return false;
                }
                for (int j = 0; j < label.length(); j++) {
                    char c = label.charAt(j);
                    if (!isLowerAlnum(c) && c != '-') {
                        return false;
                    }
                }
                start = i + 1;
            }
        }
        return true;
    }

    private static Optional<String> dnsPreconditions(String name) {
        if (name.length() > 255) {
            return Optional.of("domain name \"" + name + "\" too long (max 255)");
        }
        if (name.isEmpty()) {
            return Optional.of("empty domain name not allowed");
        }
        return Optional.empty();
    }

    private static Optional<String> dns1123Labels(String domain) {
        String[] parts = domain.split("\\.", -1);
        String tld = parts[parts.length - 1];
        if (Nodes.isInteger(tld) && tld.charAt(0) != '+') {
            return Optional.of("domain name \"" + domain + "\" invalid (top level domain \"" + tld
                    + "\" cannot be all-numeric)");
        }
        for (int i = 0; i < parts.length; i++) {
            if (i == parts.length - 1 && parts[i].isEmpty()) {
                return Optional.empty();
            }
            if (!isDns1123Label(parts[i])) {
                return invalidLabel(domain, parts[i]);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> invalidLabel(String domain, String label) {
        return Optional.of("domain name \"" + domain + "\" invalid (label \"" + label + "\" invalid)");
    }

    /** istiod's ValidateFQDN. */
    public static Optional<String> fqdn(String name) {
        return dnsPreconditions(name).or(() -> dns1123Labels(name));
    }

    /** istiod's ValidateWildcardDomain: an FQDN whose first label may be a wildcard. */
    public static Optional<String> wildcardDomain(String domain) {
        return dnsPreconditions(domain).or(() -> wildcardLabels(domain));
    }

    /** The labels of a wildcard domain that passed {@link #dnsPreconditions}. */
    private static Optional<String> wildcardLabels(String domain) {
        int dot = domain.indexOf('.');
        String first = dot < 0 ? domain : domain.substring(0, dot);
        if (!isWildcardDns1123Label(first)) {
            return invalidLabel(domain, first);
        }
        return dot < 0 ? Optional.empty() : dns1123Labels(domain.substring(dot + 1));
    }

    private static final Pattern OUTBOUND_SNI = Pattern.compile("outbound_.([0-8].*).*");

    /** Hosts of a VirtualService bound to gateways: as wildcardDomain, plus auto-generated outbound_ SNI names. */
    public static Optional<String> wildcardDomainForGateway(boolean sni, String domain) {
        return dnsPreconditions(domain).or(() -> {
            int dot = domain.indexOf('.');
            String first = dot < 0 ? domain : domain.substring(0, dot);
            if (sni && first.equals("outbound_")) {
                return OUTBOUND_SNI.matcher(domain).find() ? Optional.empty() : invalidLabel(domain, first);
            }
            return wildcardLabels(domain);
        });
    }

    /** "*.example.com" and "*" are fine; "foo*.com" or "a.*.com" are partial wildcards. */
    public static Optional<String> partialWildcard(String host) {
        if (host.indexOf('*') >= 0 && host.length() != 1 && !host.startsWith("*.")) {
            return Optional.of("partial wildcard \"" + host + "\" not allowed");
        }
        return Optional.empty();
    }

    private static Optional<String> sidecarOrGatewayHostPart(String hostname, boolean gateway) {
        if (!hostname.equals("*") && hostname.indexOf('.') < 0) {
            return Optional.of("short names (non FQDN) are not allowed");
        }
        return wildcardDomain(hostname)
                .filter(err -> !(gateway && isIpAddress(hostname)))
                .or(() -> partialWildcard(hostname));
    }

    /** Gateway server hosts and Sidecar egress hosts: {@code namespace/dnsName} (gateways also accept a bare dnsName). */
    public static Optional<String> namespaceSlashHost(String hostname, boolean gateway) {
        int slash = hostname.indexOf('/');
        if (slash < 0) {
            return gateway ? sidecarOrGatewayHostPart(hostname, true) : Optional.of("host must be of form namespace/dnsName");
        }
        String ns = hostname.substring(0, slash);
        String dns = hostname.substring(slash + 1);
        if (ns.isEmpty() || dns.isEmpty()) {
            return Optional.of("config namespace and dnsName in host entry cannot be empty");
        }
        boolean special = ns.equals("*") || ns.equals(".") || (!gateway && ns.equals("~"));
        if (!special && !isDns1123Label(ns)) {
            return Optional.of("invalid namespace value \"" + ns + "\" in " + (gateway ? "gateway" : "sidecar"));
        }
        return sidecarOrGatewayHostPart(dns, gateway);
    }

    /** Istio's host.Name.Matches: equal, or one wildcard covers the other. */
    public static boolean hostsMatch(String a, String b) {
        boolean aw = a.startsWith("*");
        boolean bw = b.startsWith("*");
        if (aw && bw) {
            return a.length() < b.length() ? b.substring(1).endsWith(a.substring(1)) : a.substring(1).endsWith(b.substring(1));
        }
        if (aw) {
            return b.endsWith(a.substring(1));
        }
        if (bw) {
            return a.endsWith(b.substring(1));
        }
        return a.equals(b);
    }

    /** Istio's host.Name.SubsetOf: every name matched by {@code n} is matched by {@code o}. */
    public static boolean hostSubsetOf(String n, String o) {
        boolean nw = n.startsWith("*");
        boolean ow = o.startsWith("*");
        if (nw) {
            return ow && n.substring(1).endsWith(o.substring(1));
        }
        if (ow) {
            return n.endsWith(o.substring(1));
        }
        return n.equals(o);
    }

    // ---------------------------------------------------------------- ports, IPs, percentages

    public static Optional<String> port(long port) {
        return port >= 1 && port <= 65535 ? Optional.empty()
                : Optional.of("port number " + port + " must be in the range 1..65535");
    }

    public static Optional<String> portName(String name) {
        return isDns1123Label(name) ? Optional.empty() : Optional.of("invalid port name: " + name);
    }

    public static Optional<String> percent(long value) {
        return value < 0 || value > 100 ? Optional.of("percentage " + value + " is not in range 0..100") : Optional.empty();
    }

    /** Fractional percentages (fault injection): 0, or 0.0001..100. */
    public static Optional<String> fractionalPercent(double value) {
        if (value < 0.0 || value > 100.0 || (value > 0.0 && value < 0.0001)) {
            return Optional.of("percentage " + trim(value) + " is neither 0.0, nor in range [0.0001, 100.0]");
        }
        return Optional.empty();
    }

    static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** Go's netip.ParseAddr: dotted IPv4 without leading zeros, or IPv6 (optionally with a %zone). */
    public static boolean isIpAddress(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        if (s.indexOf(':') >= 0) {
            int pct = s.indexOf('%');
            if (pct >= 0) {
                if (pct == s.length() - 1) {
                    return false;
                }
                s = s.substring(0, pct);
            }
            return isIpv6(s);
        }
        return isIpv4(s);
    }

    static boolean isIpv4(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i <= n) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                if (value > 255 || i - start >= 3) {
                    return false;
                }
                i++;
            }
            int len = i - start;
            if (len == 0 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.') {
                return false;
            }
            i++;
        }
        return parts == 4;
    }

    static boolean isIpv6(String s) {
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return false;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int groups = 0;
        for (int part = 0; part < 2; part++) {
            String seg = part == 0 ? head : tail;
            if (seg.isEmpty()) {
                continue;
            }
            String[] g = seg.split(":", -1);
            for (int i = 0; i < g.length; i++) {
                String h = g[i];
                boolean last = i == g.length - 1 && (part == 1 || dbl < 0);
                if (last && h.indexOf('.') >= 0) {
                    if (!isIpv4(h)) {
                        return false;
                    }
                    groups += 2;
                    continue;
                }
                if (h.isEmpty() || h.length() > 4) {
                    return false;
                }
                for (int j = 0; j < h.length(); j++) {
                    if (Character.digit(h.charAt(j), 16) < 0) {
                        return false;
                    }
                }
                groups++;
            }
        }
        return dbl >= 0 ? groups <= 7 : groups == 8;
    }

    public static Optional<String> ipAddress(String s) {
        return isIpAddress(s) ? Optional.empty() : Optional.of(s + " is not a valid IP");
    }

    /** Go's netip.ParsePrefix: address/bits, no zone, bits within the family's width. */
    public static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String addr = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (addr.indexOf('%') >= 0 || !isIpAddress(addr) || bits.isEmpty() || bits.length() > 3) {
            return false;
        }
        for (int i = 0; i < bits.length(); i++) {
            if (bits.charAt(i) < '0' || bits.charAt(i) > '9') {
                return false;
            }
        }
        if (bits.length() > 1 && bits.charAt(0) == '0') {
            return false;
        }
        int b = Integer.parseInt(bits);
        return b <= (addr.indexOf(':') >= 0 ? 128 : 32);
    }

    /** istiod's ValidateIPSubnet: a CIDR block or a single address. */
    public static Optional<String> ipSubnet(String s) {
        int slashes = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '/') {
                slashes++;
            }
        }
        if (slashes == 1) {
            return isCidr(s) ? Optional.empty() : Optional.of(s + " is not a valid CIDR block");
        }
        return ipAddress(s);
    }

    // ---------------------------------------------------------------- durations

    private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
    public static final long NANOS_PER_MS = 1_000_000L;

    /**
     * Parses a duration as Istio reads it from YAML (Go's time.ParseDuration, which also accepts
     * protobuf's "1.5s"): nanoseconds, or null when the text is not a duration.
     */
    public static Long parseDuration(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        if (s.isEmpty()) {
            return null;
        }
        boolean neg = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return 0L;
        }
        if (s.isEmpty()) {
            return null;
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String num = s.substring(start, i);
            if (num.isEmpty() || num.equals(".") || num.indexOf('.') != num.lastIndexOf('.')) {
                return null;
            }
            int ustart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            Long unit = UNITS.get(s.substring(ustart, i));
            if (unit == null) {
                return null;
            }
            total = total.add(new BigDecimal(num.endsWith(".") ? num + "0" : num.startsWith(".") ? "0" + num : num)
                    .multiply(BigDecimal.valueOf(unit)));
        }
        if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return null;
        }
        long nanos = total.setScale(0, java.math.RoundingMode.DOWN).longValue();
        return neg ? -nanos : nanos;
    }

    /** istiod's ValidateDuration: at least 1ms, millisecond precision. */
    public static Optional<String> duration(String text) {
        Long nanos = parseDuration(text);
        if (nanos == null) {
            return Optional.of("invalid duration \"" + text + "\"");
        }
        if (nanos < NANOS_PER_MS) {
            return Optional.of("duration must be greater than 1ms");
        }
        if (nanos % NANOS_PER_MS != 0) {
            return Optional.of("only durations to ms precision are supported");
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- regexes (RE2)

    private static final int REGEX_CACHE_MAX = 8192;
    private static final Map<String, Optional<String>> REGEX_CACHE = new ConcurrentHashMap<>();

    /**
     * Checks a regex the way istiod does: at most 1024 characters and valid RE2 syntax (Go's regexp,
     * here re2j; java.util.regex would accept look-arounds RE2 rejects). Results are cached.
     */
    public static Optional<String> regex(String re, String where) {
        if (re.length() > REGEX_MAX_LENGTH) {
            return Optional.of("\"" + where + "\": regex is too large, max length allowed is " + REGEX_MAX_LENGTH);
        }
        Optional<String> err = REGEX_CACHE.get(re);
        if (err == null) { // not cached yet
            err = compileError(re);
            if (REGEX_CACHE.size() >= REGEX_CACHE_MAX) {
                REGEX_CACHE.clear();
            }
            REGEX_CACHE.put(re, err);
        }
        return err.map(e -> "\"" + where + "\": " + e
                + "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)");
    }

    private static Optional<String> compileError(String re) {
        try {
            Pattern.compile(re);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("error parsing regexp: " + e.getDescription() + ": `" + e.getPattern() + "`");
        } catch (RuntimeException e) {
            return Optional.of("error parsing regexp: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- CEL (Telemetry access-log filters)

    private static final dev.cel.parser.CelParser CEL = dev.cel.parser.CelParserFactory.standardCelParserBuilder().build();
    private static final Map<String, Optional<String>> CEL_CACHE = new ConcurrentHashMap<>();

    /** istiod parses access-log filter expressions with cel-go; a syntax error rejects the Telemetry. Cached. */
    public static Optional<String> celExpression(String expr) {
        Optional<String> err = CEL_CACHE.get(expr);
        if (err == null) { // not cached yet
            dev.cel.common.CelValidationResult result = CEL.parse(expr);
            err = result.hasError() ? Optional.of(result.getErrorString()) : Optional.empty();
            if (CEL_CACHE.size() >= REGEX_CACHE_MAX) {
                CEL_CACHE.clear();
            }
            CEL_CACHE.put(expr, err);
        }
        return err.map(e -> "must be a valid CEL expression, " + e);
    }

    // ---------------------------------------------------------------- headers

    /** [-_A-Za-z0-9]+ */
    public static Optional<String> headerName(String name) {
        if (name.isEmpty()) {
            return Optional.of("header name cannot be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isAlnum(c) || c == '-' || c == '_')) {
                return Optional.of("header name " + name + " is not a valid header name");
            }
        }
        return Optional.empty();
    }

    /** Header match keys may also be JWT claim routes: {@code @request.auth.claims.x} or {@code @request.auth.claims[x]}. */
    public static Optional<String> headerNameOrJwtClaim(String name) {
        if (name.startsWith("@request.auth.claims.") && name.length() > "@request.auth.claims.".length()) {
            return Optional.empty();
        }
        if (name.startsWith("@request.auth.claims[") && name.endsWith("]") && name.length() > "@request.auth.claims[]".length()) {
            return Optional.empty();
        }
        return headerName(name);
    }

    public static boolean isJwtClaimRoute(String name) {
        return name.startsWith("@request.auth.claims.") || name.startsWith("@request.auth.claims[");
    }

    public static Optional<String> corsHeaderName(String name) {
        return "*".equals(name) ? Optional.empty() : headerName(name);
    }

    static boolean isInternalHeader(String h) {
        return h.startsWith(":") || h.equalsIgnoreCase("host");
    }

    static boolean isAuthorityHeader(String h) {
        return h.equalsIgnoreCase(":authority") || h.equalsIgnoreCase("host");
    }

    /** Names in headers.request.add/set (":authority" and "host" allowed there). */
    public static Optional<String> headerAddName(String name) {
        if (name.isEmpty()) {
            return Optional.of("header name cannot be empty");
        }
        if (isInternalHeader(name) && !isAuthorityHeader(name)) {
            return Optional.of("invalid header \"" + name + "\": header cannot have \":\" prefix");
        }
        return Optional.empty();
    }

    /** Names in headers.request.remove and headers.response.*. */
    public static Optional<String> headerOpName(String name) {
        if (name.isEmpty()) {
            return Optional.of("header name cannot be empty");
        }
        if (name.equalsIgnoreCase("host")) {
            return Optional.of("invalid header \"" + name + "\": cannot set Host header");
        }
        if (isInternalHeader(name)) {
            return Optional.of("invalid header \"" + name + "\": header cannot have \":\" prefix");
        }
        return Optional.empty();
    }

    /** No control characters but tab; every '%' is "%%" or opens a %VARIABLE% that is closed. */
    public static Optional<String> headerValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c <= 0x08) || (c >= 0x0A && c <= 0x1F) || c == 0x7F) {
                return Optional.of("header value configuration " + value + " is invalid");
            }
        }
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '%') {
                i++;
                continue;
            }
            if (i + 1 < value.length() && value.charAt(i + 1) == '%') {
                i += 2;
                continue;
            }
            int close = value.indexOf('%', i + 1);
            if (close < 0 || close == i + 1) {
                return Optional.of("header value configuration: invalid header value \"" + value
                        + "\": unescaped '%' at position " + i);
            }
            i = close + 1;
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- labels

    /** Kubernetes qualified name part: [A-Za-z0-9-_.], starting and ending alphanumeric (no length limit here). */
    static boolean isQualifiedName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        if (!isAlnum(s.charAt(0)) || !isAlnum(s.charAt(s.length() - 1))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isAlnum(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Istio's label key rule (labels.validateTagKey): an optional prefix of dot-separated DNS-1123
     * labels (upper case allowed, at most 253 characters) and "/", then a qualified name of at most 63.
     */
    public static Optional<String> labelKey(String key) {
        int slash = key.indexOf('/');
        String name = key;
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            for (String label : prefix.split("\\.", -1)) {
                if (!isDns1123Label(label)) {
                    return Optional.of("invalid tag key: \"" + key + "\"");
                }
            }
            if (prefix.length() > DNS1123_SUBDOMAIN_MAX) {
                return Optional.of("invalid tag key: \"" + key + "\" (DNS prefix is too long)");
            }
        }
        if (!isQualifiedName(name)) {
            return Optional.of("invalid tag key: \"" + key + "\"");
        }
        return name.length() > DNS1123_LABEL_MAX ? Optional.of("invalid tag key: \"" + key + "\" (name is too long)")
                : Optional.empty();
    }

    /** Istio's label value rule: empty, or a qualified name (Istio sets no length limit). */
    public static Optional<String> labelValue(String value) {
        return value.isEmpty() || isQualifiedName(value) ? Optional.empty()
                : Optional.of("invalid tag value: \"" + value + "\"");
    }

    // ---------------------------------------------------------------- protocols

    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "GRPC", "GRPC-WEB", "HTTP", "HTTP_PROXY",
            "HTTP2", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL", "HBONE");

    /** Istio's protocol.Parse, upper-cased, or null for Unsupported. */
    public static String protocol(String p) {
        String u = p.toUpperCase(Locale.ROOT);
        return PROTOCOLS.contains(u) ? u : null;
    }

    public static boolean isHttp(String p) {
        return p != null && switch (p) {
            case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB" -> true;
            default -> false;
        };
    }

    public static boolean isTls(String p) {
        return "HTTPS".equals(p) || "TLS".equals(p);
    }

    public static boolean isTcp(String p) {
        return p != null && switch (p) {
            case "TCP", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL" -> true;
            default -> false;
        };
    }

    /** ValidateProtocol: empty (sniffed) or a known protocol. */
    public static Optional<String> protocolName(String p) {
        return p.isEmpty() || protocol(p) != null ? Optional.empty() : Optional.of("unsupported protocol: " + p);
    }

    // ---------------------------------------------------------------- characters

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
