package dev.meshcd.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompilerTest {
    private static final String VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec: {hosts: [cart]}
            """;

    @Test
    void duplicateResourcesAcrossFilesAreReportedAtTheSecond() {
        Compiler c = new Compiler(CompileOptions.DEFAULT, KindRegistry.standard(), List.of(), List.of(), List.of());
        CompileResult r = c.compile(new SourceTree(List.of(SourceFile.ofString("a.yaml", VS),
                SourceFile.ofString("b.yaml", VS))), Compiler.Mode.CHECK);
        assertThat(r.resources()).hasSize(1);
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.DUPLICATE_RESOURCE);
            assertThat(d.location().file()).isEqualTo("b.yaml");
            assertThat(d.message()).contains("a.yaml:1:1");
        });
    }

    @Test
    void unchangedFilesAreNotValidatedAgain() {
        AtomicInteger calls = new AtomicInteger();
        ResourceValidator counting = (res, sink) -> calls.incrementAndGet();
        Compiler stages = new Compiler(CompileOptions.DEFAULT, KindRegistry.standard(), List.of(counting), List.of(), List.of());
        Workspace c = Workspace.builder().stages((o, f) -> stages).build();
        SourceFile a = SourceFile.ofString("a.yaml", VS);
        SourceFile b = SourceFile.ofString("b.yaml", VS.replace("cart", "catalog"));
        c.compile(new SourceTree(List.of(a, b)), Compiler.Mode.VALIDATE);
        assertThat(calls).hasValue(2);
        SourceFile b2 = SourceFile.ofString("b.yaml", VS.replace("cart", "checkout"));
        CompileResult r = c.compile(new SourceTree(List.of(a, b2)), Compiler.Mode.VALIDATE);
        assertThat(calls).hasValue(3);
        assertThat(r.resources()).extracting(x -> x.name()).containsExactly("cart", "checkout");
    }

    @Test
    void recompileWithNothingChangedReturnsTheLastAnswer() {
        AtomicInteger analyses = new AtomicInteger();
        dev.meshcd.compiler.analyze.Analyzer counting = new dev.meshcd.compiler.analyze.Analyzer() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public void analyze(dev.meshcd.compiler.index.MeshIndex index, dev.meshcd.compiler.diag.DiagnosticSink sink) {
                analyses.incrementAndGet();
            }

            @Override
            public java.util.Set<dev.meshcd.compiler.model.Kind> subjects() {
                return java.util.Set.of(dev.meshcd.compiler.model.Kind.VIRTUAL_SERVICE);
            }

            @Override
            public java.util.Set<dev.meshcd.compiler.model.Kind> reads() {
                return java.util.Set.of();
            }
        };
        Compiler stages = new Compiler(CompileOptions.DEFAULT, KindRegistry.standard(), List.of(), List.of(counting), List.of());
        Workspace c = Workspace.builder().stages((o, f) -> stages).build();
        SourceFile a = SourceFile.ofString("a.yaml", VS);
        CompileResult first = c.compile(SourceTree.of(a), Compiler.Mode.CHECK);
        assertThat(c.update(List.of(SourceFile.ofString("a.yaml", VS)), List.of(), Compiler.Mode.CHECK)).isSameAs(first);
        assertThat(analyses).hasValue(1);
        CompileResult changed = c.update(List.of(SourceFile.ofString("a.yaml", VS.replace("cart", "catalog"))),
                List.of(), Compiler.Mode.CHECK);
        assertThat(changed).isNotSameAs(first);
        assertThat(changed.resources()).extracting(x -> x.name()).containsExactly("catalog");
        assertThat(analyses).hasValue(2);
    }

    @Test
    void aFailingValidatorBecomesADiagnosticNotACrash() {
        ResourceValidator broken = (res, sink) -> {
            throw new IllegalStateException("boom");
        };
        Compiler c = new Compiler(CompileOptions.DEFAULT, KindRegistry.standard(), List.of(broken), List.of(), List.of());
        CompileResult r = c.compile(SourceTree.of(SourceFile.ofString("a.yaml", VS)), Compiler.Mode.CHECK);
        assertThat(r.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.INTERNAL);
        assertThat(r.hasErrors()).isTrue();
    }

    @Test
    void oneBrokenFileDoesNotHideTheOthers() {
        ResourceValidator flagAll = (res, sink) -> sink.report(res.diagnostic(Severity.ERROR, "TEST1",
                FieldPath.of("spec", "hosts", 0), "flagged"));
        Compiler c = new Compiler(CompileOptions.DEFAULT, KindRegistry.standard(), List.of(flagAll), List.of(), List.of());
        CompileResult r = c.compile(new SourceTree(List.of(SourceFile.ofString("a.yaml", "a: [\n"),
                SourceFile.ofString("b.yaml", VS))), Compiler.Mode.CHECK);
        assertThat(r.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.YAML_SYNTAX, "TEST1");
        Diagnostic flagged = r.diagnostics().get(1);
        assertThat(flagged.location().line()).isEqualTo(4);
        assertThat(flagged.path()).isEqualTo("spec.hosts[0]");
        assertThat(flagged.resource()).isEqualTo("VirtualService shop/cart");
    }
}
