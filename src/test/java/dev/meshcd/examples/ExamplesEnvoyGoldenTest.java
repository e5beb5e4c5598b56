package dev.meshcd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.envoy.ConfigDumps;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Envoy configuration every proxy of {@code examples/} receives, byte for byte, against
 * src/test/resources/envoy/golden-examples/ (regenerate with {@code -Dmeshcd.golden.update=true}), and
 * with no Envoy constraint broken.
 */
class ExamplesEnvoyGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/envoy/golden-examples");
    private static final boolean UPDATE = Boolean.getBoolean("meshcd.golden.update");

    @Test
    void everyProxyOfTheExamplesMatchesItsGolden() throws Exception {
        EffectiveMesh mesh = EffectiveMesh.of(ExampleRepo.check());
        assertThat(mesh.withDiagnostics().diagnostics()).filteredOn(Diagnostic::isError)
                .extracting(Diagnostic::toString).isEmpty();
        Map<String, ProxyConfig> proxies = mesh.proxies();
        assertThat(proxies).containsKeys("istio-system/istio-ingressgateway", "shop/frontend-v1", "shop/cart-v1");
        for (Map.Entry<String, ProxyConfig> e : proxies.entrySet()) {
            Path golden = GOLDEN.resolve(e.getKey() + ".json");
            String actual = ConfigDumps.json(e.getValue());
            if (UPDATE) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
            }
            assertThat(golden).as("golden for %s (regenerate with -Dmeshcd.golden.update=true)", e.getKey()).exists();
            assertThat(actual).as("config dump of %s", e.getKey())
                    .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
        }
        try (Stream<Path> files = Files.walk(GOLDEN)) {
            assertThat(files.filter(Files::isRegularFile).count()).as("no stale golden files").isEqualTo(proxies.size());
        }
    }
}
