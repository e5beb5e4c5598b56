package dev.meshcd.compiler.validate.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ChecksTest {
    @ParameterizedTest(name = "duration {0} -> {1}")
    @CsvSource({
            "1ms, 1000000", "1s, 1000000000", "1.5s, 1500000000", "1m30s, 90000000000", "2h, 7200000000000",
            "500us, 500000", "100ns, 100", "0, 0", "-1s, -1000000000", ".5s, 500000000"})
    void parsesGoDurations(String text, long nanos) {
        assertThat(Checks.parseDuration(text)).isEqualTo(nanos);
    }

    @ParameterizedTest(name = "not a duration: {0}")
    @CsvSource({"5", "s", "1x", "1.2.3s", "''", "1s2"})
    void rejectsNonDurations(String text) {
        assertThat(Checks.parseDuration(text)).isNull();
    }

    @ParameterizedTest(name = "duration rule {0} valid={1}")
    @CsvSource({"1ms, true", "10s, true", "0.9ms, false", "0s, false", "1.0005s, false", "-1s, false", "x, false"})
    void durationRule(String text, boolean valid) {
        assertThat(Checks.duration(text).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "DNS-1123 label {0} valid={1}")
    @CsvSource({"a, true", "abc-def, true", "A1, true", "-a, false", "a-, false", "a.b, false", "'', false",
            "a_b, false"})
    void dnsLabels(String s, boolean valid) {
        assertThat(Checks.isDns1123Label(s)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "DNS-1123 subdomain {0} valid={1}")
    @CsvSource({"a.b-c.d, true", "a, true", "A.b, false", "a..b, false", "a.-b, false", "'', false"})
    void dnsSubdomains(String s, boolean valid) {
        assertThat(Checks.isDns1123Subdomain(s)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "long label")
    @CsvSource({"63, true", "64, false"})
    void labelLength(int n, boolean valid) {
        assertThat(Checks.isDns1123Label("a".repeat(n))).isEqualTo(valid);
    }

    @ParameterizedTest(name = "wildcard domain {0} valid={1}")
    @CsvSource({"*, true", "*.example.com, true", "*foo.example.com, true", "foo.example.com, true",
            "reviews, true", "example.com., true", "foo.*.com, false", "a..b, false", "a.123, false", "'', false",
            "**.com, false"})
    void wildcardDomains(String s, boolean valid) {
        assertThat(Checks.wildcardDomain(s).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "host {0} matches {1}: {2}")
    @CsvSource({"a.com, a.com, true", "*.com, a.com, true", "*.foo.com, *.com, true", "a.com, b.com, false",
            "*.a.com, *.b.com, false"})
    void hostMatching(String a, String b, boolean match) {
        assertThat(Checks.hostsMatch(a, b)).isEqualTo(match);
        assertThat(Checks.hostsMatch(b, a)).isEqualTo(match);
    }

    @ParameterizedTest(name = "IP {0} valid={1}")
    @CsvSource({"10.0.0.1, true", "255.255.255.255, true", "256.0.0.1, false", "010.0.0.1, false", "1.2.3, false",
            "::1, true", "2001:db8::1, true", "fe80::1%eth0, true", "::ffff:10.0.0.1, true", "1:2:3:4:5:6:7:8, true",
            "1:2:3:4:5:6:7:8:9, false", "1::2::3, false", "g::1, false", "localhost, false"})
    void ipAddresses(String s, boolean valid) {
        assertThat(Checks.isIpAddress(s)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "subnet {0} valid={1}")
    @CsvSource({"10.0.0.0/8, true", "10.0.0.1, true", "10.0.0.0/33, false", "2001:db8::/32, true",
            "2001:db8::/129, false", "10.0.0.0/, false", "10.0.0.0/8/8, false"})
    void subnets(String s, boolean valid) {
        assertThat(Checks.ipSubnet(s).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "regex {0} valid={1}")
    @CsvSource(delimiter = '|', value = {"^/api/v[0-9]+/.*$|true", "(?i)abc|true", "^(?!x).*|false", "a(?<=b)|false",
            "(unclosed|false", "\\d+|true", "a{2,3}|true"})
    void regexesAreRe2(String re, boolean valid) {
        assertThat(Checks.regex(re, "uri").isEmpty()).isEqualTo(valid);
        // cached answer is the same
        assertThat(Checks.regex(re, "uri").isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "header name {0} valid={1}")
    @CsvSource({"x-user, true", "X_Forwarded, true", "'', false", "'x user', false", ":path, false"})
    void headerNames(String s, boolean valid) {
        assertThat(Checks.headerName(s).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "header value {0} valid={1}")
    @CsvSource(delimiter = '|', value = {"foo|true", "%HOSTNAME%|true", "100%%|true", "prefix %A% suffix|true",
            "abc%123|false", "%START_TIME%%|false"})
    void headerValues(String s, boolean valid) {
        assertThat(Checks.headerValue(s).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "label key {0} valid={1}")
    @CsvSource({"app, true", "app.kubernetes.io/name, true", "MyCorp.com/tier, true", "., false", "a/b/c, false",
            "Bad_Prefix/x, false", "-a, false", "a..b/x, false", "/x, false"})
    void labelKeys(String s, boolean valid) {
        assertThat(Checks.labelKey(s).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "namespace/host {0} gateway={1} valid={2}")
    @CsvSource({"ns/a.com, false, true", "./*, false, true", "~/*, false, true", "a.com, false, false",
            "a.com, true, true", "~/a.com, true, false", "ns/a*.com, true, false", "ns/short, true, false",
            "*/10.0.0.1, true, true", "*/10.0.0.1, false, false", "10.0.0.1.nip.io, true, true"})
    void namespaceSlashHosts(String h, boolean gateway, boolean valid) {
        assertThat(Checks.namespaceSlashHost(h, gateway).isEmpty()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "fractional percent {0} valid={1}")
    @CsvSource({"0, true", "0.0001, true", "100, true", "0.00001, false", "100.1, false", "-1, false"})
    void fractionalPercent(double v, boolean valid) {
        assertThat(Checks.fractionalPercent(v).isEmpty()).isEqualTo(valid);
    }

    /** One check applied to one input, and what it must answer: nothing (valid) or exactly this message. */
    record Case(String check, Function<String, Optional<String>> fn, String input, Optional<String> expected) {
        @Override
        public String toString() {
            return check + "(" + input + ") -> " + expected.orElse("valid");
        }
    }

    static Case valid(String check, Function<String, Optional<String>> fn, String input) {
        return new Case(check, fn, input, Optional.empty());
    }

    static Case invalid(String check, Function<String, Optional<String>> fn, String input, String message) {
        return new Case(check, fn, input, Optional.of(message));
    }

    private static final String RE2 = "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)";

    /** Every check that answers with a message, with istiod's wording pinned. */
    static List<Case> checks() {
        Function<String, Optional<String>> gatewayHost = h -> Checks.namespaceSlashHost(h, true);
        Function<String, Optional<String>> sidecarHost = h -> Checks.namespaceSlashHost(h, false);
        Function<String, Optional<String>> vsGatewayHost = h -> Checks.wildcardDomainForGateway(false, h);
        Function<String, Optional<String>> sniGatewayHost = h -> Checks.wildcardDomainForGateway(true, h);
        Function<String, Optional<String>> port = p -> Checks.port(Long.parseLong(p));
        Function<String, Optional<String>> percent = p -> Checks.percent(Long.parseLong(p));
        Function<String, Optional<String>> fraction = p -> Checks.fractionalPercent(Double.parseDouble(p));
        Function<String, Optional<String>> uriRegex = re -> Checks.regex(re, "uri");
        return List.of(
                valid("fqdn", Checks::fqdn, "reviews.default.svc.cluster.local"),
                valid("fqdn", Checks::fqdn, "example.com."),
                invalid("fqdn", Checks::fqdn, "", "empty domain name not allowed"),
                invalid("fqdn", Checks::fqdn, "a".repeat(256), "domain name \"" + "a".repeat(256) + "\" too long (max 255)"),
                invalid("fqdn", Checks::fqdn, "a.123", "domain name \"a.123\" invalid (top level domain \"123\" cannot be all-numeric)"),
                invalid("fqdn", Checks::fqdn, "a..b", "domain name \"a..b\" invalid (label \"\" invalid)"),
                invalid("fqdn", Checks::fqdn, "*.example.com", "domain name \"*.example.com\" invalid (label \"*\" invalid)"),

                valid("wildcardDomain", Checks::wildcardDomain, "*"),
                valid("wildcardDomain", Checks::wildcardDomain, "*.example.com"),
                valid("wildcardDomain", Checks::wildcardDomain, "*foo.example.com"),
                valid("wildcardDomain", Checks::wildcardDomain, "reviews"),
                invalid("wildcardDomain", Checks::wildcardDomain, "", "empty domain name not allowed"),
                invalid("wildcardDomain", Checks::wildcardDomain, "**.com", "domain name \"**.com\" invalid (label \"**\" invalid)"),
                invalid("wildcardDomain", Checks::wildcardDomain, "foo.*.com", "domain name \"*.com\" invalid (label \"*\" invalid)"),
                invalid("wildcardDomain", Checks::wildcardDomain, "a.123", "domain name \"123\" invalid (top level domain \"123\" cannot be all-numeric)"),

                valid("wildcardDomainForGateway(sni)", sniGatewayHost, "outbound_.80_._.foo.com"),
                invalid("wildcardDomainForGateway(sni)", sniGatewayHost, "outbound_.9x", "domain name \"outbound_.9x\" invalid (label \"outbound_\" invalid)"),
                invalid("wildcardDomainForGateway", vsGatewayHost, "outbound_.80_._.foo.com", "domain name \"outbound_.80_._.foo.com\" invalid (label \"outbound_\" invalid)"),
                valid("wildcardDomainForGateway", vsGatewayHost, "*.example.com"),
                invalid("wildcardDomainForGateway", vsGatewayHost, "", "empty domain name not allowed"),

                valid("partialWildcard", Checks::partialWildcard, "*"),
                valid("partialWildcard", Checks::partialWildcard, "*.example.com"),
                invalid("partialWildcard", Checks::partialWildcard, "foo*.com", "partial wildcard \"foo*.com\" not allowed"),

                valid("namespaceSlashHost(gateway)", gatewayHost, "a.com"),
                valid("namespaceSlashHost(gateway)", gatewayHost, "*/10.0.0.1"),
                invalid("namespaceSlashHost(gateway)", gatewayHost, "ns/short", "short names (non FQDN) are not allowed"),
                invalid("namespaceSlashHost(gateway)", gatewayHost, "ns/", "config namespace and dnsName in host entry cannot be empty"),
                invalid("namespaceSlashHost(gateway)", gatewayHost, "~/a.com", "invalid namespace value \"~\" in gateway"),
                invalid("namespaceSlashHost(gateway)", gatewayHost, "ns/a*.com", "domain name \"a*.com\" invalid (label \"a*\" invalid)"),
                invalid("namespaceSlashHost(gateway)", gatewayHost, "ns/*foo.com", "partial wildcard \"*foo.com\" not allowed"),
                valid("namespaceSlashHost(sidecar)", sidecarHost, "~/*"),
                invalid("namespaceSlashHost(sidecar)", sidecarHost, "a.com", "host must be of form namespace/dnsName"),
                invalid("namespaceSlashHost(sidecar)", sidecarHost, "Bad_NS/a.com", "invalid namespace value \"Bad_NS\" in sidecar"),
                invalid("namespaceSlashHost(sidecar)", sidecarHost, "*/10.0.0.1", "domain name \"0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)"),

                valid("port", port, "1"),
                valid("port", port, "65535"),
                invalid("port", port, "0", "port number 0 must be in the range 1..65535"),
                invalid("port", port, "65536", "port number 65536 must be in the range 1..65535"),
                valid("portName", Checks::portName, "http-web"),
                invalid("portName", Checks::portName, "http_web", "invalid port name: http_web"),
                valid("percent", percent, "0"),
                valid("percent", percent, "100"),
                invalid("percent", percent, "101", "percentage 101 is not in range 0..100"),
                invalid("percent", percent, "-1", "percentage -1 is not in range 0..100"),
                valid("fractionalPercent", fraction, "0.0001"),
                invalid("fractionalPercent", fraction, "0.00001", "percentage 1.0E-5 is neither 0.0, nor in range [0.0001, 100.0]"),
                invalid("fractionalPercent", fraction, "100.5", "percentage 100.5 is neither 0.0, nor in range [0.0001, 100.0]"),
                invalid("fractionalPercent", fraction, "-1", "percentage -1 is neither 0.0, nor in range [0.0001, 100.0]"),

                valid("ipAddress", Checks::ipAddress, "2001:db8::1"),
                invalid("ipAddress", Checks::ipAddress, "010.0.0.1", "010.0.0.1 is not a valid IP"),
                valid("ipSubnet", Checks::ipSubnet, "10.0.0.0/8"),
                valid("ipSubnet", Checks::ipSubnet, "10.0.0.1"),
                invalid("ipSubnet", Checks::ipSubnet, "10.0.0.0/33", "10.0.0.0/33 is not a valid CIDR block"),
                invalid("ipSubnet", Checks::ipSubnet, "10.0.0.0/8/8", "10.0.0.0/8/8 is not a valid IP"),

                valid("duration", Checks::duration, "1.5s"),
                invalid("duration", Checks::duration, "1x", "invalid duration \"1x\""),
                invalid("duration", Checks::duration, "0.9ms", "duration must be greater than 1ms"),
                invalid("duration", Checks::duration, "1.0005s", "only durations to ms precision are supported"),

                valid("regex", uriRegex, "^/api/v[0-9]+/.*$"),
                invalid("regex", uriRegex, "(unclosed", "\"uri\": error parsing regexp: missing closing ): `(unclosed`" + RE2),
                invalid("regex", uriRegex, "r".repeat(1025), "\"uri\": regex is too large, max length allowed is 1024"),

                valid("celExpression", Checks::celExpression, "response.code >= 400"),

                valid("headerName", Checks::headerName, "x-user_id"),
                invalid("headerName", Checks::headerName, "", "header name cannot be empty"),
                invalid("headerName", Checks::headerName, "x user", "header name x user is not a valid header name"),
                valid("headerNameOrJwtClaim", Checks::headerNameOrJwtClaim, "@request.auth.claims.sub"),
                valid("headerNameOrJwtClaim", Checks::headerNameOrJwtClaim, "@request.auth.claims[sub]"),
                invalid("headerNameOrJwtClaim", Checks::headerNameOrJwtClaim, "@request.auth.claims[]",
                        "header name @request.auth.claims[] is not a valid header name"),
                valid("corsHeaderName", Checks::corsHeaderName, "*"),
                invalid("corsHeaderName", Checks::corsHeaderName, "x*", "header name x* is not a valid header name"),
                valid("headerAddName", Checks::headerAddName, ":authority"),
                valid("headerAddName", Checks::headerAddName, "Host"),
                invalid("headerAddName", Checks::headerAddName, "", "header name cannot be empty"),
                invalid("headerAddName", Checks::headerAddName, ":path", "invalid header \":path\": header cannot have \":\" prefix"),
                valid("headerOpName", Checks::headerOpName, "x-user"),
                invalid("headerOpName", Checks::headerOpName, "", "header name cannot be empty"),
                invalid("headerOpName", Checks::headerOpName, "Host", "invalid header \"Host\": cannot set Host header"),
                invalid("headerOpName", Checks::headerOpName, ":authority", "invalid header \":authority\": header cannot have \":\" prefix"),
                valid("headerValue", Checks::headerValue, "100%% %HOSTNAME%"),
                invalid("headerValue", Checks::headerValue, "a\u0001b", "header value configuration a\u0001b is invalid"),
                invalid("headerValue", Checks::headerValue, "abc%123",
                        "header value configuration: invalid header value \"abc%123\": unescaped '%' at position 3"),

                valid("labelKey", Checks::labelKey, "app.kubernetes.io/name"),
                invalid("labelKey", Checks::labelKey, "Bad_Prefix/x", "invalid tag key: \"Bad_Prefix/x\""),
                invalid("labelKey", Checks::labelKey, "p.".repeat(127) + "p/x",
                        "invalid tag key: \"" + "p.".repeat(127) + "p/x\" (DNS prefix is too long)"),
                invalid("labelKey", Checks::labelKey, "n".repeat(64), "invalid tag key: \"" + "n".repeat(64) + "\" (name is too long)"),
                valid("labelValue", Checks::labelValue, ""),
                valid("labelValue", Checks::labelValue, "v1.2_x"),
                invalid("labelValue", Checks::labelValue, "-v1", "invalid tag value: \"-v1\""),

                valid("protocolName", Checks::protocolName, ""),
                valid("protocolName", Checks::protocolName, "grpc-web"),
                invalid("protocolName", Checks::protocolName, "sctp", "unsupported protocol: sctp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void answersWithIstiodsMessage(Case c) {
        assertThat(c.fn().apply(c.input())).isEqualTo(c.expected());
        // cached checks (regex, CEL) answer the same the second time
        assertThat(c.fn().apply(c.input())).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "CEL syntax error in {0}")
    @CsvSource(delimiter = '|', value = {"(unclosed|ERROR: <input>:1:10: missing ')' at '<EOF>'",
            "response.code >=|ERROR: <input>:1:17: mismatched input '<EOF>'"})
    void celExpressionsReportTheParserError(String expr, String firstLine) {
        // cel-java's message goes on with the source line and a caret; the first line is what matters here
        assertThat(Checks.celExpression(expr)).hasValueSatisfying(
                m -> assertThat(m).startsWith("must be a valid CEL expression, " + firstLine));
        assertThat(Checks.celExpression(expr)).isEqualTo(Checks.celExpression(expr));
    }
}
