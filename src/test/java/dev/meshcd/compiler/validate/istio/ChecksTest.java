package dev.meshcd.compiler.validate.istio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertThat(Checks.duration(text) == null).isEqualTo(valid);
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
        assertThat(Checks.wildcardDomain(s) == null).isEqualTo(valid);
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
        assertThat(Checks.ipSubnet(s) == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "regex {0} valid={1}")
    @CsvSource(delimiter = '|', value = {"^/api/v[0-9]+/.*$|true", "(?i)abc|true", "^(?!x).*|false", "a(?<=b)|false",
            "(unclosed|false", "\\d+|true", "a{2,3}|true"})
    void regexesAreRe2(String re, boolean valid) {
        assertThat(Checks.regex(re, "uri") == null).isEqualTo(valid);
        // cached answer is the same
        assertThat(Checks.regex(re, "uri") == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "header name {0} valid={1}")
    @CsvSource({"x-user, true", "X_Forwarded, true", "'', false", "'x user', false", ":path, false"})
    void headerNames(String s, boolean valid) {
        assertThat(Checks.headerName(s) == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "header value {0} valid={1}")
    @CsvSource(delimiter = '|', value = {"foo|true", "%HOSTNAME%|true", "100%%|true", "prefix %A% suffix|true",
            "abc%123|false", "%START_TIME%%|false"})
    void headerValues(String s, boolean valid) {
        assertThat(Checks.headerValue(s) == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "label key {0} valid={1}")
    @CsvSource({"app, true", "app.kubernetes.io/name, true", "MyCorp.com/tier, true", "., false", "a/b/c, false",
            "Bad_Prefix/x, false", "-a, false", "a..b/x, false", "/x, false"})
    void labelKeys(String s, boolean valid) {
        assertThat(Checks.labelKey(s) == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "namespace/host {0} gateway={1} valid={2}")
    @CsvSource({"ns/a.com, false, true", "./*, false, true", "~/*, false, true", "a.com, false, false",
            "a.com, true, true", "~/a.com, true, false", "ns/a*.com, true, false", "ns/short, true, false",
            "*/10.0.0.1, true, true", "*/10.0.0.1, false, false", "10.0.0.1.nip.io, true, true"})
    void namespaceSlashHosts(String h, boolean gateway, boolean valid) {
        assertThat(Checks.namespaceSlashHost(h, gateway) == null).isEqualTo(valid);
    }

    @ParameterizedTest(name = "fractional percent {0} valid={1}")
    @CsvSource({"0, true", "0.0001, true", "100, true", "0.00001, false", "100.1, false", "-1, false"})
    void fractionalPercent(double v, boolean valid) {
        assertThat(Checks.fractionalPercent(v) == null).isEqualTo(valid);
    }
}
