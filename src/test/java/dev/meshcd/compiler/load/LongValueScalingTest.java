package dev.meshcd.compiler.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.source.SourceFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One long value costs time in proportion to its length, whatever its style (a 7 MiB single-line value took 73 s
 * when SnakeYAML's reader copied its whole window on every 1 KiB refill). Measured as bytes allocated, which
 * follow the copying exactly and do not depend on the machine's speed: 4 times the value, at most about 4 times the
 * allocation (quadratic copying gave 16 times).
 */
class LongValueScalingTest {
    private static final LoadLimits LIMITS = LoadLimits.DEFAULT;

    private static long allocatedToLoad(String style, int valueBytes) {
        String text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  "
                + style.formatted("x".repeat(valueBytes)) + "\n";
        SourceFile file = SourceFile.ofString("big.yaml", text);
        long before = allocated();
        ParsedFile parsed = new YamlLoader(LIMITS).load(file);
        long bytes = allocated() - before;
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.documents().get(0).root().path("data").path("k").asText().length()).isEqualTo(valueBytes);
        return bytes;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"k: %s", "k: \"%s\"", "k: '%s'", "k: |-\n    %s", "k: >-\n    %s"})
    void fourTimesTheValueCostsAboutFourTimesAsMuch(String style) {
        allocatedToLoad(style, 1 << 16); // warm up
        long one = allocatedToLoad(style, 1 << 20);
        long four = allocatedToLoad(style, 4 << 20);
        assertThat((double) four / one).as("allocation for 4 MiB / for 1 MiB (%d / %d bytes)", four, one)
                .isLessThan(6.0);
    }
}
