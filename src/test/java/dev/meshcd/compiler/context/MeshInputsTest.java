package dev.meshcd.compiler.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.analyze.MeshInputs;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.config.MeshcdConfigParser;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Istio's mesh config and mesh networks as analyzers read them: from meshcd.yaml (inline or a file), from a
 * ConfigMap istio in the repository; one error per mistake in meshcd.yaml, at its line.
 */
class MeshInputsTest {
    private static final String HEAD = "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n";

    private static CompileResult compile(SourceFile... files) {
        Workspace ws = Workspace.builder().configName("repo/meshcd.yaml").build();
        return ws.compile(new SourceTree(List.of(files)), Compiler.Mode.CHECK);
    }

    @Test
    void inlineMeshConfigAndNetworksBecomeTheRootNamespacesConfigMap() {
        CompileResult r = compile(SourceFile.ofString("repo/meshcd.yaml", HEAD + """
                meshConfig:
                  defaultConfig: {image: {imageType: distroless}}
                meshNetworks:
                  networks: {n1: {endpoints: [{fromRegistry: Kubernetes}]}}
                """));
        assertThat(r.diagnostics()).isEmpty();
        assertThat(MeshInputs.meshConfig(r.index()).path("defaultConfig").path("image").path("imageType").asText())
                .isEqualTo("distroless");
        assertThat(MeshInputs.meshNetworks(r.index()).path("networks").path("n1").path("endpoints").size()).isEqualTo(1);
    }

    @Test
    void findingsAboutMeshcdYamlsMeshNetworksAreReportedThere() {
        CompileResult r = compile(SourceFile.ofString("repo/meshcd.yaml", HEAD + """
                meshNetworks:
                  networks: {n1: {endpoints: [{fromRegistry: kubernetes}]}}
                """));
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("IST0126");
            assertThat(d.message()).isEqualTo("Unknown service registry kubernetes in network n1");
            assertThat(d.location().file()).isEqualTo("repo/meshcd.yaml");
            assertThat(d.location().line()).isEqualTo(3);
        });
    }

    @Test
    void meshFilesAreReadFromTheTreeAndNotCompiled() {
        CompileResult r = compile(
                SourceFile.ofString("repo/meshcd.yaml", HEAD + "meshConfigFile: mesh/mesh.yaml\n"
                        + "meshNetworksFile: mesh/networks.yaml\n"),
                SourceFile.ofString("repo/mesh/mesh.yaml", "defaultProviders: {accessLogging: [envoy]}\n"),
                SourceFile.ofString("repo/mesh/networks.yaml", "networks: {}\n"));
        assertThat(r.diagnostics()).as("the mesh files are inputs, not resources without a kind").isEmpty();
        assertThat(MeshInputs.meshConfig(r.index()).path("defaultProviders").path("accessLogging").get(0).asText())
                .isEqualTo("envoy");
        assertThat(MeshInputs.meshNetworks(r.index()).path("networks").isObject()).isTrue();
    }

    @Test
    void aMissingMeshFileIsOneErrorAtItsEntry() {
        CompileResult r = compile(SourceFile.ofString("repo/meshcd.yaml", HEAD + "meshConfigFile: nowhere.yaml\n"));
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("MCD9001");
            assertThat(d.location().line()).isEqualTo(3);
            assertThat(d.message()).contains("nowhere.yaml");
        });
    }

    @Test
    void aRepositoryConfigMapIsTheMeshConfig() {
        CompileResult r = compile(SourceFile.ofString("repo/cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |
                    rootNamespace: istio-system
                """));
        assertThat(MeshInputs.meshConfig(r.index()).path("rootNamespace").asText()).isEqualTo("istio-system");
        assertThat(MeshInputs.meshNetworks(r.index()).isMissingNode()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "meshConfig: [a]|4|meshConfig must be a mapping",
            "meshConfig: {a: b}\\nmeshConfigFile: m.yaml|5|give meshConfig or meshConfigFile, not both",
            "meshNetworksFile: /etc/net.yaml|4|meshNetworksFile must be a path relative",
            "meshNetworksFile: 3|4|meshNetworksFile must be a path relative"})
    void mistakesAreOneErrorEach(String yaml, int line, String message) {
        MeshcdConfig c = MeshcdConfigParser.parse(SourceFile.ofString("meshcd.yaml", HEAD + "defaultNamespace: x\n"
                + yaml.replace("\\n", "\n") + "\n"));
        assertThat(c.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.message()).startsWith(message);
            assertThat(d.location().line()).isEqualTo(line);
        });
        assertThat(c.external()).as("nothing half-read is used").isEmpty();
    }

    static String text(Diagnostic d) {
        return d.code() + " " + d.message();
    }
}
