package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.apply.SyncStateStore;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.CommitStatus.State;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Kill the API server mid-apply → recovered and reported", end to end: a private control plane (its own etcd and
 * kube-apiserver, so no other test loses its cluster), a real git daemon, the real {@link Reconciler}. A commit of
 * a few hundred objects is being applied when kube-apiserver is killed with SIGKILL (after the first objects were
 * applied: the kill is triggered from the sync's own HTTP client, so the moment is exact); the sync must report the
 * failure and keep the last applied commit; once the API server is back on the same port, the next reconcile
 * applies everything and reports success.
 */
@Tag("cluster")
class ApiServerCrashTest {
    static final int OBJECTS = 300;
    static final int KILL_AFTER = 40;

    static LocalCluster cluster;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        cluster = LocalCluster.startPrivate();
        System.out.println("private control plane up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        KubernetesClient c = cluster.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("crash").endMetadata().build()).create();
        awaitIstioCrds(c);
    }

    /** Waits until discovery serves Istio's API groups (the CRDs were installed by {@link LocalCluster}). */
    static void awaitIstioCrds(KubernetesClient c) throws InterruptedException {
        KubeObjects kube = new KubeObjects(c);
        long deadline = System.currentTimeMillis() + 60_000;
        while (kube.servedVersion("networking.istio.io").isEmpty() || kube.servedVersion("security.istio.io").isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Istio CRDs not served");
            }
            Thread.sleep(300);
            kube.resetDiscovery();
        }
        Thread.sleep(1000); // CRDs established
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A Service and its workload in {@code namespace}: what routes to host {@code web} need to compile. */
    static String webContext(String namespace) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: NS}
                spec: {ports: [{port: 80, name: http}], selector: {app: web}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: NS}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: web:1}]}
                """.replace("NS", namespace);
    }

    static String route(String name, String timeout) {
        return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name
                + ", namespace: crash}\nspec: {hosts: [" + name + ".example.com], http: [{timeout: " + timeout
                + ", route: [{destination: {host: web}}]}]}\n";
    }

    /** The sync's client: the kill is triggered from its own request path, after {@code KILL_AFTER} applied objects. */
    static final class KillMidApply implements Interceptor {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger appliedAtKill = new AtomicInteger(-1);
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (armed.get() && "PATCH".equals(request.method()) && applied.get() >= KILL_AFTER
                    && armed.compareAndSet(true, false)) {
                try {
                    appliedAtKill.set(applied.get());
                    cluster.stopApiServer();
                } catch (Exception e) {
                    error.set(e);
                }
            }
        }

        @Override
        public void after(HttpRequest request, HttpResponse<?> response,
                          io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<ByteBuffer>> consumer) {
            if ("PATCH".equals(request.method()) && response.code() / 100 == 2) {
                applied.incrementAndGet();
            }
        }
    }

    @Test
    void apiServerKilledMidApplyIsReportedAndRecovered() throws Exception {
        KillMidApply killer = new KillMidApply();
        Config cfg = Config.fromKubeconfig(null, Files.readString(cluster.kubeconfig()), cluster.kubeconfig().toString());
        cfg.setRequestRetryBackoffLimit(1); // fabric8's own retries; meshcd's Applier retries on top
        List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        try (GitServer server = new GitServer(tmp.resolve("srv"));
             KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg)
                     .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("kill-mid-apply", killer)).build()) {
            Path work = server.createRepo("mesh", tmp.resolve("work"));
            String c1 = GitServer.commit(work, "one route", "context.yaml", webContext("crash"), "routes.yaml", route("r0", "5s"));
            SyncOptions options = SyncOptions.builder("crash", server.url("mesh"), tmp.resolve("cache"))
                    .retry(3, Duration.ofMillis(100)).parallelism(4).build();
            try (Reconciler r = Reconciler.create(options, client, statuses::add)) {
                SyncResult first = r.reconcile();
                assertThat(first.phase()).as(first.message()).isEqualTo(SyncResult.Phase.SYNCED);

                StringBuilder many = new StringBuilder();
                for (int i = 0; i < OBJECTS; i++) {
                    many.append(route("r" + i, "7s"));
                }
                String c2 = GitServer.commit(work, "many routes", "routes.yaml", many.toString());
                statuses.clear();
                killer.applied.set(0);
                killer.armed.set(true);
                long t0 = System.nanoTime();
                SyncResult crashed = r.reconcile();
                long crashMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("reconcile with the API server killed after " + killer.appliedAtKill.get()
                        + " applied objects: " + crashed.phase() + " in " + crashMs + " ms: " + crashed.message());
                assertThat(killer.error.get()).isNull();
                assertThat(killer.appliedAtKill.get()).as("killed mid-apply").isGreaterThanOrEqualTo(KILL_AFTER);
                assertThat(crashed.commit()).isEqualTo(c2);
                assertThat(crashed.phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);
                assertThat(crashed.ok()).isFalse();
                // the killer counts a success when its headers arrive; up to `parallelism` of those can still
                // lose their body to the kill, and then they are failures to the Applier
                assertThat(crashed.applied()).isBetween(KILL_AFTER - options.parallelism(), OBJECTS - 1);
                assertThat(crashed.message()).startsWith("partial: " + crashed.applied() + "/" + OBJECTS + " applied")
                        .contains("last good " + c1.substring(0, 7));
                List<CommitStatus> sync = statuses.stream().filter(s -> s.context().equals("meshcd/sync")).toList();
                assertThat(sync).extracting(CommitStatus::state).containsExactly(State.PENDING, State.FAILURE);
                assertThat(sync).allMatch(s -> s.sha().equals(c2));
                assertThat(r.lastReport()).as("objects not started once the server was gone are not attempted")
                        .contains("not attempted: API server unreachable");
                assertThat(crashMs).as("fails fast instead of retrying every remaining object").isLessThan(60_000);

                // Still down: the next poll reports the cluster unreachable, never success.
                statuses.clear();
                long t1 = System.nanoTime();
                SyncResult down = r.reconcile();
                System.out.println("reconcile while down: " + (System.nanoTime() - t1) / 1_000_000 + " ms");
                assertThat(down.phase()).isEqualTo(SyncResult.Phase.APPLY_FAILED);
                assertThat(down.message()).contains("cluster unreachable").contains("cluster stays at " + c1.substring(0, 7));
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/sync"))
                        .extracting(CommitStatus::state).containsExactly(State.PENDING, State.ERROR);

                long t2 = System.nanoTime();
                cluster.startApiServer();
                System.out.println("API server back in " + (System.nanoTime() - t2) / 1_000_000 + " ms");
                // Back: the record still names the last applied commit; the cluster holds a partial state.
                assertThat(new SyncStateStore(cluster.client(), SyncOptions.DEFAULT_STATE_NAMESPACE, "crash").load().orElseThrow().commit()).isEqualTo(c1);
                assertThat(routes(c2)).hasSizeBetween(KILL_AFTER, OBJECTS - 1);

                statuses.clear();
                long t3 = System.nanoTime();
                SyncResult recovered = r.reconcile();
                System.out.println("recovery reconcile: " + (System.nanoTime() - t3) / 1_000_000 + " ms");
                assertThat(recovered.phase()).as(recovered.message()).isEqualTo(SyncResult.Phase.SYNCED);
                assertThat(recovered.applied() + recovered.unchanged()).isEqualTo(OBJECTS);
                assertThat(recovered.applied()).as("only what the crash left out").isLessThan(OBJECTS);
                assertThat(routes(c2)).hasSize(OBJECTS);
                assertThat(new SyncStateStore(cluster.client(), SyncOptions.DEFAULT_STATE_NAMESPACE, "crash").load().orElseThrow().commit()).isEqualTo(c2);
                assertThat(statuses).filteredOn(s -> s.context().equals("meshcd/sync"))
                        .extracting(CommitStatus::state).containsExactly(State.PENDING, State.SUCCESS);
                System.out.println("recovered: " + recovered.message());
            }
        }
    }

    /** Managed routes in namespace crash that carry commit {@code sha}. */
    static List<String> routes(String sha) {
        return cluster.client().genericKubernetesResources(new KubeObjects(cluster.client())
                        .context("networking.istio.io", "v1", "VirtualService")).inNamespace("crash").list().getItems().stream()
                .filter(g -> sha.equals(g.getMetadata().getAnnotations().get(Ownership.COMMIT)))
                .map(GenericKubernetesResource::getMetadata).map(m -> m.getName()).collect(Collectors.toList());
    }
}
