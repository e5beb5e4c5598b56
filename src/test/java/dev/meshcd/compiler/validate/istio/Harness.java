package dev.meshcd.compiler.validate.istio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;

/** Runs YAML through the standard pipeline (VALIDATE) and checks the findings of one rule. */
final class Harness {
    private static final Compiler COMPILER = StandardStages.compiler(CompileOptions.DEFAULT);

    private Harness() {
    }

    /**
     * One rule: a document that must pass and one that must produce {@code severity} at {@code path}.
     * {@code passing} must produce no error and no finding at {@code path}.
     */
    record Rule(String name, String passing, String failing, Severity severity, String path) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Rule error(String name, String passing, String failing, String path) {
        return new Rule(name, passing, failing, Severity.ERROR, path);
    }

    static Rule warning(String name, String passing, String failing, String path) {
        return new Rule(name, passing, failing, Severity.WARNING, path);
    }

    /** A whole object of the given apiVersion and kind with a flow-style spec, in namespace "ns". */
    static String doc(String apiVersion, String kind, String spec) {
        return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata: {name: t, namespace: ns}\nspec: " + spec + "\n";
    }

    static String vs(String spec) {
        return doc("networking.istio.io/v1", "VirtualService", spec);
    }

    static String dr(String spec) {
        return doc("networking.istio.io/v1", "DestinationRule", spec);
    }

    static String gw(String spec) {
        return doc("networking.istio.io/v1", "Gateway", spec);
    }

    static String se(String spec) {
        return doc("networking.istio.io/v1", "ServiceEntry", spec);
    }

    static String sidecar(String spec) {
        return doc("networking.istio.io/v1", "Sidecar", spec);
    }

    static String ap(String spec) {
        return doc("security.istio.io/v1", "AuthorizationPolicy", spec);
    }

    static String pa(String spec) {
        return doc("security.istio.io/v1", "PeerAuthentication", spec);
    }

    static String ra(String spec) {
        return doc("security.istio.io/v1", "RequestAuthentication", spec);
    }

    static String tel(String spec) {
        return doc("telemetry.istio.io/v1", "Telemetry", spec);
    }

    static String wasm(String spec) {
        return doc("extensions.istio.io/v1alpha1", "WasmPlugin", spec);
    }

    static String ef(String spec) {
        return doc("networking.istio.io/v1alpha3", "EnvoyFilter", spec);
    }

    static List<Diagnostic> run(String yaml) {
        return COMPILER.compile(SourceTree.of(SourceFile.ofString("t-" + yaml.hashCode() + ".yaml", yaml)),
                Compiler.Mode.VALIDATE).diagnostics().stream().filter(d -> d.severity() != Severity.INFO).toList();
    }

    static void check(Rule rule) {
        List<Diagnostic> ok = run(rule.passing());
        assertThat(ok).as("passing document of %s", rule.name())
                .noneMatch(d -> d.severity() == Severity.ERROR)
                .noneMatch(d -> d.path().equals(rule.path()) && d.severity() == rule.severity());
        List<Diagnostic> bad = run(rule.failing());
        assertThat(bad).as("failing document of %s", rule.name())
                .anySatisfy(d -> {
                    assertThat(d.severity()).isEqualTo(rule.severity());
                    if (rule.severity() == Severity.ERROR) {
                        assertThat(d.code()).isEqualTo(Codes.SCHEMA_VALIDATION_ERROR);
                    } else {
                        // each kind of webhook warning has its own code; the umbrella MCD2001 is never reported
                        assertThat(ValidationWarning.isValidationWarning(d.code())).as(d.code()).isTrue();
                        assertThat(d.code()).isNotEqualTo(Codes.VALIDATION_WARNING);
                    }
                    assertThat(d.path()).isEqualTo(rule.path());
                    assertThat(d.location().line()).isPositive();
                });
    }
}
