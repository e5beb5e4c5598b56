package dev.meshcd.sync;

import static dev.meshcd.sync.MeshDocs.VS_SIMPLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.sync.plan.DesiredObject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler's state between passes as a value: the transitions its steps make, alone, and what a pass
 * leaves in it (no API server: the client points at a closed port, as in {@link ReconcilerCompileGateTest}).
 */
class SyncStateTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final List<DesiredObject> OBJECTS = List.of(new DesiredObject(
            new ResourceKey("networking.istio.io", "VirtualService", "shop", "cart"), "networking.istio.io/v1",
            JsonNodeFactory.instance.objectNode(), "cart.yaml#L1", "h1"));

    @TempDir
    Path tmp;

    @Test
    void aRecordedCommitIsTheDiffBaseWhileTheClusterRecordNamesIt() {
        SyncState s = SyncState.INITIAL.recorded(A, OBJECTS);
        assertThat(s.lastAppliedCommit()).isEqualTo(A);
        assertThat(s.diffBaseFor(A)).isEqualTo(OBJECTS);
        assertThat(s.diffBaseFor(B)).as("another replica recorded B: list the cluster").isNull();
        assertThat(s.diffBaseFor(null)).isNull();
        assertThat(SyncState.INITIAL.diffBaseFor(A)).isNull();
    }

    @Test
    void anApplyDropsTheDiffBaseUntilItIsRecorded() {
        SyncState applying = SyncState.INITIAL.recorded(A, OBJECTS).applying();
        assertThat(applying.diffBaseFor(A)).isNull();
        assertThat(applying.desiredOf(A)).as("the objects stay for the drift check").isEqualTo(OBJECTS);
        SyncState failed = applying.applyFailed("VirtualService shop/cart: 422");
        assertThat(failed.diffBaseFor(A)).isNull();
        assertThat(failed.lastAppliedCommit()).as("the last good commit stays").isEqualTo(A);
        assertThat(failed.lastReport()).isEqualTo("VirtualService shop/cart: 422");
        assertThat(failed.recorded(B, OBJECTS).diffBaseFor(B)).isEqualTo(OBJECTS);
    }

    @Test
    void desiredObjectsOfAnotherCommitAreNoDiffBase() {
        // after a restart the drift check compiles the recorded commit: its objects, but no diff base
        SyncState s = SyncState.INITIAL.recorded(A, OBJECTS).withDesired(B, OBJECTS);
        assertThat(s.desiredOf(B)).isEqualTo(OBJECTS);
        assertThat(s.desiredOf(A)).isNull();
        assertThat(s.diffBaseFor(A)).isNull();
        assertThat(s.diffBaseFor(B)).isNull();
    }

    @Test
    void transitionsLeaveTheStateTheyStartFromAlone() {
        SyncState before = SyncState.INITIAL.compiled(A);
        SyncState after = before.compileFailed(B, "report").refused(B, "unsigned").withDriftCheckDue(true)
                .published(B, "meshcd/sync", "FAILURE unsigned");
        assertThat(before).isEqualTo(SyncState.INITIAL.compiled(A));
        assertThat(after.compiledCommit()).isEqualTo(A);
        assertThat(after.compileFailedCommit()).isEqualTo(B);
        assertThat(after.refusedCommit()).isEqualTo(B);
        assertThat(after.lastReport()).isEqualTo("unsigned");
        assertThat(after.driftCheckDue()).isTrue();
        assertThat(after.compiled(null).compiledCommit()).isNull();
        assertThatThrownBy(() -> after.published().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void publishedStatusesAreRememberedAndTrimmedToTheCurrentCommit() {
        SyncState s = SyncState.INITIAL;
        for (int i = 0; i <= SyncState.PUBLISHED_KEPT; i++) {
            s = s.published(String.format("%040d", i), "meshcd/sync", "SUCCESS applied");
        }
        assertThat(s.published()).hasSize(SyncState.PUBLISHED_KEPT + 1);
        assertThat(s.lastPublished(String.format("%040d", 0), "meshcd/sync")).isEqualTo("SUCCESS applied");
        assertThat(s.lastPublished(A, "meshcd/sync")).isNull();

        SyncState next = s.published(A, "meshcd/compile", "PENDING compiling").published(A, "meshcd/sync", "PENDING applying");
        assertThat(next.published()).containsOnlyKeys(A + " meshcd/compile", A + " meshcd/sync");
        assertThat(next.lastPublished(A, "meshcd/compile")).isEqualTo("PENDING compiling");
    }

    @Test
    void aPassLeavesWhatItLearnedInTheState() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv"));
             KubernetesClient client = ReconcilerCompileGateTest.unreachableCluster()) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String broken = GitServer.commit(work, "broken", "cart.yaml", VS_SIMPLE, "context.yaml", MeshDocs.CONTEXT,
                    "bad.yaml", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: [oops\n");
            SyncOptions options = SyncOptions.builder("prod", server.url("mesh"), tmp.resolve("cache"))
                    .retry(1, Duration.ofMillis(10)).build();
            try (Reconciler reconciler = Reconciler.create(options, client, s -> { })) {
                assertThat(reconciler.state()).isEqualTo(SyncState.INITIAL);

                reconciler.reconcile();
                SyncState failed = reconciler.state();
                assertThat(failed.compiledCommit()).as("the workspace holds it").isEqualTo(broken);
                assertThat(failed.compileFailedCommit()).isEqualTo(broken);
                assertThat(failed.lastReport()).contains("bad.yaml");
                assertThat(failed.lastPublished(broken, "meshcd/compile")).startsWith("FAILURE 1 error: bad.yaml");
                assertThat(failed.lastPublished(broken, "meshcd/sync"))
                        .isEqualTo("FAILURE not applied: compile failed; cluster stays at nothing");

                reconciler.reconcile();
                assertThat(reconciler.state()).as("a known failure changes nothing").isEqualTo(failed);

                String fixed = GitServer.commit(work, "fix", "bad.yaml", null);
                reconciler.reconcile();
                SyncState unreachable = reconciler.state();
                assertThat(unreachable.compiledCommit()).isEqualTo(fixed);
                assertThat(unreachable.compileFailedCommit()).isEqualTo(broken);
                assertThat(unreachable.lastPublished(fixed, "meshcd/compile")).isEqualTo("SUCCESS 6 resources, 0 warnings");
                assertThat(unreachable.lastPublished(fixed, "meshcd/sync")).startsWith("ERROR not applied: cluster unreachable");
                assertThat(unreachable.lastAppliedCommit()).isNull();
                assertThat(unreachable.desired()).isNull();
                assertThat(unreachable.diffBase()).isNull();
            }
        }
    }
}
