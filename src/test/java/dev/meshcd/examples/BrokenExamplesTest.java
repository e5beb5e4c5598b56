package dev.meshcd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each file of examples/broken, compiled together with the clean shop repo, must produce every
 * finding its "# expect: CODE [path]" lines name (in that file), and no error whose code is not expected.
 */
class BrokenExamplesTest {
    private static final Pattern EXPECT = Pattern.compile("^# expect: (\\S+)(?: (\\S+))?\\s*$", Pattern.MULTILINE);
    /** Codes only the validation stage (stage 3) reports: IST0106, the unreachable rules, the webhook's warnings. */
    private static boolean validationCode(String code) {
        return Set.of("IST0106", "IST0130", "IST0131").contains(code)
                || dev.meshcd.compiler.diag.ValidationWarning.isValidationWarning(code);
    }

    record Expectation(String code, String path) {
    }

    static Stream<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(ExampleRepo.ROOT.resolve("broken"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void reportsWhatTheFileExpects(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<Expectation> expected = new ArrayList<>();
        Matcher m = EXPECT.matcher(text);
        while (m.find()) {
            expected.add(new Expectation(m.group(1), m.group(2) == null ? "" : m.group(2)));
        }
        assertThat(expected).as("# expect: lines in " + file).isNotEmpty();
        boolean validators = !StandardStages.validators().isEmpty();
        List<Expectation> checkable = expected.stream()
                .filter(e -> validators || !validationCode(e.code())).toList();
        Assumptions.assumeFalse(checkable.isEmpty(), "only validation findings expected, and no validators are registered");

        String name = "examples/broken/" + file.getFileName();
        CompileResult r = ExampleRepo.check(new SourceFile(name, bytes));
        List<Diagnostic> inFile = r.diagnostics().stream().filter(d -> d.location().file().equals(name)).toList();
        for (Expectation e : checkable) {
            assertThat(inFile).as("%s expects %s at %s; got %s", name, e.code(), e.path(), r.diagnostics())
                    .anyMatch(d -> d.code().equals(e.code()) && d.path().equals(e.path()) && d.location().line() > 0);
        }
        Set<String> codes = new HashSet<>();
        expected.forEach(e -> codes.add(e.code()));
        assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).as("unexpected errors")
                .allMatch(d -> codes.contains(d.code()));
    }
}
