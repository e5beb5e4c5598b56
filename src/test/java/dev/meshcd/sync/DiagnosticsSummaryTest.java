package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosticsSummaryTest {
    private static final ResourceKey CART = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");

    static Diagnostic error(String file, int line, String code, String message) {
        return new Diagnostic(Severity.ERROR, code, message, CART, new SourceLocation(file, line, 3), "spec");
    }

    @Test
    void oneError() {
        assertThat(Reconciler.diagnosticsSummary(List.of(error("mesh/a.yaml", 4, "IST0101", "Referenced host not found"),
                new Diagnostic(Severity.WARNING, "MCD2001", "just a warning", null, SourceLocation.NONE, ""))))
                .isEqualTo("1 error: mesh/a.yaml:4: IST0101 Referenced host not found");
    }

    @Test
    void firstThreeThenEllipsisWithinTheLimit() {
        List<Diagnostic> d = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            d.add(error("m/" + i + ".yaml", i, "IST0106", "bad " + i));
        }
        assertThat(Reconciler.diagnosticsSummary(d))
                .isEqualTo("5 errors: m/1.yaml:1: IST0106 bad 1; m/2.yaml:2: IST0106 bad 2; m/3.yaml:3: IST0106 bad 3; …");
    }

    @Test
    void longMessagesAreCutToTheForgeLimit() {
        String s = Reconciler.diagnosticsSummary(List.of(error("mesh/a.yaml", 4, "IST0101", "x".repeat(300))));
        assertThat(s).hasSize(CommitStatus.MAX_DESCRIPTION).startsWith("1 error: mesh/a.yaml:4: IST0101 xxx").endsWith("…");
    }
}
