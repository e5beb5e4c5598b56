package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.sync.git.GitCredentials;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncOptionsTest {
    private static final Path CACHE = Path.of("/tmp/meshcd-cache");

    @Test
    void theBuilderStartsFromTheDefaults() {
        SyncOptions o = SyncOptions.builder("prod", "git://h/mesh", CACHE).build();
        assertThat(o).isEqualTo(SyncOptions.of("prod", "git://h/mesh", CACHE));
        assertThat(o.branch()).isEqualTo("main");
        assertThat(o.path()).isEmpty();
        assertThat(o.credentials()).isEqualTo(GitCredentials.NONE);
        assertThat(o.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.prune()).isTrue();
        assertThat(o.selfHeal()).isFalse();
        assertThat(o.forceConflicts()).isTrue();
        assertThat(o.parallelism()).isEqualTo(8);
        assertThat(o.maxAttempts()).isEqualTo(5);
        assertThat(o.backoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.requiresSignedCommits()).isFalse();
        assertThat(o.stateNamespace()).isEqualTo(SyncOptions.DEFAULT_STATE_NAMESPACE);
    }

    @Test
    void toBuilderChangesOnlyWhatIsSet() {
        SyncOptions o = SyncOptions.builder("prod", "git://h/mesh", CACHE).branch("release").path("clusters/prod")
                .cluster("prod-eu").targetUrl("https://ci/x").prune(false).retry(2, Duration.ofSeconds(1))
                .parallelism(3).stateNamespace("gitops").build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        SyncOptions healed = o.toBuilder().selfHeal(true).build();
        assertThat(healed.selfHeal()).isTrue();
        assertThat(healed.toBuilder().selfHeal(false).build()).isEqualTo(o);
    }

    @Test
    void buildValidatesAndFillsDefaults() {
        assertThatThrownBy(() -> SyncOptions.builder("Not_A_Label", "u", CACHE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sync name must be a DNS label");
        assertThatThrownBy(() -> SyncOptions.builder("prod", "u", CACHE).stateNamespace("Bad NS").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state namespace");
        SyncOptions o = SyncOptions.builder("prod", "u", CACHE).branch(" ").path(null).interval(null).parallelism(0)
                .retry(0, null).compileOptions(null).stateNamespace("").build();
        assertThat(o).isEqualTo(SyncOptions.of("prod", "u", CACHE));
    }
}
