package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.source.FieldPath;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Validation pieces istiod shares between several kinds. */
final class Common {
    private Common() {
    }

    /** labels.Instance.Validate on a map field. */
    static void labels(Findings f, JsonNode parent, String field, FieldPath path) {
        for (Map.Entry<String, JsonNode> e : Nodes.entries(parent, field)) {
            FieldPath p = path.key(field).key(e.getKey());
            f.check(p, Checks.labelKey(e.getKey()));
            f.check(p, Checks.labelValue(e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
    }

    /** v1beta1 WorkloadSelector ({@code selector.matchLabels}). */
    static void workloadSelector(Findings f, JsonNode spec, String field, FieldPath path) {
        JsonNode sel = get(spec, field);
        if (sel == null) {
            return;
        }
        FieldPath sp = path.key(field);
        JsonNode ml = get(sel, "matchLabels");
        if (ml == null || ml.isEmpty()) {
            f.warn(ValidationWarning.SELECTOR_WITHOUT_LABELS, sp, "workload selector specified without labels");
            return;
        }
        selectorEntries(f, sel, "matchLabels", sp);
    }

    /** v1alpha3 WorkloadSelector ({@code workloadSelector.labels}); empty labels warn with {@code what}. */
    static boolean alphaWorkloadSelector(Findings f, JsonNode spec, FieldPath path, String what) {
        JsonNode sel = get(spec, "workloadSelector");
        if (sel == null) {
            return true;
        }
        FieldPath sp = path.key("workloadSelector");
        int before = f.errors();
        selectorEntries(f, sel, "labels", sp);
        JsonNode labels = get(sel, "labels");
        if (f.errors() == before && (labels == null || labels.isEmpty())) {
            f.warn(ValidationWarning.SELECTOR_WITHOUT_LABELS, sp,
                    what + ": workload selector specified without labels, will be applied to all services in namespace");
        }
        return f.errors() == before;
    }

    private static void selectorEntries(Findings f, JsonNode sel, String field, FieldPath sp) {
        for (Map.Entry<String, JsonNode> e : Nodes.entries(sel, field)) {
            String k = e.getKey();
            String v = e.getValue().asText();
            FieldPath p = sp.key(field).key(k);
            if (k.isEmpty()) {
                f.error(p, "empty key is not supported in selector: \"" + k + "=" + v + "\"");
            }
            if (k.contains("*") || v.contains("*")) {
                f.error(p, "wildcard is not supported in selector: \"" + k + "=" + v + "\"");
            }
        }
    }

    /** Only one of selector, targetRef and targetRefs; each targetRef names a Service, ServiceEntry or Gateway here. */
    static void policyTargets(Findings f, JsonNode spec, FieldPath path) {
        int set = 0;
        if (has(spec, "selector")) {
            set++;
        }
        if (has(spec, "targetRef")) {
            set++;
        }
        if (Nodes.size(spec, "targetRefs") > 0) {
            set++;
        }
        if (set > 1) {
            f.error(path.key("targetRefs"), "only one of targetRefs or workloadSelector can be set");
        }
        workloadSelector(f, spec, "selector", path);
        JsonNode single = get(spec, "targetRef");
        if (single != null) {
            targetRef(f, single, path.key("targetRef"));
        }
        JsonNode refs = Nodes.list(spec, "targetRefs");
        for (int i = 0; i < refs.size(); i++) {
            targetRef(f, refs.get(i), path.key("targetRefs").index(i));
        }
    }

    private static void targetRef(Findings f, JsonNode ref, FieldPath p) {
        if (ref == null || ref.isNull()) {
            return;
        }
        if (text(ref, "name").isEmpty()) {
            f.error(p.key("name"), "targetRef name must be set");
        }
        if (!text(ref, "namespace").isEmpty()) {
            f.error(p.key("namespace"), "targetRef namespace must not be set; cross namespace referencing is not supported");
        }
        String group = text(ref, "group");
        String kind = text(ref, "kind");
        boolean ok = (group.isEmpty() || group.equals("core")) && kind.equals("Service")
                || group.equals("networking.istio.io") && kind.equals("ServiceEntry")
                || group.equals("gateway.networking.k8s.io") && (kind.equals("Gateway") || kind.equals("GatewayClass"));
        if (!ok) {
            f.error(p.key("kind"), "targetRef must be to one of [core/Service networking.istio.io/ServiceEntry "
                    + "gateway.networking.k8s.io/Gateway] but was " + group + "/" + kind);
        }
    }

    /** exportTo: no duplicates, "*" alone, "~" only alone (and only for ServiceEntry), namespaces DNS labels. */
    static void exportTo(Findings f, JsonNode spec, FieldPath path, String namespace, boolean serviceEntry,
                         boolean drWithSelector) {
        JsonNode list = Nodes.list(spec, "exportTo");
        if (list.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String e = list.get(i).asText();
            FieldPath p = path.key("exportTo").index(i);
            String key = e.equals(".") ? namespace : e;
            if (seen.contains(key)) {
                f.error(p, key.equals(e) ? "duplicate entries in exportTo for entry " + e
                        : "duplicate entries in exportTo: . and current namespace " + namespace);
                continue;
            }
            if (serviceEntry && e.equals("~")) {
                seen.add(key);
            } else if (!key.equals("*") && !key.equals("~") && !Checks.isDns1123Label(key)) {
                f.error(p, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry, found " + e);
            } else if (key.equals("~")) {
                f.error(p, "exportTo ~ (none) is not allowed for Istio configuration objects");
            } else {
                seen.add(key);
            }
        }
        FieldPath p = path.key("exportTo");
        if (drWithSelector && !seen.isEmpty()) {
            if (seen.contains(namespace)) {
                if (seen.size() > 1) {
                    f.error(p, "destination rule with workload selector cannot have multiple entries in exportTo");
                }
            } else {
                f.error(p, "destination rule with workload selector cannot have exportTo beyond current namespace");
            }
        }
        if (seen.contains("*") && list.size() > 1) {
            f.error(p, "cannot have both public (*) and non-public exportTo values for a resource");
        }
        if (seen.contains("~") && list.size() > 1) {
            f.error(p, "cannot export service entry to no one (~) and someone");
        }
    }

    /** A duration field: at least 1ms, ms precision. */
    static void duration(Findings f, JsonNode parent, String field, FieldPath path) {
        JsonNode d = get(parent, field);
        if (d != null) {
            f.check(path.key(field), Checks.duration(d.asText()));
        }
    }

    /** A route destination: host (not "*"), subset name, port. */
    static void destination(Findings f, JsonNode dest, FieldPath p) {
        if (dest == null) {
            return;
        }
        String host = text(dest, "host");
        if (host.equals("*")) {
            f.error(p.key("host"), "invalid destination host " + host);
        } else {
            f.check(p.key("host"), Checks.wildcardDomain(host));
        }
        String subset = text(dest, "subset");
        if (!subset.isEmpty()) {
            f.check(p.key("subset"), subsetName(subset));
        }
        JsonNode port = get(dest, "port");
        if (port != null) {
            f.check(p.key("port").key("number"), Checks.port(integer(port, "number")));
        }
    }

    static Optional<String> subsetName(String name) {
        if (name.isEmpty()) {
            return Optional.of("subset name cannot be empty");
        }
        return Checks.isDns1123Label(name) ? Optional.empty() : Optional.of("subset name is invalid: " + name);
    }

    // ------------------------------------------------------------------ TLS

    private static final Set<String> CIPHERS = Set.of("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
            "ECDHE-RSA-AES256-SHA", "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA");

    static boolean validCipher(String cs) {
        if (cs.isEmpty() || cs.equals("ALL")) {
            return true;
        }
        if (!Character.isLetterOrDigit(cs.charAt(0))) {
            return true;
        }
        return CIPHERS.contains(cs);
    }

    /** Server-side TLS (Gateway servers, Sidecar ingress). */
    static void serverTls(Findings f, JsonNode tls, FieldPath p) {
        if (tls == null) {
            return;
        }
        String min = text(tls, "minProtocolVersion");
        if ((min.equals("TLSV1_0") || min.equals("TLSV1_1")) && Nodes.size(tls, "cipherSuites") == 0) {
            f.warn(ValidationWarning.TLS_OLD_VERSION_WITHOUT_CIPHERS, p.key("minProtocolVersion"),
                    "TLS version below TLSV1_2 require setting compatible ciphers as by "
                    + "default they no longer include compatible ciphers.");
        }
        Set<String> valid = new HashSet<>();
        Set<String> invalid = new java.util.TreeSet<>();
        Set<String> dup = new java.util.TreeSet<>();
        for (JsonNode c : Nodes.list(tls, "cipherSuites")) {
            String cs = c.asText();
            if (!validCipher(cs)) {
                invalid.add(cs);
            } else if (!valid.add(cs)) {
                dup.add(cs);
            }
        }
        if (!invalid.isEmpty()) {
            f.warn(ValidationWarning.TLS_INVALID_CIPHERS, p.key("cipherSuites"),
                    "ignoring invalid cipher suites: " + invalid);
        }
        if (!dup.isEmpty()) {
            f.warn(ValidationWarning.TLS_DUPLICATE_CIPHERS, p.key("cipherSuites"),
                    "ignoring duplicate cipher suites: " + dup);
        }
        String mode = text(tls, "mode");
        if (mode.isEmpty()) {
            mode = "PASSTHROUGH"; // the enum's zero value
        }
        String cert = text(tls, "serverCertificate");
        String key = text(tls, "privateKey");
        String ca = text(tls, "caCertificates");
        String cred = text(tls, "credentialName");
        String crl = text(tls, "caCrl");
        boolean creds = Nodes.size(tls, "credentialNames") > 0 || !cred.isEmpty();
        if (mode.equals("ISTIO_MUTUAL")) {
            if (!cert.isEmpty()) {
                f.error(p.key("serverCertificate"), "ISTIO_MUTUAL TLS cannot have associated server certificate");
            }
            if (!key.isEmpty()) {
                f.error(p.key("privateKey"), "ISTIO_MUTUAL TLS cannot have associated private key");
            }
            if (!ca.isEmpty()) {
                f.error(p.key("caCertificates"), "ISTIO_MUTUAL TLS cannot have associated CA bundle");
            }
            if (!cred.isEmpty()) {
                f.error(p.key("credentialName"), "ISTIO_MUTUAL TLS cannot have associated credentialName");
            }
            return;
        }
        if (mode.equals("PASSTHROUGH") || mode.equals("AUTO_PASSTHROUGH")) {
            if (!crl.isEmpty() || !cert.isEmpty() || !key.isEmpty() || !ca.isEmpty() || !cred.isEmpty()) {
                f.warn(ValidationWarning.TLS_CERTIFICATES_IGNORED, p.key("mode"),
                        mode + " mode does not use certificates, they will be ignored");
            }
        }
        boolean simpleOrMutual = mode.equals("SIMPLE") || mode.equals("MUTUAL") || mode.equals("OPTIONAL_MUTUAL");
        if (simpleOrMutual && creds) {
            return;
        }
        if (mode.equals("SIMPLE")) {
            if (cert.isEmpty()) {
                f.error(p.key("serverCertificate"), "SIMPLE TLS requires a server certificate");
            }
            if (key.isEmpty()) {
                f.error(p.key("privateKey"), "SIMPLE TLS requires a private key");
            }
        } else if (mode.equals("MUTUAL") || mode.equals("OPTIONAL_MUTUAL")) {
            if (cert.isEmpty()) {
                f.error(p.key("serverCertificate"), "MUTUAL TLS requires a server certificate");
            }
            if (key.isEmpty()) {
                f.error(p.key("privateKey"), "MUTUAL TLS requires a private key");
            }
            if (ca.isEmpty()) {
                f.error(p.key("caCertificates"), "MUTUAL TLS requires a client CA bundle");
            }
        }
        if (!crl.isEmpty()) {
            if (!cred.isEmpty()) {
                f.error(p.key("caCrl"), "CRL is not supported with credentialName. CRL has to be specified in the credential");
            }
            if (mode.equals("SIMPLE")) {
                f.error(p.key("caCrl"), "CRL is not supported with SIMPLE TLS");
            }
        }
    }

    /** Client-side TLS (DestinationRule trafficPolicy.tls). */
    static void clientTls(Findings f, JsonNode tls, FieldPath p) {
        if (tls == null) {
            return;
        }
        String mode = text(tls, "mode");
        String cred = text(tls, "credentialName");
        boolean sans = has(tls, "subjectAltNames");
        if (Nodes.bool(tls, "insecureSkipVerify")) {
            if (mode.equals("SIMPLE") && (!text(tls, "caCertificates").isEmpty() || !cred.isEmpty() || sans)) {
                f.error(p.key("insecureSkipVerify"), "cannot specify CaCertificates or CredentialName or SubjectAltNames "
                        + "when InsecureSkipVerify is set true");
            }
            if (mode.equals("MUTUAL") && (!text(tls, "caCertificates").isEmpty() || sans)) {
                f.error(p.key("insecureSkipVerify"), "cannot specify CaCertificates or SubjectAltNames when "
                        + "InsecureSkipVerify is set true");
            }
        }
        if ((mode.equals("SIMPLE") || mode.equals("MUTUAL")) && !cred.isEmpty()) {
            if (!text(tls, "clientCertificate").isEmpty() || !text(tls, "caCertificates").isEmpty()
                    || !text(tls, "privateKey").isEmpty() || !text(tls, "caCrl").isEmpty()) {
                f.error(p.key("credentialName"), "cannot specify client certificates or CA certificate or CA CRL If "
                        + "credentialName is set");
            }
            return;
        }
        if (mode.equals("MUTUAL")) {
            if (text(tls, "clientCertificate").isEmpty()) {
                f.error(p.key("clientCertificate"), "client certificate required for mutual tls");
            }
            if (text(tls, "privateKey").isEmpty()) {
                f.error(p.key("privateKey"), "private key required for mutual tls");
            }
        }
    }

    // ------------------------------------------------------------------ connection pool

    static void connectionPool(Findings f, JsonNode cp, FieldPath p) {
        if (cp == null) {
            return;
        }
        JsonNode http = get(cp, "http");
        JsonNode tcp = get(cp, "tcp");
        if (http == null && tcp == null) {
            f.error(p, "connection pool must have at least one field");
            return;
        }
        if (http != null) {
            FieldPath hp = p.key("http");
            nonNegative(f, http, "http1MaxPendingRequests", hp, "http1 max pending requests must be non-negative");
            nonNegative(f, http, "http2MaxRequests", hp, "http2 max requests must be non-negative");
            nonNegative(f, http, "maxRequestsPerConnection", hp, "max requests per connection must be non-negative");
            nonNegative(f, http, "maxRetries", hp, "max retries must be non-negative");
            nonNegative(f, http, "maxConcurrentStreams", hp, "max concurrent streams must be non-negative");
            duration(f, http, "idleTimeout", hp);
            if (text(http, "h2UpgradePolicy").equals("UPGRADE") && Nodes.bool(http, "useClientProtocol")) {
                f.error(hp.key("useClientProtocol"), "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
            }
        }
        if (tcp != null) {
            FieldPath tp = p.key("tcp");
            nonNegative(f, tcp, "maxConnections", tp, "max connections must be non-negative");
            duration(f, tcp, "connectTimeout", tp);
            duration(f, tcp, "maxConnectionDuration", tp);
            duration(f, tcp, "idleTimeout", tp);
            JsonNode ka = get(tcp, "tcpKeepalive");
            if (ka != null) {
                duration(f, ka, "time", tp.key("tcpKeepalive"));
                duration(f, ka, "interval", tp.key("tcpKeepalive"));
            }
        }
    }

    static void nonNegative(Findings f, JsonNode node, String field, FieldPath p, String message) {
        if (integer(node, field) < 0) {
            f.error(p.key(field), message);
        }
    }

    /** A StringMatch (exact / prefix / regex); {@code prefixMayBeEmpty} for uri. */
    static void stringMatch(Findings f, JsonNode sm, FieldPath p, String where, boolean prefixMayBeEmpty) {
        if (sm == null || !sm.isObject()) {
            return;
        }
        JsonNode prefix = sm.get("prefix");
        if (!prefixMayBeEmpty && prefix != null && prefix.isTextual() && prefix.asText().isEmpty()) {
            f.error(p.key("prefix"), "\"" + where + "\": prefix string match should not be empty");
        }
        JsonNode regex = sm.get("regex");
        if (regex != null && regex.isTextual()) {
            if (regex.asText().isEmpty()) {
                f.error(p.key("regex"), "\"" + where + "\": regex string match should not be empty");
            } else {
                f.check(p.key("regex"), Checks.regex(regex.asText(), where));
            }
        }
    }
}
