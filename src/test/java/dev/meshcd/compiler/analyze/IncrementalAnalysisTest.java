package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shortcuts (findings about a few subjects in a derived index, as admission asks; a recompile that
 * re-analyzes only what changed) must give exactly what a full analysis of the same snapshot gives. Every
 * analyzer case of {@link AnalyzersTest} is the data, plus edits of it and of the base mesh.
 */
class IncrementalAnalysisTest {

    /** Edits that keep resource names, so a recompile takes the patch path: hosts, subsets, ports, labels, gateways. */
    private static final String[][] EDITS = {
            {"subset: v1", "subset: v2"},
            {"name: v1", "name: v9"},
            {"version: v1", "version: v2"},
            {"number: 9080", "number: 9090"},
            {"host: reviews", "host: ratings"},
            {"hosts: [reviews]", "hosts: [ratings]"},
            {"- mesh", "- shop/missing-gateway"},
            {"app: reviews", "app: reviewz"},
            {"mode: SIMPLE", "mode: DISABLE"},
            {"port: 9080", "port: 9081"},
    };

    static Stream<Arguments> cases() {
        return Stream.of(AnalyzersTest.cases(), IstioPortedAnalyzersTest.cases(), ClusterInputAnalyzersTest.cases())
                .flatMap(s -> s)
                .map(a -> Arguments.of(a.get()[0], a.get()[1]));
    }

    private static Compiler compiler() {
        return StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop")
                .withExternalWorkloads(List.of(AnalyzeFixture.INGRESS)));
    }

    private static List<SourceFile> files(String base, String caseYaml) {
        return List.of(SourceFile.ofString("base.yaml", base), SourceFile.ofString("case.yaml", caseYaml));
    }

    private static List<String> rendered(List<Diagnostic> diagnostics) {
        return diagnostics.stream().map(Diagnostic::toString).sorted().toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findingsAboutEachSubjectInADerivedIndexAddUpToTheFullAnalysis(String name, String yaml) {
        Compiler c = compiler();
        // admission analyzes a live cluster's snapshot: a complete view, so compile against one too
        dev.meshcd.compiler.pipeline.IncrementalState state = new dev.meshcd.compiler.pipeline.IncrementalState();
        state.context(new dev.meshcd.compiler.context.MeshContext(List.of(), true, "cluster", "1"));
        CompileResult full = c.compile(state, new SourceTree(files(AnalyzeFixture.BASE, yaml)), Compiler.Mode.CHECK);
        List<Resource> resources = full.resources();
        MeshIndex index = c.index(resources);
        List<Diagnostic> scoped = new ArrayList<>();
        for (Resource r : resources) {
            // as admission does: the snapshot with the object (here: its own current version) put in again
            scoped.addAll(c.analyzeSubjects(index.withChanges(List.of(r), List.of()), List.of(r)));
        }
        List<Diagnostic> analysis = c.analyze(resources, new dev.meshcd.compiler.diag.Diagnostics()).diagnostics();
        assertThat(analysis).isSubsetOf(full.diagnostics());
        assertThat(rendered(scoped)).isEqualTo(rendered(analysis));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anIndexDerivedByAddingOrRemovingTheCaseAnswersAsOneBuiltFromScratch(String name, String yaml) {
        Compiler c = compiler();
        // One workspace for both compiles: unchanged files keep their very Resource objects (per-file cache).
        Workspace w = Workspace.builder().stages((o, f) -> c).build();
        List<Resource> base = w.compile(new SourceTree(files(AnalyzeFixture.BASE, "")), Compiler.Mode.VALIDATE).resources();
        List<Resource> all = w.compile(new SourceTree(files(AnalyzeFixture.BASE, yaml)), Compiler.Mode.VALIDATE).resources();
        List<Resource> added = all.stream().filter(r -> !base.contains(r)).toList();
        List<ResourceKey> addedKeys = added.stream().map(Resource::key).toList();

        MeshIndex grown = c.index(base).withChanges(added, List.of());
        assertThat(rendered(c.analyzeSubjects(grown, all))).isEqualTo(rendered(c.analyzeSubjects(c.index(all), all)));
        assertThat(grown.all()).containsExactlyInAnyOrderElementsOf(all);

        MeshIndex shrunk = c.index(all).withChanges(List.of(), addedKeys);
        assertThat(rendered(c.analyzeSubjects(shrunk, base))).isEqualTo(rendered(c.analyzeSubjects(c.index(base), base)));
        assertThat(shrunk.all()).containsExactlyInAnyOrderElementsOf(base);
        assertThat(shrunk.namespaces()).isEqualTo(c.index(base).namespaces());
        assertThat(shrunk.hosts()).isEqualTo(c.index(base).hosts());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aRecompileAfterEachEditEqualsAFreshCompile(String name, String yaml) {
        Workspace incremental = Workspace.builder().stages((o, f) -> compiler()).build();
        incremental.compile(new SourceTree(files(AnalyzeFixture.BASE, yaml)), Compiler.Mode.CHECK);
        String caseNow = yaml;
        String baseNow = AnalyzeFixture.BASE;
        int derived = 0;
        for (String[] edit : EDITS) {
            for (boolean inBase : new boolean[] {false, true}) {
                String before = inBase ? baseNow : caseNow;
                String after = before.replace(edit[0], edit[1]);
                if (after.equals(before)) {
                    continue;
                }
                if (inBase) {
                    baseNow = after;
                } else {
                    caseNow = after;
                }
                SourceFile changed = SourceFile.ofString(inBase ? "base.yaml" : "case.yaml", after);
                CompileResult got = incremental.update(List.of(changed), List.of(), Compiler.Mode.CHECK);
                derived += incremental.lastTimings().get("incremental").intValue();
                CompileResult expected = compiler().compile(new SourceTree(files(baseNow, caseNow)), Compiler.Mode.CHECK);
                assertThat(rendered(got.diagnostics()))
                        .as("after %s -> %s in %s", edit[0], edit[1], inBase ? "base.yaml" : "case.yaml")
                        .isEqualTo(rendered(expected.diagnostics()));
            }
        }
        TAKEN.add(derived);
    }

    private static final java.util.List<Integer> TAKEN = java.util.Collections.synchronizedList(new ArrayList<>());

    @org.junit.jupiter.api.AfterAll
    static void theIncrementalPathWasExercised() {
        // edits in cases with no cross-file finding must have gone through the derived index and findings
        assertThat(TAKEN.stream().mapToInt(Integer::intValue).sum()).as("recompiles per case that derived: %s", TAKEN)
                .isGreaterThan(TAKEN.size());
    }
}
