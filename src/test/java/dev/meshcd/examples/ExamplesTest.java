package dev.meshcd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.source.SourceFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shop example is a genuinely clean mesh under the full standard compiler. */
class ExamplesTest {
    @Test
    void shopHasNoErrorsOrWarnings() throws Exception {
        assertThat(ExampleRepo.config().diagnostics()).isEmpty();
        CompileResult r = ExampleRepo.check();
        assertThat(r.diagnostics()).filteredOn(d -> d.severity().atLeast(Severity.WARNING))
                .as("errors and warnings in examples/").isEmpty();
        assertThat(r.resources()).noneMatch(res -> res.origin().fileName().startsWith("examples/broken/"));
        assertThat(r.resources()).noneMatch(res -> res.kind().kind().equals("MeshcdConfig"));
        // the example covers what it claims to
        assertThat(r.index().ofKind(Kind.VIRTUAL_SERVICE)).hasSize(6);
        assertThat(r.index().ofKind(Kind.DESTINATION_RULE)).hasSize(5);
        assertThat(r.index().ofKind(Kind.GATEWAY)).hasSize(1);
        assertThat(r.index().ofKind(Kind.SERVICE_ENTRY)).hasSize(1);
        assertThat(r.index().ofKind(Kind.PEER_AUTHENTICATION)).hasSize(3);
        assertThat(r.index().ofKind(Kind.AUTHORIZATION_POLICY)).hasSize(9);
        assertThat(r.index().ofKind(Kind.DEPLOYMENT)).hasSize(11);
        assertThat(r.index().ofKind(Kind.SERVICE)).hasSize(7);
    }

    @Test
    void withoutTheConfigTheIngressGatewayIsMissing() throws Exception {
        // proves meshcd.yaml's workload declaration is what makes the Gateway's selector resolve; without it the
        // selector may match a workload installed outside the repository, so it is a warning saying how to declare it
        CompileResult r = dev.meshcd.compiler.pipeline.StandardStages.compiler(
                dev.meshcd.compiler.pipeline.CompileOptions.DEFAULT).compile(
                dev.meshcd.compiler.source.DirectorySource.read(java.util.List.of(ExampleRepo.ROOT.resolve("shop"),
                        ExampleRepo.ROOT.resolve("istio-system"))), dev.meshcd.compiler.pipeline.Compiler.Mode.CHECK);
        assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(r.diagnostics()).filteredOn(d -> d.code().equals("IST0101"))
                .extracting(Diagnostic::severity, Diagnostic::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(dev.meshcd.compiler.diag.Severity.WARNING,
                        "spec.selector"));
        assertThat(r.diagnostics()).filteredOn(d -> d.code().equals("IST0101")).first()
                .extracting(Diagnostic::message).asString().contains("workloads:", "context:", "--kubeconfig");
    }

    /** Exit code and standard output of one CLI run. */
    record Run(int rc, String out) {
    }

    private static Run cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            int rc = dev.meshcd.cli.Main.run(args);
            return new Run(rc, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void cliCheckOfExamplesIsClean() {
        Run r = cli("check", "--no-color", "examples/");
        assertThat(r.rc()).as(r.out()).isZero();
    }

    @Test
    void cliDiscoversTheConfigInAParentOfTheFirstPath() {
        assertThat(cli("check", "examples/shop", "examples/istio-system").rc()).isZero();
        Run noConfig = cli("check", "--no-color", "--no-config", "examples/shop", "examples/istio-system");
        assertThat(noConfig.rc()).as("an outside gateway workload is a warning, not an error").isZero();
        assertThat(noConfig.out()).contains("warning IST0101 [Gateway istio-system/shop-gateway]");
        Run broken = cli("check", "--no-color", "--config", "examples/meshcd.yaml", "examples/shop",
                "examples/istio-system", "examples/broken/missing-subset.yaml");
        assertThat(broken.rc()).isEqualTo(1);
        assertThat(broken.out()).contains("examples/broken/missing-subset.yaml:18:13: error IST0101");
    }

    @Test
    void cliReportsBadConfigWithPosition() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("meshcd-config");
        java.nio.file.Path cfg = dir.resolve("meshcd.yaml");
        java.nio.file.Files.writeString(cfg, "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\nworkload: []\n");
        java.nio.file.Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
        Run r = cli("check", "--no-color", dir.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).contains("meshcd.yaml:3:1: error MCD9001").contains("unknown field \"workload\"");
        assertThat(cli("check", "--config", dir.resolve("nope.yaml").toString(), dir.toString()).rc()).isEqualTo(2);
    }

    @Test
    void anExplicitlyNamedBrokenFileIsCheckedDespiteExclude() throws Exception {
        SourceFile f = new SourceFile("examples/broken/missing-subset.yaml",
                java.nio.file.Files.readAllBytes(ExampleRepo.ROOT.resolve("broken/missing-subset.yaml")));
        assertThat(ExampleRepo.config().applyTo(new dev.meshcd.compiler.source.SourceTree(java.util.List.of(f)),
                java.util.Set.of(f.name())).files()).hasSize(1);
        assertThat(ExampleRepo.config().applyTo(new dev.meshcd.compiler.source.SourceTree(java.util.List.of(f)))
                .files()).isEmpty();
    }
}
