package dev.meshcd.compiler.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps meshcd's copy of Istio's message catalogue equal to the real one in ../shared. */
class IstioMessagesCatalogueTest {
    @Test
    void everyCatalogueEntryIsKnownWithTheSameNameAndLevel() throws Exception {
        Path file = SharedData.istio("messages/messages.yaml");
        var root = new YamlLoader().load(new SourceFile("messages.yaml", Files.readAllBytes(file)))
                .documents().get(0).root();
        int n = 0;
        for (var m : root.get("messages")) {
            var ours = IstioMessages.lookup(m.get("code").asText());
            assertThat(ours).as(m.get("code").asText()).isPresent();
            assertThat(ours.get().name()).isEqualTo(m.get("name").asText());
            assertThat(ours.get().level()).isEqualTo(Severity.valueOf(m.get("level").asText().toUpperCase()));
            n++;
        }
        assertThat(IstioMessages.all()).hasSize(n);
    }
}
