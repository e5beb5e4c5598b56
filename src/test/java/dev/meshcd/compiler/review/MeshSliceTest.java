package dev.meshcd.compiler.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diff.MeshDiff;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The review translates only the slice of the mesh a routing change reaches; its routing changes must be exactly
 * those of translating both meshes whole ({@code meshcd diff}). Changes to examples/, one per row.
 */
class MeshSliceTest {
    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("canary weights", "shop/cart.yaml", "weight: 90", "weight: 50"),
                Arguments.of("a subset typo", "shop/cart.yaml", "subset: v2\n          weight: 10", "subset: v3\n          weight: 10"),
                Arguments.of("a DestinationRule's load balancer", "shop/cart.yaml", "simple: LEAST_REQUEST", "simple: ROUND_ROBIN"),
                Arguments.of("a timeout", "shop/cart.yaml", "timeout: 2s", "timeout: 7s"),
                Arguments.of("a Service port", "shop/cart.yaml", "port: 80\n", "port: 8080\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void theSliceGivesTheRoutingChangesOfTheWholeMesh(String name, String file, String from, String to,
                                                       @TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Path head = tmp.resolve("head");
        ReviewFixtures.copy(Path.of("examples"), base);
        ReviewFixtures.copy(Path.of("examples"), head);
        Path f = head.resolve(file);
        String text = Files.readString(f);
        assertThat(text).contains(from);
        Files.writeString(f, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
        CompileResult b = ReviewFixtures.check(base);
        CompileResult h = ReviewFixtures.check(head);

        ReviewReport review = Review.review(b, h, Optional.empty());
        var whole = MeshDiff.diff(EffectiveMesh.of(b), EffectiveMesh.of(h)).proxies();

        assertThat(whole).as("the change reaches some proxy").isNotEmpty();
        assertThat(review.diff().proxies()).isEqualTo(whole);
    }
}
