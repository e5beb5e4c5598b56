package dev.meshcd.compiler.lower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.bench.PolicyRepo;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** recompile(changed) gives what a from-scratch compile gives, and re-lowers only what changed. */
class IncrementalLoweringTest {
    private static final int N = 60;

    private static String render(CompileResult r) {
        return LoweringFixtures.yaml(r.generated()) + r.diagnostics();
    }

    @Test
    void recompileMatchesAFullCompileAndReusesUnchangedOutputs() {
        List<SourceFile> files = PolicyRepo.generate(N, 7);
        Workspace incremental = Workspace.builder().build();
        CompileResult before = incremental.compile(new SourceTree(files), Compiler.Mode.CHECK);
        Set<Resource> old = identitySet(before.generated());

        SourceFile changed = SourceFile.ofString(PolicyRepo.policyFile(3), PolicyRepo.policy(3, N, PolicyRepo.policySeed(7, 3), 77));
        CompileResult after = incremental.update(List.of(changed), List.of(), Compiler.Mode.CHECK);

        List<SourceFile> updated = new ArrayList<>(files);
        updated.replaceAll(f -> f.name().equals(changed.name()) ? changed : f);
        CompileResult scratch = StandardStages.compiler(CompileOptions.DEFAULT)
                .compile(new SourceTree(updated), Compiler.Mode.CHECK);
        assertThat(render(after)).isEqualTo(render(scratch));
        assertThat(render(after)).isNotEqualTo(render(before));

        for (Resource r : after.generated()) {
            boolean fromChanged = r.annotation(PolicyKinds.SOURCE_ANNOTATION).startsWith(changed.name() + "#");
            assertThat(old.contains(r)).as("%s reused", r).isEqualTo(!fromChanged);
        }
        Resource vs = after.generated().stream()
                .filter(r -> r.is(Kind.VIRTUAL_SERVICE) && r.name().equals(PolicyRepo.service(3))).findFirst().orElseThrow();
        assertThat(vs.spec().toString()).contains("\"weight\":77");
        assertThat(incremental.lastTimings()).as("took the patch path").containsEntry("files", 0L);
    }

    /** Edits of policy 3 (or its app file); whatever path recompile takes, it must equal a compile from scratch. */
    static Stream<Arguments> edits() {
        String p3 = PolicyRepo.policy(3, N, PolicyRepo.policySeed(7, 3), 77);
        return Stream.of(
                Arguments.of("weights only (fast path)", PolicyRepo.policyFile(3), p3),
                Arguments.of("generated resource removed", PolicyRepo.policyFile(3), p3.replace("  mtls: STRICT\n", "")),
                Arguments.of("second policy for a service", PolicyRepo.policyFile(3),
                        p3.replace("spec:\n", "spec:\n  service: svc-4\n")),
                Arguments.of("schema error", PolicyRepo.policyFile(3), p3.replace("mtls: STRICT", "mtls: SOMETIMES")),
                Arguments.of("undefined version", PolicyRepo.policyFile(3), p3.replace("to: v2", "to: v9")),
                Arguments.of("raw resource conflicting with a policy", "team-0/svc-3/app.yaml",
                        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: svc-4, namespace: team-0}\n"
                                + "spec: {host: svc-4}\n"),
                Arguments.of("yaml error", PolicyRepo.policyFile(3), p3 + "  routes: [\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edits")
    void everyEditGivesWhatAFullCompileGives(String what, String file, String text) {
        List<SourceFile> files = PolicyRepo.generate(N, 7);
        Workspace incremental = Workspace.builder().build();
        incremental.compile(new SourceTree(files), Compiler.Mode.CHECK);
        SourceFile changed = SourceFile.ofString(file, text);
        CompileResult after = incremental.update(List.of(changed), List.of(), Compiler.Mode.CHECK);
        List<SourceFile> updated = new ArrayList<>(files);
        updated.replaceAll(f -> f.name().equals(file) ? changed : f);
        CompileResult scratch = StandardStages.compiler(CompileOptions.DEFAULT).compile(new SourceTree(updated), Compiler.Mode.CHECK);
        assertThat(render(after)).isEqualTo(render(scratch));
        assertThat(after.resources()).extracting(r -> r.key().display())
                .containsExactlyElementsOf(scratch.resources().stream().map(r -> r.key().display()).toList());
        assertThat(after.documents()).isEqualTo(scratch.documents());
        // And back again.
        SourceFile original = files.stream().filter(f -> f.name().equals(file)).findFirst().orElseThrow();
        CompileResult back = incremental.update(List.of(original), List.of(), Compiler.Mode.CHECK);
        assertThat(render(back)).isEqualTo(render(StandardStages.compiler(CompileOptions.DEFAULT)
                .compile(new SourceTree(files), Compiler.Mode.CHECK)));
    }

    @Test
    void removingAPolicyRemovesItsOutputs() {
        List<SourceFile> files = PolicyRepo.generate(N, 7);
        Workspace c = Workspace.builder().build();
        int before = c.compile(new SourceTree(files), Compiler.Mode.CHECK).generated().size();
        CompileResult after = c.update(List.of(), List.of(PolicyRepo.policyFile(5)), Compiler.Mode.CHECK);
        assertThat(after.generated()).noneMatch(r -> r.name().equals(PolicyRepo.service(5)));
        assertThat(after.generated().size()).isLessThan(before);
        assertThat(c.tree().files()).hasSize(files.size() - 1);
    }

    @Test
    void changingMeshDefaultsRelowersPoliciesThatUseThem() {
        String policy = """
                apiVersion: meshcd.dev/v1alpha1
                kind: ServicePolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  mtls: STRICT
                """;
        String defaults = """
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshDefaults
                metadata: {name: mesh, namespace: istio-system}
                spec: {timeout: %s}
                """;
        Workspace c = Workspace.builder().build();
        c.compile(SourceTree.of(SourceFile.ofString("p.yaml", policy), SourceFile.ofString("m.yaml", defaults.formatted("5s"))),
                Compiler.Mode.CHECK);
        CompileResult after = c.update(List.of(SourceFile.ofString("m.yaml", defaults.formatted("7s"))), List.of(),
                Compiler.Mode.CHECK);
        Resource vs = after.generated().stream().filter(r -> r.is(Kind.VIRTUAL_SERVICE)).findFirst().orElseThrow();
        assertThat(vs.spec().path("http").get(0).path("timeout").asText()).isEqualTo("7s");
        assertThat(vs.origin().locate(dev.meshcd.compiler.source.FieldPath.parse("spec.http[0].timeout")).file())
                .isEqualTo("m.yaml");
    }

    private static Set<Resource> identitySet(List<Resource> resources) {
        Set<Resource> s = java.util.Collections.newSetFromMap(new IdentityHashMap<Resource, Boolean>());
        s.addAll(resources);
        return s;
    }
}
