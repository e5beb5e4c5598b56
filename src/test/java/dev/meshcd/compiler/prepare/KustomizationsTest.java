package dev.meshcd.compiler.prepare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kustomization.yaml: the files it names as patches and generator inputs are not resources; its namespace applies. */
class KustomizationsTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: %s}
            spec: {selector: {app: %s}, ports: [{name: http, port: 80}]}
            """;

    /** A patch: a partial Deployment, which as a resource would be an error (no containers, say). */
    private static final String PATCH = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec: {replicas: 3}
            """;

    private static SourceFile file(String name, String text) {
        return SourceFile.ofString(name, text);
    }

    static Stream<Arguments> partialFileFields() {
        return Stream.of(
            Arguments.of("patches (path)", "patches:\n- path: %s\n  target: {kind: Deployment}\n"),
            Arguments.of("patchesStrategicMerge", "patchesStrategicMerge:\n- %s\n"),
            Arguments.of("patchesJson6902 (path)", "patchesJson6902:\n- path: %s\n  target: {kind: Deployment, name: web}\n"),
            Arguments.of("configMapGenerator files (key=path)", "configMapGenerator:\n- name: cfg\n  files: [conf=%s]\n"),
            Arguments.of("secretGenerator envs", "secretGenerator:\n- name: s\n  envs: [%s]\n"),
            Arguments.of("helmCharts valuesFile", "helmCharts:\n- name: c\n  valuesFile: %s\n"),
            Arguments.of("transformers", "transformers: [%s]\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partialFileFields")
    void filesAKustomizationReadsAsPartialObjectsAreNotResources(String field, String entry) {
        for (String kustomization : Kustomizations.FILE_NAMES) {
            SourceTree tree = new SourceTree(List.of(
                    file("app/" + kustomization, "resources: [svc.yaml]\n" + entry.formatted("../patches/p.yaml")),
                    file("app/svc.yaml", SERVICE.formatted("web", "web")),
                    file("patches/p.yaml", PATCH),
                    file("other/p.yaml", PATCH)));

            SourceTree prepared = Kustomizations.plan(tree).apply(tree);

            assertThat(prepared.files()).extracting(SourceFile::name).as(kustomization)
                    .containsExactly("app/svc.yaml", "other/p.yaml");
        }
    }

    @Test
    void theNamespaceAppliesToListedResourcesThatNameNoneThroughDirectoriesToo() {
        CompileResult result = compile(
                file("k/kustomization.yaml", "namespace: shop\nresources: [svc.yaml, named.yaml, sub, ../base/]\n"),
                file("k/svc.yaml", SERVICE.formatted("a", "a")),
                file("k/named.yaml", SERVICE.formatted("b", "b").replace("{name: b}", "{name: b, namespace: other}")),
                file("k/sub/kustomization.yml", "resources: [svc.yaml]\n"),
                file("k/sub/svc.yaml", SERVICE.formatted("c", "c")),
                file("base/kustomization.yaml", "namespace: inner\nresources: [svc.yaml]\n"),
                file("base/svc.yaml", SERVICE.formatted("d", "d")),
                file("unlisted.yaml", SERVICE.formatted("e", "e")));

        assertThat(result.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(namespaces(result)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "a", "shop", "b", "other", "c", "shop", "d", "inner", "e", "default"));
    }

    @Test
    void aBaseThatOverlaysPutInDifferentNamespacesKeepsTheDefault() {
        CompileResult result = compile(
                file("base/kustomization.yaml", "resources: [svc.yaml]\n"),
                file("base/svc.yaml", SERVICE.formatted("a", "a")),
                file("overlays/dev/kustomization.yaml", "namespace: dev\nresources: [../../base]\npatches: [{path: p.yaml}]\n"),
                file("overlays/dev/p.yaml", PATCH),
                file("overlays/prod/kustomization.yaml", "namespace: prod\nresources: [../../base]\n"));

        assertThat(result.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(namespaces(result)).containsExactlyEntriesOf(Map.of("a", "default"));
    }

    @Test
    void editsFollowTheKustomizationNamespaceAndPatchesStayOut() {
        Workspace ws = Workspace.builder().build();
        ws.compile(new SourceTree(List.of(
                file("k/kustomization.yaml", "namespace: one\nresources: [svc.yaml]\npatches: [{path: p.yaml}]\n"),
                file("k/svc.yaml", SERVICE.formatted("a", "a")),
                file("k/p.yaml", PATCH))), Compiler.Mode.CHECK);

        CompileResult patched = ws.update(List.of(file("k/p.yaml", PATCH.replace("3", "4"))), List.of(), Compiler.Mode.CHECK);
        assertThat(patched.resources()).extracting(Resource::name).containsExactly("a");

        CompileResult renamed = ws.update(List.of(file("k/kustomization.yaml",
                "namespace: two\nresources: [svc.yaml]\npatches: [{path: p.yaml}]\n")), List.of(), Compiler.Mode.CHECK);
        assertThat(namespaces(renamed)).containsExactlyEntriesOf(Map.of("a", "two"));

        CompileResult added = ws.update(List.of(file("k/kustomization.yaml",
                "namespace: two\nresources: [svc.yaml, more.yaml]\n"), file("k/more.yaml", SERVICE.formatted("m", "m"))),
                List.of(), Compiler.Mode.CHECK);
        assertThat(namespaces(added)).containsExactlyInAnyOrderEntriesOf(Map.of("a", "two", "m", "two", "web", "default"));
        assertThat(added.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR)
                .allMatch(d -> d.location().file().equals("k/p.yaml")); // no longer a patch: a resource again
    }

    @Test
    void aKustomizationThatIsNotAMappingIsLeftToTheLoader() {
        CompileResult result = compile(file("kustomization.yaml", "resources: [a.yaml\n"), file("a.yaml", SERVICE.formatted("a", "a")));

        assertThat(result.diagnostics()).filteredOn(Diagnostic::isError).extracting(d -> d.location().file())
                .containsExactly("kustomization.yaml");
    }

    @Test
    void pathsNormalize() {
        assertThat(Kustomizations.normalize("a/b/../c.yaml")).contains("a/c.yaml");
        assertThat(Kustomizations.normalize("../repo/x/../y/")).contains("../repo/y/");
        assertThat(Kustomizations.normalize("/abs/../../x")).isEmpty();
    }

    private static CompileResult compile(SourceFile... files) {
        return Workspace.builder().build().compile(new SourceTree(List.of(files)), Compiler.Mode.CHECK);
    }

    private static Map<String, String> namespaces(CompileResult result) {
        Map<String, String> out = new java.util.TreeMap<>();
        result.resources().forEach(r -> out.put(r.name(), r.namespace()));
        return out;
    }
}
