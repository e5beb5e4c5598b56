package dev.meshcd.compiler.lower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Policy in → Istio YAML out, one directory per feature under src/test/resources/lowering/<case>/.
 * Regenerate the expected files with {@code -Dmeshcd.regenerate=true} (then review the diff).
 */
class LoweringGoldenTest {
    @TestFactory
    Stream<DynamicTest> golden() {
        List<String> cases = LoweringFixtures.cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(10);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c, () -> check(c)));
    }

    private void check(String name) throws IOException {
        Path dir = LoweringFixtures.ROOT.resolve(name);
        String input = LoweringFixtures.read(dir.resolve("input.yaml"));
        CompileResult result = LoweringFixtures.compile("lowering/" + name + "/input.yaml", input);
        List<Diagnostic> problems = result.diagnostics().stream()
                .filter(d -> d.severity() != dev.meshcd.compiler.diag.Severity.INFO).toList();
        assertThat(problems).as("diagnostics of %s", name).isEmpty();
        String actual = LoweringFixtures.yaml(result.generated());
        Path expected = dir.resolve("expected.yaml");
        if (LoweringFixtures.regenerate()) {
            Files.writeString(expected, actual);
        }
        assertThat(actual).as("lowering of %s (regenerate with -Dmeshcd.regenerate=true)", name)
                .isEqualTo(LoweringFixtures.read(expected));
        assertThat(result.generated()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.labels()).containsEntry("app.kubernetes.io/managed-by", "meshcd");
            assertThat(r.annotation("meshcd.dev/source")).startsWith("lowering/" + name + "/input.yaml#L");
        });
    }
}
