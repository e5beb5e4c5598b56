package dev.meshcd.compiler.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionMessageRendererTest {
    private static final ResourceKey CART = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");

    static Diagnostic d(Severity s, String code, String path, String msg) {
        return new Diagnostic(s, code, msg, CART, SourceLocation.NONE, path);
    }

    @Test
    void listsEachErrorWithCodeAndPathAndNoFilePosition() {
        List<Diagnostic> ds = List.of(
                d(Severity.ERROR, "IST0106", "spec.http[0].route[0].weight", "weight must be between 0 and 100"),
                d(Severity.WARNING, "MCD2001", "spec.http[0].timeout", "timeout is very long"),
                d(Severity.ERROR, "IST0101", "", "Referenced host not found: \"cart\""));
        assertThat(AdmissionMessageRenderer.denial("VirtualService shop/cart", ds)).isEqualTo(
                "meshcd denied VirtualService shop/cart: IST0106 spec.http[0].route[0].weight: weight must be between 0 and 100; "
                        + "IST0101 Referenced host not found: \"cart\"");
        assertThat(AdmissionMessageRenderer.warnings(ds)).containsExactly("MCD2001 spec.http[0].timeout: timeout is very long");
    }

    @Test
    void longMessagesAreTruncated() {
        List<Diagnostic> many = java.util.stream.IntStream.range(0, 500)
                .mapToObj(i -> d(Severity.ERROR, "IST0106", "spec.http[" + i + "]", "bad")).toList();
        String m = AdmissionMessageRenderer.denial("VirtualService shop/cart", many);
        assertThat(m).hasSizeLessThanOrEqualTo(AdmissionMessageRenderer.MAX_MESSAGE).endsWith("(truncated)");
    }
}
