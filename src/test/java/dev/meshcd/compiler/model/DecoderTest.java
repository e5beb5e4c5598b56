package dev.meshcd.compiler.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecoderTest {
    private final Decoder decoder = new Decoder(KindRegistry.standard(), "default");

    private List<Resource> decode(String yaml, Diagnostics sink) {
        return decoder.decode(new YamlLoader().load(SourceFile.ofString("r.yaml", yaml)), sink);
    }

    @Test
    void decodesIstioAndContextKindsWithDefaultNamespace() {
        Diagnostics sink = new Diagnostics();
        List<Resource> rs = decode("""
                apiVersion: networking.istio.io/v1beta1
                kind: VirtualService
                metadata: {name: cart}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                """, sink);
        assertThat(sink.sorted()).isEmpty();
        assertThat(rs).extracting(r -> r.key().display())
                .containsExactly("VirtualService default/cart", "Namespace shop");
        assertThat(rs.get(0).version()).isEqualTo("v1beta1");
    }

    @Test
    void expandsListsAndLocatesItems() {
        Diagnostics sink = new Diagnostics();
        List<Resource> rs = decode("""
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: a, namespace: shop}
                - apiVersion: v1
                  kind: Service
                  metadata:
                    name: b
                """, sink);
        assertThat(rs).extracting(Resource::name).containsExactly("a", "b");
        assertThat(rs.get(1).locate(FieldPath.of("metadata", "name")).line()).isEqualTo(10);
    }

    @Test
    void reportsMissingTypeMetaNameAndUnknownVersions() {
        Diagnostics sink = new Diagnostics();
        decode("""
                kind: Service
                metadata: {name: a}
                ---
                apiVersion: v1
                kind: Service
                metadata: {}
                ---
                apiVersion: networking.istio.io/v2
                kind: VirtualService
                metadata: {name: a}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """, sink);
        assertThat(sink.sorted()).extracting(Diagnostic::code, Diagnostic::severity).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Codes.MISSING_TYPE_META, Severity.ERROR),
                org.assertj.core.groups.Tuple.tuple(Codes.MISSING_NAME, Severity.ERROR),
                org.assertj.core.groups.Tuple.tuple(Codes.UNKNOWN_VERSION, Severity.ERROR),
                org.assertj.core.groups.Tuple.tuple(Codes.UNKNOWN_KIND, Severity.INFO));
        assertThat(sink.sorted().get(2).location().line()).isEqualTo(8);
    }
}
