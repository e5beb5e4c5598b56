package dev.meshcd.compiler.validate.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's url.ParseRequestURI as the Kubernetes URL library exposes it. */
class GoUrlTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            // input | valid | scheme | host | hostname | port | path
            "https://example.com:8443/a/b?x=1 | true | https | example.com:8443 | example.com | 8443 | /a/b",
            "HTTP://Example.com | true | http | Example.com | Example.com | '' | ''",
            "oci://ghcr.io/istio/filter:1.0 | true | oci | ghcr.io | ghcr.io | '' | /istio/filter:1.0",
            "file:///opt/filter.wasm | true | file | '' | '' | '' | /opt/filter.wasm",
            "http://[::1]:80/x | true | http | [::1]:80 | ::1 | 80 | /x",
            "/just/a/path | true | '' | '' | '' | '' | /just/a/path",
            "mailto:someone | true | mailto | '' | '' | '' | ''",
            "ghcr.io/istio/filter:1.0 | false | null | null | null | null | null",
            "relative | false | null | null | null | null | null",
            "://nothing | false | null | null | null | null | null",
            "http://exa mple.com | false | null | null | null | null | null",
            "http://example.com:http | false | null | null | null | null | null",
            "http://example.com/%zz | false | null | null | null | null | null",
            "'' | false | null | null | null | null | null"})
    void parsesLikeGo(String input, boolean valid, String scheme, String host, String hostname, String port, String path) {
        assertThat(GoUrl.isValid(input)).isEqualTo(valid);
        if (valid) {
            GoUrl u = GoUrl.parseRequestUri(input);
            assertThat(u.scheme()).isEqualTo(scheme);
            assertThat(u.hostWithPort()).isEqualTo(host);
            assertThat(u.hostname()).isEqualTo(hostname);
            assertThat(u.port()).isEqualTo(port);
            assertThat(u.escapedPath()).isEqualTo(path);
        } else {
            assertThatThrownBy(() -> GoUrl.parseRequestUri(input)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void queryValues() {
        assertThat(GoUrl.parseRequestUri("http://h/p?a=1&b=x+y&a=2&c").query())
                .isEqualTo(Map.of("a", List.of("1", "2"), "b", List.of("x y"), "c", List.of("")));
    }
}
