package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Envoy config dump of every proxy of the fixture mesh, compared byte-for-byte with
 * src/test/resources/envoy/golden/. Regenerate with {@code -Dmeshcd.golden.update=true}.
 */
class EnvoyGoldenTest {
    private static final boolean UPDATE = Boolean.getBoolean("meshcd.golden.update");

    @Test
    void everyProxyMatchesItsGoldenConfigDump() throws IOException {
        assertThat(EnvoyFixture.compile().hasErrors()).as("fixture compiles: %s", EnvoyFixture.compile().diagnostics())
                .isFalse();
        Map<String, ProxyConfig> all = EnvoyFixture.translator().translateAll();
        assertThat(all.keySet()).containsExactly("istio-system/istio-ingressgateway", "shop/cart-v1", "shop/cart-v2",
                "shop/catalog", "shop/catalog-v2", "shop/frontend", "shop/payments", "tools/debug");
        for (Map.Entry<String, ProxyConfig> e : all.entrySet()) {
            Path golden = EnvoyFixture.GOLDEN.resolve(e.getKey() + ".json");
            String actual = ConfigDumps.json(e.getValue());
            if (UPDATE) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
            }
            assertThat(golden).as("golden file for %s (regenerate with -Dmeshcd.golden.update=true)", e.getKey())
                    .exists();
            assertThat(actual).as("config dump of %s", e.getKey())
                    .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
        }
    }

    @Test
    void translationIsDeterministic() {
        EnvoyTranslator fresh = new EnvoyTranslator(EnvoyFixture.compile().index());
        for (Map.Entry<String, ProxyConfig> e : EnvoyFixture.translator().translateAll().entrySet()) {
            assertThat(ConfigDumps.json(fresh.translate(e.getValue().proxy()))).isEqualTo(ConfigDumps.json(e.getValue()));
        }
    }
}
