package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.apply.SyncStateStore;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --require-signed-by} end to end: real git daemon, real signed commits, the real {@link Reconciler} against
 * a real kube-apiserver. Only a commit signed by a trusted key is applied; an unsigned one, one signed by another
 * key and one whose content was swapped under a trusted signature are refused with a failing {@code meshcd/sync}
 * status saying why, nothing applied and the recorded commit kept.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class ReconcilerSignedCommitsTest {
    static final SigningKey ALICE = SigningKey.generate("Alice <alice@example.com>");
    static final SigningKey MALLORY = SigningKey.generate("Mallory <mallory@example.com>");
    static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster cluster) throws Exception {
        client = cluster.client(cfg -> { });
        ApiServerCrashTest.awaitIstioCrds(client);
        if (client.namespaces().withName("signed").get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("signed").endMetadata().build())
                    .create();
        }
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static String vs(String timeout) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: signed}\n"
                + "spec: {hosts: [web], http: [{timeout: " + timeout + ", route: [{destination: {host: web}}]}]}\n";
    }

    /** The live VirtualService's timeout and the commit it came from. */
    static List<String> live() {
        GenericKubernetesResource g = client.genericKubernetesResources(new KubeObjects(client).context("networking.istio.io", "v1",
                "VirtualService")).inNamespace("signed").withName("web").get();
        @SuppressWarnings("unchecked")
        var spec = (Map<String, Object>) g.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        var http = (List<Map<String, Object>>) spec.get("http");
        return List.of(String.valueOf(http.get(0).get("timeout")), g.getMetadata().getAnnotations().get(Ownership.COMMIT));
    }

    @Test
    void onlyCommitsSignedByTrustedKeysAreApplied() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            GitServer.commit(work, "initial", "context.yaml", ApiServerCrashTest.webContext("signed"), "vs.yaml", vs("5s"));
            String good = ALICE.signHeadAndPush(work);
            SyncOptions options = SyncOptions.builder("signed", server.url("mesh"), tmp.resolve("cache"))
                    .retry(2, Duration.ofMillis(50)).trustedKeys(ALICE.trusted()).build();
            assertThat(options.requiresSignedCommits()).isTrue();
            SyncStateStore store = new SyncStateStore(client, SyncOptions.DEFAULT_STATE_NAMESPACE, "signed");
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                // Signed by the trusted key: applied.
                SyncResult first = r.reconcile();
                assertThat(first.phase()).as(first.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(live()).containsExactly("5s", good);
                assertThat(store.load().orElseThrow().commit()).isEqualTo(good);

                // Unsigned: refused, said so once, nothing compiled or applied.
                statuses.clear();
                String unsigned = GitServer.commit(work, "unsigned change", "vs.yaml", vs("6s"));
                assertRefused(r, statuses, unsigned, "not applied: unsigned commit; cluster stays at " + good.substring(0, 7),
                        good);
                statuses.clear();
                assertThat(r.reconcile().phase()).isEqualTo(SyncResult.Phase.UNTRUSTED);
                assertThat(statuses).as("reported once").isEmpty();

                // Signed, but by a key that is not trusted.
                statuses.clear();
                GitServer.commit(work, "mallory's change", "vs.yaml", vs("7s"));
                String byMallory = MALLORY.signHeadAndPush(work);
                assertRefused(r, statuses, byMallory, "not applied: signed by unknown key " + MALLORY.signingKeyId()
                        + "; cluster stays at " + good.substring(0, 7), good);

                // Alice's signature kept, the tree swapped for another one: a bad signature.
                statuses.clear();
                String aliceSigned = SigningKey.resign(work, "HEAD", ALICE);
                String evil = GitServer.commit(work, "evil tree", "vs.yaml", vs("99s"));
                String tampered = SigningKey.tamper(work, aliceSigned, "tree " + tree(work, aliceSigned),
                        "tree " + tree(work, evil));
                GitServer.git(work, "push", "-q", "-f", "origin", "HEAD:main");
                assertRefused(r, statuses, tampered, "not applied: bad signature by key " + ALICE.signingKeyId()
                        + " (Alice <alice@example.com>); cluster stays at " + good.substring(0, 7), good);

                // Trusted again: applied.
                statuses.clear();
                GitServer.commit(work, "signed change", "vs.yaml", vs("8s"));
                String next = ALICE.signHeadAndPush(work);
                SyncResult applied = r.reconcile();
                assertThat(applied.phase()).as(applied.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(live()).containsExactly("8s", next);
                assertThat(store.load().orElseThrow().commit()).isEqualTo(next);
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/sync"))
                        .extracting(CommitStatus::state).containsExactly(State.PENDING, State.SUCCESS);
            }

            // Without the requirement the same reconciler settings apply an unsigned head.
            GitServer.commit(work, "unsigned again", "vs.yaml", vs("9s"));
            try (Reconciler open = Reconciler.create(options.toBuilder().trustedKeys(null).build(), client, statuses::add)) {
                assertThat(open.reconcile().phase()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(live().get(0)).isEqualTo("9s");
            }
        }
    }

    private static void assertRefused(Reconciler r, List<CommitStatus> statuses, String sha, String description,
                                      String lastGood) {
        SyncResult result = r.reconcile();
        assertThat(result.commit()).isEqualTo(sha);
        assertThat(result.phase()).as(result.message()).isEqualTo(SyncResult.Phase.UNTRUSTED);
        assertThat(result.ok()).isFalse();
        assertThat(result.applied()).isZero();
        assertThat(result.message()).isEqualTo(description);
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.sha()).isEqualTo(sha);
            assertThat(s.context()).isEqualTo("meshcd/sync");
            assertThat(s.state()).isEqualTo(State.FAILURE);
            assertThat(s.description()).isEqualTo(description);
        });
        assertThat(live()).containsExactly("5s", lastGood);
        assertThat(new SyncStateStore(client, SyncOptions.DEFAULT_STATE_NAMESPACE, "signed").load().orElseThrow().commit()).isEqualTo(lastGood);
    }

    static String tree(Path work, String commit) throws Exception {
        return GitServer.git(work, "rev-parse", commit + "^{tree}").strip();
    }
}
