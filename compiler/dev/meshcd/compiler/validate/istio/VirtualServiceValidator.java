package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.number;
import static dev.meshcd.compiler.validate.istio.Nodes.size;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** istiod's ValidateVirtualService. */
public final class VirtualServiceValidator implements ResourceValidator {
    static final String ROUTE_SEMANTICS = "internal.istio.io/route-semantics";
    private static final FieldPath SPEC = FieldPath.of("spec");
    private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "reset-before-request",
            "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
            "envoy-ratelimited", "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
            "resource-exhausted", "unavailable");
    static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT",
            "OPTIONS", "TRACE");
    private static final Set<String> GRPC_STATUS = Set.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED");
    private static final int KB = 1024;
    private static final int MB = 1024 * KB;

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.is(Kind.VIRTUAL_SERVICE)) {
            return;
        }
        Findings f = new Findings(r, sink);
        JsonNode spec = r.spec();
        JsonNode hosts = list(spec, "hosts");
        JsonNode gateways = list(spec, "gateways");
        boolean delegate = hosts.isEmpty();
        if (delegate) {
            if (!gateways.isEmpty()) {
                f.error(SPEC.key("gateways"), "delegate virtual service must have no gateways specified");
            }
            if (size(spec, "tls") != 0) {
                f.error(SPEC.key("tls"), "delegate virtual service must have no tls route specified");
            }
            if (size(spec, "tcp") != 0) {
                f.error(SPEC.key("tcp"), "delegate virtual service must have no tcp route specified");
            }
        }
        boolean gatewaySemantics = "gateway".equals(r.annotation(ROUTE_SEMANTICS));
        boolean appliesToGateway = false;
        if (!gateways.isEmpty()) {
            gatewayNames(f, gateways, SPEC.key("gateways"), gatewaySemantics);
            appliesToGateway = true;
            for (JsonNode g : gateways) {
                if ("mesh".equals(g.asText())) {
                    appliesToGateway = false;
                }
            }
        }
        boolean appliesToMesh = !appliesToGateway;
        if (!appliesToGateway) {
            JsonNode https = list(spec, "http");
            for (int i = 0; i < https.size(); i++) {
                JsonNode matches = list(https.get(i), "match");
                for (int j = 0; j < matches.size(); j++) {
                    FieldPath mp = SPEC.key("http").index(i).key("match").index(j);
                    for (String field : new String[]{"headers", "withoutHeaders"}) {
                        for (Map.Entry<String, JsonNode> e : Nodes.entries(matches.get(j), field)) {
                            if (Checks.isJwtClaimRoute(e.getKey())) {
                                f.error(mp.key(field).key(e.getKey()), "JWT claim based routing (key: " + e.getKey()
                                        + ") is only supported for gateway, found no gateways: " + gateways);
                            }
                        }
                    }
                }
            }
        }

        boolean sni = isSniHost(spec);
        boolean allHostsValid = true;
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i).asText();
            Optional<String> err = appliesToGateway ? Checks.wildcardDomainForGateway(sni, h) : Checks.wildcardDomain(h);
            if (err.isPresent()) {
                if (!Checks.isIpAddress(h)) {
                    f.error(SPEC.key("hosts").index(i), err.get());
                    allHostsValid = false;
                }
            } else if (appliesToMesh && h.equals("*")) {
                f.error(SPEC.key("hosts").index(i), "wildcard host * is not allowed for virtual services bound to the mesh gateway");
                allHostsValid = false;
            }
        }
        if (allHostsValid) {
            for (int i = 0; i < hosts.size(); i++) {
                for (int j = i + 1; j < hosts.size(); j++) {
                    String a = hosts.get(i).asText();
                    String b = hosts.get(j).asText();
                    if (Checks.hostsMatch(a, b)) {
                        f.error(SPEC.key("hosts").index(j), "duplicate hosts in virtual service: " + a + " & " + b);
                    }
                }
            }
        }
        if (size(spec, "http") == 0 && size(spec, "tcp") == 0 && size(spec, "tls") == 0) {
            f.error(SPEC, "http, tcp or tls must be provided in virtual service");
        }
        JsonNode https = list(spec, "http");
        for (int i = 0; i < https.size(); i++) {
            FieldPath p = SPEC.key("http").index(i);
            if (https.get(i) == null || !https.get(i).isObject()) {
                f.error(p, "http route may not be null");
                continue;
            }
            httpRoute(f, https.get(i), p, delegate, gatewaySemantics);
        }
        JsonNode tlss = list(spec, "tls");
        for (int i = 0; i < tlss.size(); i++) {
            tlsRoute(f, tlss.get(i), SPEC.key("tls").index(i), hosts, appliesToGateway, gatewaySemantics);
        }
        JsonNode tcps = list(spec, "tcp");
        for (int i = 0; i < tcps.size(); i++) {
            tcpRoute(f, tcps.get(i), SPEC.key("tcp").index(i), gatewaySemantics);
        }
        Common.exportTo(f, spec, SPEC, r.namespace(), false, false);
        unreachable(f, https, "http");
        unreachable(f, tcps, "tcp");
        unreachable(f, tlss, "tls");
    }

    private static boolean isSniHost(JsonNode spec) {
        for (JsonNode tls : list(spec, "tls")) {
            for (JsonNode m : list(tls, "match")) {
                if (size(m, "sniHosts") > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    static void gatewayNames(Findings f, JsonNode names, FieldPath p, boolean gatewaySemantics) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).asText();
            FieldPath gp = p.index(i);
            int slash = name.indexOf('/');
            if (slash < 0) {
                if (name.contains(".")) {
                    String[] parts = name.split("\\.", -1);
                    f.warn(ValidationWarning.LEGACY_GATEWAY_NAME, gp,
                            "using legacy gatewayName format \"" + name + "\"; prefer the <namespace>/<name> format: \""
                            + parts[1] + "/" + parts[0] + "\"");
                }
                f.check(gp, Checks.fqdn(name));
                continue;
            }
            String ns = name.substring(0, slash);
            String gw = name.substring(slash + 1);
            if (ns.isEmpty() || gw.isEmpty()) {
                f.error(gp, "config namespace and gateway name cannot be empty");
            }
            if (!Checks.isDns1123Label(ns)) {
                f.error(gp, "invalid value for namespace: \"" + ns + "\"");
            }
            if (!Checks.isDns1123Label(gw) && !gatewaySemantics) {
                f.error(gp, "invalid value for gateway name: \"" + gw + "\"");
            }
        }
    }

    // ------------------------------------------------------------------ HTTP

    private static void httpRoute(Findings f, JsonNode http, FieldPath p, boolean delegate, boolean gatewaySemantics) {
        boolean root = !delegate && has(http, "delegate");
        conflicts(f, http, p, root, delegate);
        matchRequests(f, http, p);
        headerOps(f, get(http, "headers"), p.key("headers"));
        cors(f, get(http, "corsPolicy"), p.key("corsPolicy"));
        fault(f, get(http, "fault"), p.key("fault"));
        JsonNode mirrorPercent = get(http, "mirrorPercent");
        if (mirrorPercent != null) {
            long v = Nodes.asLong(mirrorPercent);
            if (v > 100) {
                f.error(p.key("mirrorPercent"), "mirror_percent must have a max value of 100 (it has " + v + ")");
            }
            f.warn(ValidationWarning.DEPRECATED_MIRROR_PERCENT, p.key("mirrorPercent"),
                    "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
        }
        JsonNode mirrorPercentage = get(http, "mirrorPercentage");
        if (mirrorPercentage != null) {
            double v = number(mirrorPercentage, "value");
            if (v > 100) {
                f.error(p.key("mirrorPercentage").key("value"), "mirror_percentage must have a max value of 100 (it has "
                        + Checks.trim(v) + ")");
            }
            if (v < 0) {
                f.error(p.key("mirrorPercentage").key("value"), "mirror_percentage must have a min value of 0 (it has "
                        + Checks.trim(v) + ")");
            }
        }
        Common.destination(f, get(http, "mirror"), p.key("mirror"));
        mirrors(f, http, p);
        redirect(f, get(http, "redirect"), p.key("redirect"));
        directResponse(f, get(http, "directResponse"), p.key("directResponse"));
        retries(f, get(http, "retries"), p.key("retries"));
        rewrite(f, get(http, "rewrite"), p.key("rewrite"));
        authorityRewrite(f, http, p);
        destinations(f, list(http, "route"), p.key("route"), gatewaySemantics, true);
        Common.duration(f, http, "timeout", p);
    }

    private static void conflicts(Findings f, JsonNode http, FieldPath p, boolean root, boolean delegate) {
        boolean redirect = has(http, "redirect");
        boolean direct = has(http, "directResponse");
        boolean faultSet = has(http, "fault");
        boolean rewriteSet = has(http, "rewrite");
        int routes = size(http, "route");
        String name = text(http, "name");
        if (root) {
            if (redirect) {
                f.error(p.key("redirect"), "root HTTP route " + name + " must not specify redirect");
            }
            if (has(http, "route")) {
                f.error(p.key("route"), "root HTTP route " + name + " must not specify route");
            }
            return;
        }
        if (delegate && has(http, "delegate")) {
            f.error(p.key("delegate"), "delegate HTTP route cannot contain delegate");
        }
        if (redirect) {
            if (routes > 0) {
                f.error(p.key("route"), "HTTP route cannot contain both route and redirect");
            }
            if (faultSet) {
                f.error(p.key("fault"), "HTTP route cannot contain both fault and redirect");
            }
            if (rewriteSet) {
                f.error(p.key("rewrite"), "HTTP route rule cannot contain both rewrite and redirect");
            }
            if (direct) {
                f.error(p.key("directResponse"), "HTTP route rule cannot contain both direct_response and redirect");
            }
        } else if (direct) {
            if (routes > 0) {
                f.error(p.key("route"), "HTTP route cannot contain both route and direct_response");
            }
            if (faultSet) {
                f.error(p.key("fault"), "HTTP route cannot contain both fault and direct_response");
            }
            if (rewriteSet) {
                f.error(p.key("rewrite"), "HTTP route rule cannot contain both rewrite and direct_response");
            }
        } else if (routes == 0) {
            f.error(p.key("route"), "HTTP route, redirect or direct_response is required");
        }
        if (has(http, "mirror") && size(http, "mirrors") > 0) {
            f.error(p.key("mirrors"), "HTTP route cannot contain both mirror and mirrors");
        }
    }

    private static void matchRequests(Findings f, JsonNode http, FieldPath p) {
        JsonNode matches = list(http, "match");
        for (int i = 0; i < matches.size(); i++) {
            JsonNode m = matches.get(i);
            if (m == null || !m.isObject()) {
                continue;
            }
            FieldPath mp = p.key("match").index(i);
            for (Map.Entry<String, JsonNode> e : Nodes.entries(m, "headers")) {
                FieldPath hp = mp.key("headers").key(e.getKey());
                if (e.getValue().isNull()) {
                    f.error(hp, "header match " + e.getKey() + " cannot be null");
                }
                f.check(hp, Checks.headerNameOrJwtClaim(e.getKey()));
                Common.stringMatch(f, e.getValue(), hp, "headers", false);
            }
            for (Map.Entry<String, JsonNode> e : Nodes.entries(m, "withoutHeaders")) {
                FieldPath hp = mp.key("withoutHeaders").key(e.getKey());
                f.check(hp, Checks.headerNameOrJwtClaim(e.getKey()));
                if (!"*".equals(text(e.getValue(), "regex"))) {
                    Common.stringMatch(f, e.getValue(), hp, "withoutHeaders", false);
                }
            }
            Common.stringMatch(f, get(m, "uri"), mp.key("uri"), "uri", true);
            Common.stringMatch(f, get(m, "scheme"), mp.key("scheme"), "scheme", false);
            Common.stringMatch(f, get(m, "method"), mp.key("method"), "method", false);
            Common.stringMatch(f, get(m, "authority"), mp.key("authority"), "authority", false);
            for (Map.Entry<String, JsonNode> e : Nodes.entries(m, "queryParams")) {
                Common.stringMatch(f, e.getValue(), mp.key("queryParams").key(e.getKey()), "queryParams", false);
            }
            long port = integer(m, "port");
            if (port != 0) {
                f.check(mp.key("port"), Checks.port(port));
            }
            Common.labels(f, m, "sourceLabels", mp);
            gatewayNames(f, list(m, "gateways"), mp.key("gateways"), false);
            String srcNs = text(m, "sourceNamespace");
            if (!srcNs.isEmpty() && !Checks.isDns1123Label(srcNs)) {
                f.error(mp.key("sourceNamespace"), "sourceNamespace match " + srcNs + " is invalid");
            }
        }
    }

    static void headerOps(Findings f, JsonNode headers, FieldPath p) {
        if (headers == null) {
            return;
        }
        for (String side : new String[]{"request", "response"}) {
            JsonNode ops = get(headers, side);
            if (ops == null) {
                continue;
            }
            FieldPath sp = p.key(side);
            boolean request = side.equals("request");
            for (String op : new String[]{"add", "set"}) {
                for (Map.Entry<String, JsonNode> e : Nodes.entries(ops, op)) {
                    FieldPath hp = sp.key(op).key(e.getKey());
                    f.check(hp, request ? Checks.headerAddName(e.getKey()) : Checks.headerOpName(e.getKey()));
                    f.check(hp, Checks.headerValue(e.getValue().asText()));
                }
            }
            JsonNode remove = list(ops, "remove");
            for (int i = 0; i < remove.size(); i++) {
                f.check(sp.key("remove").index(i), Checks.headerOpName(remove.get(i).asText()));
            }
        }
    }

    private static void cors(Findings f, JsonNode cors, FieldPath p) {
        if (cors == null) {
            return;
        }
        JsonNode origins = list(cors, "allowOrigins");
        for (int i = 0; i < origins.size(); i++) {
            JsonNode o = origins.get(i);
            FieldPath op = p.key("allowOrigins").index(i);
            String match = !text(o, "exact").isEmpty() ? text(o, "exact")
                    : !text(o, "prefix").isEmpty() ? text(o, "prefix") : text(o, "regex");
            if (match.isEmpty()) {
                f.error(op, "'' is not a valid match type for CORS allow origins");
            } else if (has(o, "regex")) {
                f.check(op.key("regex"), Checks.regex(text(o, "regex"), "corsPolicy.allowOrigins"));
            }
        }
        JsonNode methods = list(cors, "allowMethods");
        for (int i = 0; i < methods.size(); i++) {
            if (!HTTP_METHODS.contains(methods.get(i).asText())) {
                f.error(p.key("allowMethods").index(i), "\"" + methods.get(i).asText() + "\" is not a supported HTTP method");
            }
        }
        for (String field : new String[]{"allowHeaders", "exposeHeaders"}) {
            JsonNode names = list(cors, field);
            for (int i = 0; i < names.size(); i++) {
                f.check(p.key(field).index(i), Checks.corsHeaderName(names.get(i).asText()));
            }
        }
        JsonNode maxAge = get(cors, "maxAge");
        if (maxAge != null) {
            if (f.check(p.key("maxAge"), Checks.duration(maxAge.asText()))) {
                Long nanos = Checks.parseDuration(maxAge.asText());
                if (nanos != null && nanos % 1_000_000_000L != 0) {
                    f.error(p.key("maxAge"), "max_age duration is accurate only to seconds precision");
                }
            }
        }
    }

    private static void fault(Findings f, JsonNode fault, FieldPath p) {
        if (fault == null) {
            return;
        }
        JsonNode abort = get(fault, "abort");
        JsonNode delay = get(fault, "delay");
        if (abort == null && delay == null) {
            f.error(p, "HTTP fault injection must have an abort and/or a delay");
        }
        if (abort != null) {
            FieldPath ap = p.key("abort");
            percentage(f, abort, ap);
            if (has(abort, "grpcStatus")) {
                String s = text(abort, "grpcStatus");
                if (!GRPC_STATUS.contains(s)) {
                    f.error(ap.key("grpcStatus"), "gRPC status \"" + s + "\" is not supported. See "
                            + "https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, "
                            + "for example 'NOT_FOUND'");
                }
            } else if (has(abort, "http2Error")) {
                f.error(ap.key("http2Error"), "HTTP/2 abort fault injection not supported yet");
            } else if (has(abort, "httpStatus")) {
                f.check(ap.key("httpStatus"), httpStatus(integer(abort, "httpStatus")));
            } else {
                f.warn(ValidationWarning.ABORT_WITHOUT_ERROR_TYPE, ap, "abort configured, but error type not set");
            }
        }
        if (delay != null) {
            FieldPath dp = p.key("delay");
            percentage(f, delay, dp);
            if (has(delay, "fixedDelay")) {
                Common.duration(f, delay, "fixedDelay", dp);
            } else if (has(delay, "exponentialDelay")) {
                Common.duration(f, delay, "exponentialDelay", dp);
                f.error(dp.key("exponentialDelay"), "exponentialDelay not supported yet");
            }
            if (has(delay, "percent")) {
                f.check(dp.key("percent"), Checks.percent(integer(delay, "percent")));
            }
        }
    }

    private static void percentage(Findings f, JsonNode node, FieldPath p) {
        JsonNode pct = get(node, "percentage");
        if (pct != null) {
            f.check(p.key("percentage").key("value"), Checks.fractionalPercent(number(pct, "value")));
        }
    }

    private static Optional<String> httpStatus(long status) {
        return status < 200 || status > 600 ? Optional.of("HTTP status " + status + " is not in range 200-599")
                : Optional.empty();
    }

    private static void mirrors(Findings f, JsonNode http, FieldPath p) {
        JsonNode mirrors = list(http, "mirrors");
        for (int i = 0; i < mirrors.size(); i++) {
            JsonNode m = mirrors.get(i);
            FieldPath mp = p.key("mirrors").index(i);
            if (m == null || !m.isObject()) {
                f.error(mp, "mirror cannot be null");
                continue;
            }
            JsonNode dest = get(m, "destination");
            if (dest == null) {
                f.error(mp.key("destination"), "destination is required for mirrors");
                continue;
            }
            Common.destination(f, dest, mp.key("destination"));
            JsonNode pct = get(m, "percentage");
            if (pct != null) {
                double v = number(pct, "value");
                if (v > 100) {
                    f.error(mp.key("percentage").key("value"), "mirror percentage must have a max value of 100 (it has "
                            + Checks.trim(v) + ")");
                }
                if (v < 0) {
                    f.error(mp.key("percentage").key("value"), "mirror percentage must have a min value of 0 (it has "
                            + Checks.trim(v) + ")");
                }
            }
        }
    }

    private static void redirect(Findings f, JsonNode redirect, FieldPath p) {
        if (redirect == null) {
            return;
        }
        String scheme = text(redirect, "scheme");
        if (text(redirect, "uri").isEmpty() && text(redirect, "authority").isEmpty() && !has(redirect, "port")
                && !has(redirect, "derivePort") && scheme.isEmpty()) {
            f.error(p, "redirect must specify URI, authority, scheme, or port");
            return;
        }
        long code = integer(redirect, "redirectCode");
        if (code != 0 && (code < 300 || code > 399)) {
            f.error(p.key("redirectCode"), code + " is not a valid redirect code, must be 3xx");
            return;
        }
        if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https")) {
            f.error(p.key("scheme"), "invalid redirect scheme, must be \"http\" or \"https\"");
            return;
        }
        long port = integer(redirect, "port");
        if (port > 0) {
            f.check(p.key("port"), Checks.port(port));
        }
    }

    private static void directResponse(Findings f, JsonNode dr, FieldPath p) {
        if (dr == null) {
            return;
        }
        JsonNode body = get(dr, "body");
        if (body != null) {
            long size = 0;
            if (has(body, "string")) {
                size = text(body, "string").getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            } else if (has(body, "bytes")) {
                size = text(body, "bytes").length() * 3L / 4; // base64 in YAML
            }
            if (size > MB) {
                f.error(p.key("body"), "large direct_responses may impact control plane performance, must be less than 1MB");
            } else if (size > 100 * KB) {
                f.warn(ValidationWarning.LARGE_DIRECT_RESPONSE, p.key("body"),
                        "large direct_responses may impact control plane performance");
            }
        }
        f.check(p.key("status"), httpStatus(integer(dr, "status")));
    }

    private static void retries(Findings f, JsonNode retries, FieldPath p) {
        if (retries == null) {
            return;
        }
        long attempts = integer(retries, "attempts");
        if (attempts < 0) {
            f.error(p.key("attempts"), "attempts cannot be negative");
        }
        String retryOn = text(retries, "retryOn");
        if (attempts == 0 && (has(retries, "perTryTimeout") || !retryOn.isEmpty() || has(retries, "retryRemoteLocalities"))) {
            f.error(p.key("attempts"), "http retry policy configured when attempts are set to 0 (disabled)");
        }
        Common.duration(f, retries, "perTryTimeout", p);
        if (!retryOn.isEmpty()) {
            for (String policy : retryOn.split(",", -1)) {
                if (!RETRY_ON.contains(policy) && !isHttpStatusCode(policy)) {
                    f.error(p.key("retryOn"), "\"" + policy + "\" is not a valid retryOn policy");
                }
            }
        }
    }

    /** Go: http.StatusText(strconv.Atoi(policy)) != "" — a status code Go's net/http knows. */
    private static boolean isHttpStatusCode(String s) {
        if (!Nodes.isInteger(s) || s.length() > 4 || s.startsWith("-")) {
            return false;
        }
        int c = Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
        return switch (c) {
            case 100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305,
                    307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417,
                    418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508,
                    510, 511 -> true;
            default -> false;
        };
    }

    private static void rewrite(Findings f, JsonNode rewrite, FieldPath p) {
        if (rewrite == null) {
            return;
        }
        String uri = text(rewrite, "uri");
        JsonNode regex = get(rewrite, "uriRegexRewrite");
        if (!uri.isEmpty() && regex != null) {
            f.error(p, "rewrite may only contain one of URI or UriRegexRewrite");
            return;
        }
        if (uri.isEmpty() && regex == null && text(rewrite, "authority").isEmpty()) {
            f.error(p, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or "
                    + "UriRegexRewrite may be specified");
            return;
        }
        if (regex != null) {
            FieldPath rp = p.key("uriRegexRewrite");
            if (text(regex, "match").isEmpty() || text(regex, "rewrite").isEmpty()) {
                f.error(rp, "UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified");
            } else {
                Checks.regex(text(regex, "match"), "HTTPRewrite.UriRegexRewrite.Match")
                        .ifPresent(err -> f.error(rp.key("match"), "UriRegexRewrite has errors: " + err));
            }
        }
    }

    private static void authorityRewrite(Findings f, JsonNode http, FieldPath p) {
        String current = text(get(http, "rewrite"), "authority");
        JsonNode req = get(get(http, "headers"), "request");
        for (String op : new String[]{"set", "add"}) {
            for (Map.Entry<String, JsonNode> e : Nodes.entries(req, op)) {
                if (!Checks.isAuthorityHeader(e.getKey())) {
                    continue;
                }
                if (!current.isEmpty()) {
                    f.error(p.key("headers").key("request").key(op).key(e.getKey()), "authority header cannot be set "
                            + "multiple times: have \"" + current + "\", attempting to set \"" + e.getValue().asText() + "\"");
                    return;
                }
                current = e.getValue().asText();
            }
        }
    }

    /** HTTP, TLS and TCP route destinations: weights not negative, not all zero; HTTP ones may manipulate headers. */
    private static void destinations(Findings f, JsonNode routes, FieldPath p, boolean gatewaySemantics, boolean http) {
        long total = 0;
        for (int i = 0; i < routes.size(); i++) {
            JsonNode w = routes.get(i);
            FieldPath wp = p.index(i);
            if (w == null || !w.isObject()) {
                f.error(wp, "weight may not be nil");
                continue;
            }
            JsonNode dest = get(w, "destination");
            if (dest == null) {
                f.error(wp.key("destination"), "destination is required");
            }
            if (http) {
                headerOps(f, get(w, "headers"), wp.key("headers"));
            }
            if (!gatewaySemantics) {
                Common.destination(f, dest, wp.key("destination"));
            }
            long weight = integer(w, "weight");
            if (weight < 0) {
                f.error(wp.key("weight"), "weight " + weight + " < 0");
            }
            total += weight;
        }
        if (routes.size() > 1 && total == 0) {
            f.error(p, "total destination weight = 0");
        }
    }

    // ------------------------------------------------------------------ TLS and TCP

    private static void tlsRoute(Findings f, JsonNode tls, FieldPath p, JsonNode hosts, boolean gateway,
                                 boolean gatewaySemantics) {
        if (tls == null || !tls.isObject()) {
            return;
        }
        JsonNode matches = list(tls, "match");
        if (matches.isEmpty()) {
            f.error(p.key("match"), "TLS route must have at least one match condition");
        }
        for (int i = 0; i < matches.size(); i++) {
            JsonNode m = matches.get(i);
            FieldPath mp = p.key("match").index(i);
            if (m == null || !m.isObject()) {
                f.error(mp, "TLS match may not be null");
                continue;
            }
            JsonNode snis = list(m, "sniHosts");
            if (snis.isEmpty()) {
                f.error(mp.key("sniHosts"), "TLS match must have at least one SNI host");
            }
            for (int j = 0; j < snis.size(); j++) {
                sniHost(f, snis.get(j).asText(), mp.key("sniHosts").index(j), hosts, gateway);
            }
            l4Match(f, m, mp);
        }
        if (size(tls, "route") == 0) {
            f.error(p.key("route"), "TLS route is required");
        }
        destinations(f, list(tls, "route"), p.key("route"), gatewaySemantics, false);
    }

    private static void sniHost(Findings f, String sni, FieldPath p, JsonNode hosts, boolean gateway) {
        Optional<String> err = gateway ? Checks.wildcardDomainForGateway(true, sni) : Checks.wildcardDomain(sni);
        if (err.isPresent()) {
            if (Checks.isIpAddress(sni)) {
                f.warn(ValidationWarning.SNI_IP_ADDRESS, p,
                        "using an IP address (\"" + sni + "\") goes against SNI spec and most clients do not support this");
                return;
            }
            f.error(p, err.get());
            return;
        }
        StringBuilder all = new StringBuilder();
        for (JsonNode h : hosts) {
            if (Checks.hostSubsetOf(sni, h.asText())) {
                return;
            }
            if (all.length() > 0) {
                all.append(", ");
            }
            all.append(h.asText());
        }
        f.error(p, "SNI host \"" + sni + "\" is not a compatible subset of any of the virtual service hosts: [" + all + "]");
    }

    private static void l4Match(Findings f, JsonNode m, FieldPath mp) {
        JsonNode subnets = list(m, "destinationSubnets");
        for (int j = 0; j < subnets.size(); j++) {
            f.check(mp.key("destinationSubnets").index(j), Checks.ipSubnet(subnets.get(j).asText()));
        }
        long port = integer(m, "port");
        if (port != 0) {
            f.check(mp.key("port"), Checks.port(port));
        }
        Common.labels(f, m, "sourceLabels", mp);
        gatewayNames(f, list(m, "gateways"), mp.key("gateways"), false);
    }

    private static void tcpRoute(Findings f, JsonNode tcp, FieldPath p, boolean gatewaySemantics) {
        if (tcp == null || !tcp.isObject()) {
            return;
        }
        JsonNode matches = list(tcp, "match");
        for (int i = 0; i < matches.size(); i++) {
            JsonNode m = matches.get(i);
            if (m == null || !m.isObject()) {
                f.error(p.key("match").index(i), "tcp match may not be nil");
                continue;
            }
            l4Match(f, m, p.key("match").index(i));
        }
        if (size(tcp, "route") == 0) {
            f.error(p.key("route"), "TCP route is required");
        }
        destinations(f, list(tcp, "route"), p.key("route"), gatewaySemantics, false);
    }

    // ------------------------------------------------------------------ unreachable rules (IST0130, IST0131)

    /** A prefix-matching HTTP match, as istiod compares them for overlaps. */
    private record PrefixMatch(String route, String match, FieldPath path, String prefix, long port, String method,
                               String authority, Map<String, String> headers, Map<String, String> params,
                               Map<String, String> without) {
    }

    private static String exactOrPrefix(JsonNode sm) {
        String exact = text(sm, "exact");
        if (!exact.isEmpty()) {
            return "exact:" + exact;
        }
        String prefix = text(sm, "prefix");
        return prefix.isEmpty() ? "" : "prefix:" + prefix;
    }

    private static Map<String, String> exactOrPrefixMap(JsonNode m, String field) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : Nodes.entries(m, field)) {
            out.put(e.getKey(), exactOrPrefix(e.getValue()));
        }
        return out;
    }

    private static PrefixMatch prefixMatch(JsonNode route, int rulen, JsonNode m, int matchn, FieldPath path) {
        String prefix = text(get(m, "uri"), "prefix");
        if (prefix.isEmpty()) {
            return null;
        }
        String method = exactOrPrefix(get(m, "method"));
        return new PrefixMatch(routeName(route, rulen, "http"), matchName(m, matchn, "http"), path, prefix, integer(m, "port"),
                method.isEmpty() ? "exact:GET" : method, exactOrPrefix(get(m, "authority")),
                exactOrPrefixMap(m, "headers"), exactOrPrefixMap(m, "queryParams"), exactOrPrefixMap(m, "withoutHeaders"));
    }

    private static boolean mapCovered(Map<String, String> a, Map<String, String> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : a.entrySet()) {
            String other = b.get(e.getKey());
            if (other == null || (!e.getValue().equals(other) && !e.getValue().startsWith(other))) {
                return false;
            }
        }
        return true;
    }

    /** istiod's coveredValidation: does the earlier match {@code a} catch everything the later {@code b} would? */
    private static boolean covered(PrefixMatch a, PrefixMatch b) {
        return b.prefix().startsWith(a.prefix()) && a.port() == b.port()
                && (a.method().equals(b.method()) || a.method().startsWith(b.method()))
                && (a.authority().equals(b.authority()) || a.authority().startsWith(b.authority()))
                && mapCovered(a.headers(), b.headers()) && mapCovered(a.params(), b.params())
                && mapCovered(a.without(), b.without());
    }

    /** istiod's requestName: an HTTP match's quoted name, else "#j" (TCP and TLS matches have no names). */
    private static String matchName(JsonNode m, int j, String field) {
        return field.equals("http") && m != null && m.hasNonNull("name") && !m.get("name").asText().isEmpty()
                ? "\"" + m.get("name").asText() + "\"" : "#" + j;
    }

    /**
     * istiod's analyzeUnreachable{HTTP,TCP,TLS}Rules. istiod returns these as webhook warnings that istioctl analyze
     * reports as IST0130 (VirtualServiceUnreachableRule) and IST0131 (VirtualServiceIneffectiveMatch); meshcd
     * reports them once, with those codes.
     */
    private static void unreachable(Findings f, JsonNode routes, String field) {
        java.util.List<PrefixMatch> prefixes = new java.util.ArrayList<>();
        Map<JsonNode, Integer> seen = new HashMap<>();
        int emptyMatch = -1;
        for (int i = 0; i < routes.size(); i++) {
            JsonNode route = routes.get(i);
            if (route == null || !route.isObject()) {
                continue;
            }
            FieldPath rp = SPEC.key(field).index(i);
            String name = routeName(route, i, field);
            JsonNode matches = list(route, "match");
            if (matches.isEmpty()) {
                if (emptyMatch >= 0) {
                    f.istio("IST0130", rp, name, "only the last rule can have no matches");
                }
                emptyMatch = i;
                continue;
            }
            int dups = 0;
            for (int j = 0; j < matches.size(); j++) {
                JsonNode m = matches.get(j);
                if (emptyMatch >= 0) {
                    // istiod reports this once per match of the rule
                    f.istio("IST0130", rp.key("match").index(j), name, "route without matches defined before");
                    continue;
                }
                JsonNode key = m;
                if (field.equals("http") && m instanceof ObjectNode o && o.has("name")) {
                    ObjectNode copy = o.deepCopy();
                    copy.remove("name");
                    key = copy;
                }
                Integer prior = seen.get(key);
                if (prior != null) {
                    f.istio("IST0131", rp.key("match").index(j), name, matchName(m, j, field),
                            routeName(routes.get(prior), prior, field));
                    dups++;
                    continue;
                }
                seen.put(key, i);
                if (field.equals("http") && m.isObject()) {
                    PrefixMatch pm = prefixMatch(route, i, m, j, rp.key("match").index(j));
                    if (pm != null) {
                        prefixes.add(pm);
                    }
                }
            }
            if (dups == matches.size()) {
                f.istio("IST0130", rp, name, "all matches used by prior rules");
            }
        }
        // istiod compares every pair of prefix matches; a later one can only be covered by an earlier one whose
        // prefix begins it, so only those are compared (found by the hash of each leading part of the later
        // prefix): linear in the prefixes' length, not quadratic in their number (a 3 MiB VirtualService of
        // 37,000 routes took minutes pairwise).
        Map<Long, java.util.List<Integer>> earlier = new HashMap<>();
        java.util.BitSet lengths = new java.util.BitSet();
        for (int b = 0; b < prefixes.size(); b++) {
            PrefixMatch later = prefixes.get(b);
            String s = later.prefix();
            java.util.List<Integer> candidates = new java.util.ArrayList<>();
            int h = 0;
            for (int k = 1; k < s.length(); k++) { // proper leading parts: an equal prefix is never reported
                h = 31 * h + s.charAt(k - 1);
                if (lengths.get(k)) {
                    for (int a : earlier.getOrDefault(prefixKey(k, h), java.util.List.of())) {
                        if (s.startsWith(prefixes.get(a).prefix())) {
                            candidates.add(a);
                        }
                    }
                }
            }
            java.util.Collections.sort(candidates);
            for (int a : candidates) {
                PrefixMatch first = prefixes.get(a);
                if (covered(first, later)) {
                    f.istio("IST0131", later.path(), later.route(), later.match() + " of prefix " + later.prefix(),
                            first.match() + " of prefix " + first.prefix() + " on " + first.route());
                }
            }
            earlier.computeIfAbsent(prefixKey(s.length(), s.hashCode()), x -> new java.util.ArrayList<>()).add(b);
            lengths.set(s.length());
        }
    }

    private static long prefixKey(int length, int hash) {
        return ((long) length << 32) | (hash & 0xffffffffL);
    }

    private static String routeName(JsonNode route, int i, String field) {
        if (field.equals("http") && !text(route, "name").isEmpty()) {
            return "\"" + text(route, "name") + "\"";
        }
        return "#" + i;
    }
}
