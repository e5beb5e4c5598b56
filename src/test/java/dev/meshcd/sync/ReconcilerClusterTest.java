package dev.meshcd.sync;

import static dev.meshcd.sync.MeshDocs.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.kube.Ownership;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.apply.SyncStateStore;
import dev.meshcd.sync.drift.Drift;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop against a real kube-apiserver with Istio's CRDs: apply, only-what-changed, prune, drift
 * (kubectl-edit style update), self-heal, restart resuming from the ConfigMap, a rejected apply keeping
 * the last good commit, force-push, and leader election. The cluster comes from {@link LocalClusterExtension}.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class ReconcilerClusterTest {
    static KubernetesClient client;


    static final String ENVOY_FILTER = """
            apiVersion: networking.istio.io/v1alpha3
            kind: EnvoyFilter
            metadata: {name: lua, namespace: shop}
            spec:
              workloadSelector: {labels: {app: cart}}
              configPatches:
              - applyTo: HTTP_FILTER
                match: {context: SIDECAR_INBOUND}
                patch: {operation: INSERT_BEFORE, value: {name: envoy.lua}}
            """;

    @TempDir
    Path tmp;

    @BeforeAll
    static void connect(LocalCluster cluster) throws Exception {
        client = cluster.client(cfg -> { }); // our own client: closed after this class, the cluster's stays open
        installIstioCrds();
        for (String ns : List.of("shop", "other")) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                        .create();
            }
        }
    }

    /** LocalCluster installs Istio's CRDs with meshcd's CrdInstaller; wait until discovery serves them. */
    static void installIstioCrds() throws Exception {
        KubeObjects kube = new KubeObjects(client);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            kube.resetDiscovery();
            if (kube.servedVersion("networking.istio.io").isPresent() && kube.servedVersion("security.istio.io").isPresent()) {
                Thread.sleep(1000); // CRDs established
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("Istio CRDs not served");
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static ResourceDefinitionContext ctx(String kind) {
        return new KubeObjects(client).context("networking.istio.io", "v1", kind);
    }

    static GenericKubernetesResource live(String kind, String ns, String name) {
        return client.genericKubernetesResources(ctx(kind)).inNamespace(ns).withName(name).get();
    }

    @Test
    void appliesOnlyChangesPrunesDetectsDriftHealsAndResumes() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                many.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-").append(i)
                        .append(", namespace: shop}\nspec: {ports: [{port: 80, name: http}]}\n");
                many.append("---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: svc-")
                        .append(i).append(", namespace: shop}\nspec: {hosts: [svc-").append(i)
                        .append("], http: [{route: [{destination: {host: svc-").append(i).append("}}]}]}\n");
            }
            String c1 = GitServer.commit(work, "initial", "clusters/prod/context.yaml", CONTEXT, "clusters/prod/gw.yaml", GW, "clusters/prod/se.yaml", SE,
                    "clusters/prod/cart.yaml", DR_CART + "---\n" + VS, "clusters/prod/many.yaml", many.toString(),
                    "clusters/prod/ef.yaml", ENVOY_FILTER);
            // Another repo's object must survive prune.
            GenericKubernetesResource foreign = new GenericKubernetesResource();
            foreign.setApiVersion("networking.istio.io/v1");
            foreign.setKind("VirtualService");
            foreign.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("foreign").withNamespace("other")
                    .addToLabels(Ownership.MANAGED_BY, Ownership.MANAGER).addToAnnotations(Ownership.REPO, "staging").build());
            foreign.setAdditionalProperty("spec", java.util.Map.of("hosts", List.of("foreign")));
            client.genericKubernetesResources(ctx("VirtualService")).inNamespace("other").resource(foreign)
                    .fieldManager("meshcd").serverSideApply();

            // meshcd installed in a namespace of its own choosing keeps its record there
            SyncOptions options = SyncOptions.builder("prod", server.url("mesh"), tmp.resolve("cache"))
                    .path("clusters/prod").cluster("test").retry(3, Duration.ofMillis(100))
                    .stateNamespace("platform-gitops").build();
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                long t0 = System.nanoTime();
                SyncResult first = r.reconcile();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("initial sync of 45 objects: " + ms + " ms");
                assertThat(first.phase()).as(first.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(first.applied()).isEqualTo(45);
                assertThat(first.drift()).isEmpty();
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/sync (test)"))
                        .extracting(CommitStatus::state).containsExactly(State.PENDING, State.SUCCESS);
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/drift (test)"))
                        .extracting(CommitStatus::state).containsExactly(State.SUCCESS);

                GenericKubernetesResource vs = live("VirtualService", "shop", "cart");
                assertThat(vs.getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY, "meshcd");
                assertThat(vs.getMetadata().getAnnotations()).containsEntry(Ownership.COMMIT, c1)
                        .containsEntry(Ownership.REPO, "prod").containsEntry(Ownership.SOURCE, "clusters/prod/cart.yaml#L8");
                assertThat(vs.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("meshcd");
                assertThat(new SyncStateStore(client, "platform-gitops", "prod").load().orElseThrow().commit())
                        .isEqualTo(c1);
                assertThat(new SyncStateStore(client, SyncOptions.DEFAULT_STATE_NAMESPACE, "prod").load())
                        .as("nothing kept in the default namespace").isEmpty();

                // Nothing new: up to date, no re-apply.
                assertThat(r.reconcile().phase()).isEqualTo(SyncResult.Phase.UP_TO_DATE);

                // One change: only that object is applied.
                String c2 = GitServer.commit(work, "shift weight", "clusters/prod/cart.yaml",
                        DR_CART + "---\n" + VS.replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20"));
                SyncResult second = r.reconcile();
                assertThat(second.phase()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(second.applied()).isEqualTo(1);
                assertThat(second.unchanged()).isEqualTo(44);
                assertThat(live("VirtualService", "shop", "cart").getMetadata().getAnnotations()).containsEntry(Ownership.COMMIT, c2);
                assertThat(live("Gateway", "shop", "gw").getMetadata().getAnnotations()).containsEntry(Ownership.COMMIT, c1);

                // Removal: pruned; the other repo's object stays.
                // (the route to the ServiceEntry's host goes with it, or the commit would not compile)
                GitServer.commit(work, "drop service entry and filter", "clusters/prod/se.yaml", null,
                        "clusters/prod/ef.yaml", null, "clusters/prod/cart.yaml", DR_CART + "---\n"
                                + VS.replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20")
                                .replace("  - route: [{destination: {host: api.example.com}}]\n", ""));
                SyncResult third = r.reconcile();
                assertThat(third.pruned()).as("EnvoyFilter is served as v1alpha3 only").isEqualTo(2);
                assertThat(live("ServiceEntry", "shop", "api")).isNull();
                assertThat(live("VirtualService", "other", "foreign")).isNotNull();

                // Drift: someone edits the weights with an Update (as kubectl edit does).
                client.genericKubernetesResources(ctx("VirtualService")).inNamespace("shop").withName("cart")
                        .edit(g -> {
                            @SuppressWarnings("unchecked")
                            var spec = (java.util.Map<String, Object>) g.getAdditionalProperties().get("spec");
                            @SuppressWarnings("unchecked")
                            var http = (List<java.util.Map<String, Object>>) spec.get("http");
                            @SuppressWarnings("unchecked")
                            var route = (List<java.util.Map<String, Object>>) http.get(0).get("route");
                            route.get(0).put("weight", 50);
                            route.get(1).put("weight", 50);
                            return g;
                        });
                statuses.clear();
                SyncResult driftRun = r.reconcile();
                assertThat(driftRun.phase()).isEqualTo(SyncResult.Phase.UP_TO_DATE);
                assertThat(driftRun.drift()).extracting(Drift::path)
                        .containsExactlyInAnyOrder("spec.http[0].route[0].weight", "spec.http[0].route[1].weight");
                assertThat(statuses).singleElement().satisfies(s -> {
                    assertThat(s.context()).isEqualTo("meshcd/drift (test)");
                    assertThat(s.state()).isEqualTo(State.FAILURE);
                    assertThat(s.description()).contains("VirtualService shop/cart spec.http[0].route[0].weight");
                });
                System.out.println("drift reported: " + driftRun.drift());
            }

            // Restart with self-heal and a fresh cache: resumes from the ConfigMap, heals the drift.
            statuses.clear();
            try (Reconciler healer = Reconciler.create(options.toBuilder().selfHeal(true).build(), client, statuses::add)) {
                SyncResult healed = healer.reconcile();
                assertThat(healed.phase()).isEqualTo(SyncResult.Phase.UP_TO_DATE);
                assertThat(healed.drift()).hasSize(2);
                @SuppressWarnings("unchecked")
                var spec = (java.util.Map<String, Object>) live("VirtualService", "shop", "cart").getAdditionalProperties().get("spec");
                assertThat(spec.toString()).contains("weight=80").contains("weight=20");
                assertThat(statuses).extracting(CommitStatus::description).contains("self-healed 1 drifted resources");
                assertThat(healer.reconcile().drift()).isEmpty();
            }
        }
    }

    @Test
    void rejectedApplyKeepsLastGoodCommitAndForcePushIsNoted() throws Exception {
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo("mesh2", tmp.resolve("work"));
            String good = GitServer.commit(work, "good", "context.yaml", CONTEXT, "a.yaml", GW.replace("name: gw", "name: gw2"));
            SyncOptions options = SyncOptions.builder("second", server.url("mesh2"), tmp.resolve("cache"))
                    .retry(2, Duration.ofMillis(50)).build();
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                assertThat(r.reconcile().phase()).isEqualTo(SyncResult.Phase.SYNCED);
                // The API server refuses an object in a namespace that does not exist (404, not retried).
                GitServer.commit(work, "bad", "b.yaml", GW.replace("namespace: shop", "namespace: ghost")
                        .replace("number: 80, name: http", "number: 8080, name: http-alt"));
                statuses.clear();
                SyncResult failed = r.reconcile();
                assertThat(failed.phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);
                assertThat(failed.message()).contains("0/1 applied").contains("Gateway ghost/gw")
                        .contains("last good " + good.substring(0, 7));
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/sync"))
                        .extracting(CommitStatus::state).containsExactly(State.PENDING, State.FAILURE);
                assertThat(statuses).noneMatch(s -> s.context().equals("meshcd/sync") && s.state() == State.SUCCESS);
                assertThat(new SyncStateStore(client, SyncOptions.DEFAULT_STATE_NAMESPACE, "second").load().orElseThrow().commit()).isEqualTo(good);
                // The next poll retries the apply; the compile statuses are not posted again.
                statuses.clear();
                assertThat(r.reconcile().phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);
                assertThat(statuses).extracting(CommitStatus::context).containsOnly("meshcd/sync");

                // Force-push a new history without the recorded commit: applied normally, the rewrite noted.
                GitServer.git(work, "checkout", "-q", "--orphan", "fresh");
                GitServer.git(work, "rm", "-q", "-rf", ".");
                String fresh = GitServer.commit(work, "fresh history", "context.yaml", CONTEXT, "d.yaml",
                        GW.replace("name: gw", "name: gw3"));
                GitServer.git(work, "push", "-q", "-f", "origin", "fresh:main");
                statuses.clear();
                SyncResult rewritten = r.reconcile();
                assertThat(rewritten.commit()).isEqualTo(fresh);
                assertThat(rewritten.phase()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(rewritten.message()).contains("history rewritten: " + good.substring(0, 7));
                assertThat(rewritten.pruned()).as("gw2 is gone from the new history").isEqualTo(1);
            }
        }
    }

    @Test
    void onlyOneReplicaLeads() throws Exception {
        AtomicInteger leadsA = new AtomicInteger();
        AtomicInteger leadsB = new AtomicInteger();
        String namespace = "leases-elsewhere"; // created by the first replica to start
        LeaderElection a = new LeaderElection(client, namespace, "default", "replica-a", Duration.ofSeconds(3),
                leadsA::incrementAndGet, () -> { });
        LeaderElection b = new LeaderElection(client, namespace, "default", "replica-b", Duration.ofSeconds(3),
                leadsB::incrementAndGet, () -> { });
        try {
            a.start();
            waitFor(() -> leadsA.get() == 1, 20);
            b.start();
            Thread.sleep(4000);
            assertThat(leadsB.get()).as("b waits while a holds the lease").isZero();
            Lease lease = client.leases().inNamespace(namespace).withName(LeaderElection.leaseName("default")).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-a");
            a.close();
            waitFor(() -> leadsB.get() == 1, 20);
        } finally {
            a.close();
            b.close();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met in " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

}
