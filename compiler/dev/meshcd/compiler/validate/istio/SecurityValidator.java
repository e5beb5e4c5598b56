package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.size;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Pattern;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** istiod's ValidateAuthorizationPolicy, ValidatePeerAuthentication and ValidateRequestAuthentication. */
public final class SecurityValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SOURCE_FIELDS = {"principals", "requestPrincipals", "namespaces", "ipBlocks",
            "remoteIpBlocks", "notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks",
            "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains"};
    private static final String[] TCP_SOURCE_FIELDS = {"principals", "notPrincipals", "ipBlocks", "notIpBlocks",
            "namespaces", "notNamespaces", "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts", "notServiceAccounts"};
    private static final String[] OPERATION_FIELDS = {"ports", "methods", "paths", "hosts", "notPorts", "notMethods",
            "notPaths", "notHosts"};
    private static final Pattern UNSUPPORTED_PATH_TEMPLATE = Pattern.compile("\\/{\\w+\\=\\*[*]?\\}|{\\w*\\}|\\/\\*[*]?|\\*[*]?\\/");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (r.is(Kind.AUTHORIZATION_POLICY)) {
            authorizationPolicy(new Findings(r, sink), r.spec());
        } else if (r.is(Kind.PEER_AUTHENTICATION)) {
            peerAuthentication(new Findings(r, sink), r.spec());
        } else if (r.is(Kind.REQUEST_AUTHENTICATION)) {
            requestAuthentication(new Findings(r, sink), r.spec());
        }
    }

    // ------------------------------------------------------------------ AuthorizationPolicy

    private static void authorizationPolicy(Findings f, JsonNode spec) {
        Common.policyTargets(f, spec, SPEC);
        String action = text(spec, "action");
        if (action.isEmpty()) {
            action = "ALLOW";
        }
        boolean rulesNil = size(spec, "rules") == 0;
        JsonNode rules = list(spec, "rules");
        if (action.equals("CUSTOM")) {
            if (rulesNil) {
                f.error(SPEC.key("rules"), "CUSTOM action without `rules` is meaningless as it will never be triggered, "
                        + "add an empty rule `{}` if you want it be triggered for every request");
            } else if (text(get(spec, "provider"), "name").isEmpty()) {
                f.error(SPEC.key("provider").key("name"), "`provider.name` must not be empty");
            }
            for (int i = 0; i < rules.size(); i++) {
                FieldPath rp = SPEC.key("rules").index(i);
                JsonNode from = list(rules.get(i), "from");
                for (int j = 0; j < from.size(); j++) {
                    JsonNode src = get(from.get(j), "source");
                    FieldPath sp = rp.key("from").index(j).key("source");
                    for (String field : new String[]{"namespaces", "notNamespaces", "serviceAccounts",
                            "notServiceAccounts", "trustDomains", "notTrustDomains", "principals", "notPrincipals",
                            "requestPrincipals", "notRequestPrincipals"}) {
                        if (size(src, field) != 0) {
                            f.error(sp.key(field), "From." + Character.toUpperCase(field.charAt(0)) + field.substring(1)
                                    + " is currently not supported with CUSTOM action");
                        }
                    }
                }
                JsonNode when = list(rules.get(i), "when");
                for (int j = 0; j < when.size(); j++) {
                    String key = text(when.get(j), "key");
                    if (key.equals("source.namespace") || key.equals("source.serviceAccount")
                            || key.equals("source.trustDomain") || key.equals("source.principal")
                            || key.startsWith("request.auth.")) {
                        f.error(rp.key("when").index(j).key("key"), key + " is currently not supported with CUSTOM action");
                    }
                }
            }
        }
        if (has(spec, "provider") && !action.equals("CUSTOM")) {
            f.error(SPEC.key("provider"), "`provider` must not be with non CUSTOM action, found " + action);
        }
        if (action.equals("DENY") && rulesNil) {
            f.error(SPEC.key("rules"), "DENY action without `rules` is meaningless as it will never be triggered, "
                    + "add an empty rule `{}` if you want it be triggered for every request");
        }
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            FieldPath rp = SPEC.key("rules").index(i);
            if (rule == null || !rule.isObject()) {
                f.error(rp, "`rule` must not be nil, found at rule " + i);
                continue;
            }
            boolean tcpInFrom = false;
            boolean tcpInTo = false;
            boolean fromExists = false;
            boolean toExists = false;
            JsonNode from = list(rule, "from");
            for (int j = 0; j < from.size(); j++) {
                FieldPath fp = rp.key("from").index(j);
                JsonNode src = get(from.get(j), "source");
                if (src == null) {
                    f.error(fp.key("source"), "`from.source` must not be nil, found at rule " + i);
                    continue;
                }
                fromExists = true;
                FieldPath sp = fp.key("source");
                boolean any = false;
                for (String field : SOURCE_FIELDS) {
                    any |= size(src, field) > 0;
                }
                if (!any) {
                    f.error(sp, "`from.source` must not be empty, found at rule " + i);
                }
                if (size(src, "principals") + size(src, "notPrincipals") + size(src, "namespaces")
                        + size(src, "notNamespaces") > 0 && size(src, "serviceAccounts") + size(src, "notServiceAccounts") > 0) {
                    f.error(sp, "cannot set serviceAccounts with namespaces or principals, found at rule " + i);
                }
                for (String field : new String[]{"ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"}) {
                    ips(f, src, field, sp);
                }
                for (String field : SOURCE_FIELDS) {
                    String label = Character.toUpperCase(field.charAt(0)) + field.substring(1);
                    List<String> values = strings(list(src, field));
                    Optional<String> problem = switch (field) {
                        case "serviceAccounts", "notServiceAccounts" -> serviceAccounts(label, values);
                        case "trustDomains", "notTrustDomains" -> trustDomains(label, values);
                        default -> Optional.empty();
                    };
                    if (problem.isPresent()) {
                        f.error(sp.key(field), problem.get());
                    } else {
                        emptyValues(f, src, field, sp);
                    }
                }
                for (String field : TCP_SOURCE_FIELDS) {
                    tcpInFrom |= has(src, field);
                }
            }
            JsonNode to = list(rule, "to");
            for (int j = 0; j < to.size(); j++) {
                FieldPath tp = rp.key("to").index(j);
                JsonNode op = get(to.get(j), "operation");
                if (op == null) {
                    f.error(tp.key("operation"), "`to.operation` must not be nil, found at rule " + i);
                    continue;
                }
                toExists = true;
                FieldPath opp = tp.key("operation");
                boolean any = false;
                for (String field : OPERATION_FIELDS) {
                    any |= size(op, field) > 0;
                }
                if (!any) {
                    f.error(opp, "`to.operation` must not be empty, found at rule " + i);
                }
                ports(f, op, "ports", opp);
                ports(f, op, "notPorts", opp);
                for (String field : OPERATION_FIELDS) {
                    emptyValues(f, op, field, opp);
                }
                pathTemplates(f, op, "paths", opp);
                pathTemplates(f, op, "notPaths", opp);
                tcpInTo |= has(op, "ports") || has(op, "notPorts");
            }
            JsonNode when = list(rule, "when");
            for (int j = 0; j < when.size(); j++) {
                JsonNode c = when.get(j);
                FieldPath cp = rp.key("when").index(j);
                String key = text(c, "key");
                if (key.isEmpty()) {
                    f.error(cp.key("key"), "`key` must not be empty");
                    continue;
                }
                if (size(c, "values") == 0 && size(c, "notValues") == 0) {
                    f.error(cp, "at least one of `values` or `notValues` must be set for key " + key);
                    continue;
                }
                attribute(key, list(c, "values"))
                        .ifPresent(err -> f.error(cp.key("values"), "invalid `value` for `key` " + key + ": " + err));
                attribute(key, list(c, "notValues"))
                        .ifPresent(err -> f.error(cp.key("notValues"), "invalid `notValue` for `key` " + key + ": " + err));
            }
            if (((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo)) && action.equals("DENY")) {
                f.warn(ValidationWarning.DENY_HTTP_ONLY_ON_TCP, rp,
                        "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the "
                        + "use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port");
            }
        }
    }

    private static void emptyValues(Findings f, JsonNode node, String field, FieldPath p) {
        JsonNode values = list(node, field);
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).asText().isEmpty()) {
                f.error(p.key(field).index(i), "empty value not allowed, found in "
                        + Character.toUpperCase(field.charAt(0)) + field.substring(1));
                return;
            }
        }
    }

    private static void ips(Findings f, JsonNode node, String field, FieldPath p) {
        JsonNode values = list(node, field);
        for (int i = 0; i < values.size(); i++) {
            f.check(p.key(field).index(i), ipOrCidr(values.get(i).asText()));
        }
    }

    private static Optional<String> ipOrCidr(String v) {
        if (v.contains("/")) {
            return Checks.isCidr(v) ? Optional.empty() : Optional.of("bad CIDR range (" + v + ")");
        }
        return Checks.isIpAddress(v) ? Optional.empty() : Optional.of("bad IP address (" + v + ")");
    }

    private static void ports(Findings f, JsonNode node, String field, FieldPath p) {
        JsonNode values = list(node, field);
        for (int i = 0; i < values.size(); i++) {
            f.check(p.key(field).index(i), portString(values.get(i).asText()));
        }
    }

    private static Optional<String> portString(String port) {
        boolean digits = !port.isEmpty() && port.length() <= 10;
        for (int i = 0; i < port.length() && digits; i++) {
            digits = Character.isDigit(port.charAt(i)) && port.charAt(i) < 128;
        }
        if (!digits || Long.parseLong(port) > 65535) {
            return Optional.of("bad port (" + port + ")");
        }
        return Optional.empty();
    }

    private static void pathTemplates(Findings f, JsonNode node, String field, FieldPath p) {
        JsonNode values = list(node, field);
        for (int i = 0; i < values.size(); i++) {
            String path = values.get(i).asText();
            if ((path.contains("{*}") || path.contains("{**}")) && UNSUPPORTED_PATH_TEMPLATE.matcher(path).find()) {
                f.error(p.key(field).index(i), "invalid or unsupported path template, found in "
                        + Character.toUpperCase(field.charAt(0)) + field.substring(1));
                return;
            }
        }
    }

    /** security.ValidateAttribute: the condition keys istiod knows and their value formats. */
    static Optional<String> attribute(String key, JsonNode values) {
        for (JsonNode v : values) {
            if (v.asText().isEmpty()) {
                return Optional.of("empty value not allowed, found in " + key);
            }
        }
        if (key.startsWith("request.headers") || key.startsWith("request.auth.claims")
                || key.startsWith("experimental.envoy.filters.")) {
            return mapKey(key);
        }
        return switch (key) {
            case "source.ip", "remote.ip", "destination.ip" -> firstError(values, SecurityValidator::ipOrCidr);
            case "destination.port" -> firstError(values, SecurityValidator::portString);
            case "source.serviceAccount" -> serviceAccounts(key, strings(values));
            case "source.trustDomain" -> wildcardValues(key, strings(values));
            case "source.namespace", "source.principal", "request.auth.principal", "request.auth.audiences",
                    "request.auth.presenter", "connection.sni" -> Optional.empty();
            case "destination.namespace" -> Optional.of("attribute " + key + " is replaced by the metadata.namespace");
            case "destination.name", "destination.user" ->
                    Optional.of("deprecated attribute " + key + ": only supported in v1alpha1");
            default -> Optional.of(key.startsWith("destination.labels")
                    ? "attribute " + key + " is replaced by the workload selector"
                    : "unknown attribute: " + key);
        };
    }

    private static List<String> strings(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** security.CheckServiceAccount: "sa" or "namespace/sa", no wildcards, at most 16 values of 320 characters. */
    static Optional<String> serviceAccounts(String key, List<String> values) {
        if (values.size() > 16) {
            return Optional.of("may not have more than 16 values");
        }
        String format = "expected format 'serviceAccount' or 'namespace/serviceAccount', found ";
        for (String v : values) {
            if (v.isEmpty()) {
                return Optional.of("empty value not allowed, found in " + key);
            }
            if (v.contains("*")) {
                return Optional.of("wildcard not allowed, found in " + key);
            }
            int slashes = v.length() - v.replace("/", "").length();
            if (slashes > 1) {
                return Optional.of(format + quote(v) + " in " + key);
            }
            if (v.length() > 320) {
                return Optional.of("value cannot exceed 320 characters, found " + quote(v) + " in " + key);
            }
            if (slashes == 1 && v.startsWith("/")) {
                return Optional.of(format + "empty namespace " + quote(v) + " in " + key);
            }
            if (slashes == 1 && v.endsWith("/")) {
                return Optional.of(format + "empty serviceAccount " + quote(v) + " in " + key);
            }
        }
        return Optional.empty();
    }

    /** As Go's %q. */
    private static String quote(String v) {
        return dev.meshcd.compiler.analyze.Messages.format("%q", v);
    }

    /** security.CheckWildcardValues: non-empty, at most one "*", at the start or the end. */
    static Optional<String> wildcardValues(String key, List<String> values) {
        for (String v : values) {
            if (v.isEmpty()) {
                return Optional.of("empty value not allowed, found in " + key);
            }
        }
        for (String v : values) {
            int stars = v.length() - v.replace("*", "").length();
            if (stars > 1) {
                return Optional.of("at most one wildcard is allowed, found in " + key + ": " + quote(v));
            }
            if (stars == 1 && !v.equals("*") && !v.startsWith("*") && !v.endsWith("*")) {
                return Optional.of("wildcard is only allowed at the start or end, found in " + key + ": "
                        + quote(v));
            }
        }
        return Optional.empty();
    }

    /** security.CheckTrustDomainValues: wildcard values without "/". */
    static Optional<String> trustDomains(String key, List<String> values) {
        Optional<String> wildcard = wildcardValues(key, values);
        if (wildcard.isPresent()) {
            return wildcard;
        }
        for (String v : values) {
            if (v.contains("/")) {
                return Optional.of("trust domain must not contain '/', found in " + key + ": " + quote(v));
            }
        }
        return Optional.empty();
    }

    /** The error of the first value that fails {@code check}, if any. */
    private static Optional<String> firstError(JsonNode values, Function<String, Optional<String>> check) {
        for (JsonNode v : values) {
            Optional<String> err = check.apply(v.asText());
            if (err.isPresent()) {
                return err;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mapKey(String key) {
        int open = key.indexOf('[');
        if (key.endsWith("]") && open > 0 && open < key.length() - 2) {
            return Optional.empty();
        }
        return Optional.of("bad key (" + key + "): should have format a[b]");
    }

    // ------------------------------------------------------------------ PeerAuthentication

    private static void peerAuthentication(Findings f, JsonNode spec) {
        JsonNode sel = get(spec, "selector");
        boolean emptySelector = sel == null || size(sel, "matchLabels") == 0;
        JsonNode plm = get(spec, "portLevelMtls");
        FieldPath pp = SPEC.key("portLevelMtls");
        if (plm != null) {
            if (emptySelector && plm.size() != 0) {
                f.error(pp, "mesh/namespace peer authentication cannot have port level mTLS");
            }
            if (plm.isObject() && plm.isEmpty()) {
                f.error(pp, "port level mTLS, if defined, must have at least one element");
            }
            for (Map.Entry<String, JsonNode> e : Nodes.entries(spec, "portLevelMtls")) {
                String k = e.getKey();
                long port = Nodes.isInteger(k) && k.length() < 12 ? Long.parseLong(k) : -1;
                if (port <= 0 || port > 65535) {
                    f.error(pp.key(k), "port must be in range 1..65535");
                }
            }
        }
        Common.workloadSelector(f, spec, "selector", SPEC);
    }

    // ------------------------------------------------------------------ RequestAuthentication

    private static void requestAuthentication(Findings f, JsonNode spec) {
        Common.policyTargets(f, spec, SPEC);
        JsonNode rules = list(spec, "jwtRules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            if (rule == null || !rule.isObject()) {
                continue;
            }
            jwtRule(f, rule, SPEC.key("jwtRules").index(i));
        }
    }

    private static void jwtRule(Findings f, JsonNode rule, FieldPath p) {
        if (text(rule, "issuer").isEmpty()) {
            f.error(p.key("issuer"), "issuer must be set");
        }
        JsonNode aud = list(rule, "audiences");
        for (int i = 0; i < aud.size(); i++) {
            if (aud.get(i).asText().isEmpty()) {
                f.error(p.key("audiences").index(i), "audience must be non-empty string");
            }
        }
        String uri = text(rule, "jwksUri");
        if (!uri.isEmpty()) {
            String scheme = scheme(uri);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                f.error(p.key("jwksUri"), "URI scheme \"" + scheme + "\" is not supported");
            }
        }
        String jwks = text(rule, "jwks");
        if (!jwks.isEmpty()) {
            jwksError(jwks).ifPresent(err -> f.error(p.key("jwks"), "jwks parse error: " + err));
        }
        JsonNode fromHeaders = list(rule, "fromHeaders");
        for (int i = 0; i < fromHeaders.size(); i++) {
            JsonNode h = fromHeaders.get(i);
            if (h == null || h.isNull()) {
                f.error(p.key("fromHeaders").index(i), "location header name must be non-null");
            } else if (text(h, "name").isEmpty()) {
                f.error(p.key("fromHeaders").index(i).key("name"), "location header name must be non-empty string");
            }
        }
        JsonNode params = list(rule, "fromParams");
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).asText().isEmpty()) {
                f.error(p.key("fromParams").index(i), "location query must be non-empty string");
            }
        }
        JsonNode cookies = list(rule, "fromCookies");
        for (int i = 0; i < cookies.size(); i++) {
            if (cookies.get(i).asText().isEmpty()) {
                f.error(p.key("fromCookies").index(i), "cookie name must be non-empty string");
            }
        }
        JsonNode outputs = list(rule, "outputClaimToHeaders");
        for (int i = 0; i < outputs.size(); i++) {
            JsonNode o = outputs.get(i);
            FieldPath op = p.key("outputClaimToHeaders").index(i);
            if (o == null || o.isNull()) {
                f.error(op, "outputClaimToHeaders must not be null");
                continue;
            }
            if (text(o, "claim").isEmpty() || text(o, "header").isEmpty()) {
                f.error(op, "outputClaimToHeaders header and claim value must be non-empty string");
                continue;
            }
            f.check(op.key("header"), Checks.headerName(text(o, "header")));
        }
        Common.duration(f, rule, "timeout", p);
    }

    /** Go's url.Parse scheme: letters first, then letters, digits, '+', '-', '.', up to the first ':'. */
    static String scheme(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (Character.isLetter(c) && c < 128) {
                continue;
            }
            if (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                continue;
            }
            if (c == ':' && i > 0) {
                return uri.substring(0, i).toLowerCase(java.util.Locale.ROOT);
            }
            return "";
        }
        return "";
    }

    private static Optional<String> jwksError(String jwks) {
        JsonNode node;
        try {
            node = JSON.readTree(jwks);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Optional.of("failed to unmarshal JWK set: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return Optional.of("failed to unmarshal JWK set: not a JSON object");
        }
        return Optional.empty();
    }
}
