package dev.meshcd.compiler.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * meshcd.yaml's {@code clusters:}: each named cluster's Services are compared with the repository's of the same
 * namespace and name (IST0170), and are otherwise context no other analyzer sees.
 */
class ClusterServicesTest {
    private static final String CONFIG = """
            apiVersion: meshcd.dev/v1alpha1
            kind: MeshcdConfig
            clusters:
              east: clusters/east
              west: [clusters/west]
            """;

    private static String service(String name, String spec) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: shop}
                spec:
                %s""".formatted(name, spec.indent(2));
    }

    private static final String PORTS = "ports: [{name: http, port: 80}]\n";

    private static List<Diagnostic> ist0170(CompileResult r) {
        return r.diagnostics().stream().filter(d -> d.code().equals("IST0170")).toList();
    }

    private static CompileResult compile(Workspace ws, String repo, String east, String west) {
        return ws.compile(new SourceTree(List.of(SourceFile.ofString("meshcd.yaml", CONFIG),
                SourceFile.ofString("svc.yaml", repo), SourceFile.ofString("clusters/east/svc.yaml", east),
                SourceFile.ofString("clusters/west/svc.yaml", west))), Compiler.Mode.CHECK);
    }

    @Test
    void aServiceDifferentInAnotherClusterIsReportedOnTheRepositorysService() {
        Workspace ws = Workspace.builder().configName("meshcd.yaml").build();
        CompileResult r = compile(ws, service("cart", "type: ClusterIP\n" + PORTS),
                service("cart", PORTS), service("cart", "type: LoadBalancer\n" + PORTS));
        assertThat(ist0170(r)).singleElement().satisfies(d -> {
            assertThat(d.resource()).isEqualTo("Service shop/cart");
            assertThat(d.location().file()).isEqualTo("svc.yaml");
            assertThat(d.location().line()).isEqualTo(5);
            assertThat(d.path()).isEqualTo("spec.type");
            assertThat(d.message()).isEqualTo("The service cart in namespace \"shop\" is inconsistent across clusters"
                    + " [\"(repository)\" \"west\"], which can lead to undefined behaviors. The inconsistent"
                    + " behaviors are: service type is inconsistent.");
        });
    }

    @Test
    void kubernetesDefaultsCountAsWrittenAndNodePortIsTheClusters() {
        Workspace ws = Workspace.builder().configName("meshcd.yaml").build();
        CompileResult r = compile(ws,
                service("cart", "type: NodePort\nports: [{name: http, port: 80, protocol: TCP, targetPort: 80}]\n"),
                service("cart", "type: NodePort\nports: [{name: http, port: 80, nodePort: 30080}]\n"),
                service("cart", "type: NodePort\nports: [{name: http, port: 80, nodePort: 31080}]\n"));
        assertThat(r.diagnostics()).as("nothing but the comparison reads another cluster's Services").isEmpty();
        assertThat(r.resources()).as("another cluster's Services are never compiled").hasSize(1);
    }

    @Test
    void headlessBesideClusterIpNamesEveryClusterAndPortsDifferByName() {
        Workspace ws = Workspace.builder().configName("meshcd.yaml").build();
        CompileResult r = compile(ws, service("cart", "clusterIP: None\n" + PORTS),
                service("cart", PORTS), service("cart", "clusterIP: None\nports: [{name: web, port: 80}]\n"));
        assertThat(ist0170(r)).singleElement().satisfies(d -> {
            assertThat(d.path()).isEqualTo("spec.clusterIP");
            assertThat(d.message()).contains("[\"(repository)\" \"east\" \"west\"]",
                    "service has mixed mode like headless and clusterIP; service ports are inconsistent");
        });
    }

    @Test
    void aChangedClusterFileIsComparedAgainOnUpdate() {
        Workspace ws = Workspace.builder().configName("meshcd.yaml").build();
        assertThat(ist0170(compile(ws, service("cart", PORTS), service("cart", PORTS), service("cart", PORTS))))
                .isEmpty();
        CompileResult r = ws.update(List.of(SourceFile.ofString("clusters/east/svc.yaml",
                service("cart", "ports: [{name: http, port: 8080}]\n"))), List.of(), Compiler.Mode.CHECK);
        assertThat(ist0170(r)).singleElement().satisfies(d -> assertThat(d.message()).contains(
                "[\"(repository)\" \"east\"]", "service ports are inconsistent"));
        r = ws.update(List.of(SourceFile.ofString("svc.yaml", service("cart", "ports: [{name: http, port: 8080}]\n"))),
                List.of(), Compiler.Mode.CHECK);
        assertThat(ist0170(r)).singleElement().satisfies(d -> assertThat(d.message()).contains(
                "[\"(repository)\" \"west\"]"));
    }

    @Test
    void aMissingClusterPathIsAConfigErrorAtItsEntry() {
        Workspace ws = Workspace.builder().configName("meshcd.yaml").build();
        CompileResult r = ws.compile(new SourceTree(List.of(SourceFile.ofString("meshcd.yaml", CONFIG),
                SourceFile.ofString("svc.yaml", service("cart", PORTS)),
                SourceFile.ofString("clusters/east/svc.yaml", service("cart", PORTS)))), Compiler.Mode.CHECK);
        assertThat(r.diagnostics()).filteredOn(d -> d.code().equals(Codes.CONFIG)).singleElement()
                .satisfies(d -> {
                    assertThat(d.location().line()).isEqualTo(5);
                    assertThat(d.message()).contains("cluster west path \"clusters/west\"");
                });
    }
}
