package dev.meshcd.compiler.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which findings a change introduces and fixes: the same code, resource and field path is the same finding. */
class DiagnosticDeltaTest {
    private static final ResourceKey CART = new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart");
    private static final ResourceKey SHOP = new ResourceKey("networking.istio.io", "VirtualService", "shop", "shop");

    private static Diagnostic d(String code, ResourceKey subject, String file, int line, String path) {
        return new Diagnostic(Severity.ERROR, code, "m" + line, subject, new SourceLocation(file, line, 1), path);
    }

    static Stream<Arguments> cases() {
        Diagnostic a = d("IST0101", CART, "cart.yaml", 10, "spec.http[0]");
        return Stream.of(
                Arguments.of("unchanged", List.of(a), List.of(a), 0, 0),
                Arguments.of("moved down 5 lines, file renamed", List.of(a),
                        List.of(d("IST0101", CART, "shop/cart.yaml", 15, "spec.http[0]")), 0, 0),
                Arguments.of("another field", List.of(a), List.of(d("IST0101", CART, "cart.yaml", 10, "spec.http[1]")), 1, 1),
                Arguments.of("another resource", List.of(a), List.of(d("IST0101", SHOP, "cart.yaml", 10, "spec.http[0]")), 1, 1),
                Arguments.of("another code", List.of(a), List.of(d("IST0104", CART, "cart.yaml", 10, "spec.http[0]")), 1, 1),
                Arguments.of("a second identical one", List.of(a), List.of(a, d("IST0101", CART, "cart.yaml", 20, "spec.http[0]")), 1, 0),
                Arguments.of("fixed", List.of(a), List.of(), 0, 1),
                Arguments.of("no resource: by file", List.of(d("MCD1001", null, "a.yaml", 1, "")),
                        List.of(d("MCD1001", null, "b.yaml", 1, "")), 1, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void introducedAndFixed(String name, List<Diagnostic> base, List<Diagnostic> head, int introduced, int fixed) {
        DiagnosticDelta delta = DiagnosticDelta.between(base, head);
        assertThat(delta.introduced()).hasSize(introduced);
        assertThat(delta.fixed()).hasSize(fixed);
    }
}
