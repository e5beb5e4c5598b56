package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Bad input gives a diagnostic, never a crash: every file of Istio's validation datasets (valid and
 * invalid), added to the shop fixture, translates, checks and simulates without an exception.
 */
class RobustnessTest {
    @Test
    void istioValidationDatasetsNeverCrashTheTranslation() throws Exception {
        Path dir = dev.meshcd.testing.SharedData.istio("validation");
        List<SourceFile> fixture = new ArrayList<>();
        try (Stream<Path> s = Files.list(EnvoyFixture.MESH)) {
            for (Path p : s.sorted().toList()) {
                fixture.add(new SourceFile("mesh/" + p.getFileName(), Files.readAllBytes(p)));
            }
        }
        List<Path> inputs;
        try (Stream<Path> s = Files.walk(dir)) {
            inputs = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(inputs).hasSizeGreaterThan(50);
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop"));
        int translated = 0;
        for (Path input : inputs) {
            List<SourceFile> files = new ArrayList<>(fixture);
            files.add(new SourceFile("input/" + input.getFileName(), Files.readAllBytes(input)));
            CompileResult r = compiler.compile(new SourceTree(files), Compiler.Mode.CHECK);
            assertThatCode(() -> {
                EnvoyTranslator t = new EnvoyTranslator(r.index());
                Map<String, ProxyConfig> all = t.translateAll();
                EnvoyChecks.check(all);
                for (ProxyConfig pc : all.values()) {
                    Simulator.simulate(all, pc, SimRequest.parse("GET http://cart:8080/x -H x-canary:true"));
                    ConfigDumps.json(pc);
                }
            }).as("translating with %s", input).doesNotThrowAnyException();
            translated++;
        }
        assertThat(translated).isEqualTo(inputs.size());
    }
}
