package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.sync.SyncResult;
import dev.meshcd.sync.SyncResult.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync's note on /readyz: there while it fails (since when, why), gone once a sync succeeds. */
class SyncHealthTest {
    static SyncResult result(Phase phase, String message) {
        return new SyncResult("0123456789abcdef", phase, message, 0, 0, 0, List.of());
    }

    @Test
    void notesAFailureUntilASyncSucceeds() {
        SyncWiring.Health health = new SyncWiring.Health("mesh");
        assertThat(health.note()).isEmpty();

        health.accept(result(Phase.FETCH_FAILED, "fetch git://git.example/mesh.git: Connection refused"));
        String first = health.note().orElseThrow();
        assertThat(first).startsWith("sync mesh: fetch_failed since ")
                .endsWith(": fetch git://git.example/mesh.git: Connection refused");

        // the same failure again keeps its start time; another one says what fails now
        health.accept(result(Phase.FETCH_FAILED, "fetch git://git.example/mesh.git: Connection refused"));
        assertThat(health.note()).contains(first);
        health.accept(result(Phase.APPLY_FAILED, "cluster unreachable; cluster stays at 0123456"));
        assertThat(health.note().orElseThrow()).startsWith("sync mesh: apply_failed since ")
                .endsWith("cluster unreachable; cluster stays at 0123456");

        health.accept(result(Phase.SYNCED, "applied 3"));
        assertThat(health.note()).isEmpty();
        health.accept(result(Phase.UP_TO_DATE, "up to date"));
        assertThat(health.note()).isEmpty();
    }
}
