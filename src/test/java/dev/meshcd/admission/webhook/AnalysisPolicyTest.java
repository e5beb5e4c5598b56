package dev.meshcd.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.ResourceKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnalysisPolicyTest {
    private static final ResourceKey CART = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "ERROR,   IST0101, spec.http[0].route[1].destination.subset, ERROR",
            "ERROR,   IST0101, spec.http[0].route[0].destination.host,   WARNING",
            "ERROR,   IST0109, spec.hosts[0],                            WARNING",
            "ERROR,   IST0173, spec.subsets[0].name,                     WARNING",
            "WARNING, IST0174, spec.host,                                WARNING",
            "INFO,    MCD1010, kind,                                     INFO",
    })
    void onlyMissingSubsetsDenyAtAdmission(Severity in, String code, String path, Severity out) {
        Diagnostic d = new Diagnostic(in, code, "m", CART, SourceLocation.NONE, path);
        assertThat(AnalysisPolicy.STANDARD.apply(d).severity()).isEqualTo(out);
    }
}
