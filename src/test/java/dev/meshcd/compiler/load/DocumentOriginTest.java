package dev.meshcd.compiler.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Decoder;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A resource's own position (what the sync's source annotation uses) equals the one the position index gives. */
class DocumentOriginTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\n",
            "# leading comment\n\n---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: a, namespace: shop}\n---\n"
                    + "# another\nkind: Service\napiVersion: v1\nmetadata:\n  name: b\n  namespace: shop\n",
            "{apiVersion: v1, kind: Service, metadata: {name: a, namespace: shop}}\n",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a, namespace: shop}\n"
                    + "- {apiVersion: v1, kind: Service, metadata: {name: b, namespace: shop}}\n"})
    void rootPositionFromLoadingEqualsIndexedPosition(String yaml) {
        ParsedFile file = new YamlLoader().load(SourceFile.ofString("f.yaml", yaml));
        List<Resource> resources = new Decoder(KindRegistry.standard(), "default").decode(file, new Diagnostics());
        assertThat(resources).isNotEmpty();
        for (Resource r : resources) {
            DocumentOrigin o = (DocumentOrigin) r.origin();
            assertThat(r.locate(FieldPath.ROOT)).as(r.key().display())
                    .isEqualTo(file.locate(o.documentIndex(), o.base()));
            assertThat(r.locate(FieldPath.ROOT).hasPosition()).isTrue();
        }
    }
}
