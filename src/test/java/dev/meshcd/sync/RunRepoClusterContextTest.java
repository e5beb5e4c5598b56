package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.testing.Await;
import dev.meshcd.testing.CliProcess;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshcd run --repo} gates each sync on the repository plus the live cluster (from the webhook's informer
 * caches): a repository routing to a Service only the cluster holds syncs, and a commit that misspells that host
 * is refused as an error (the cluster is a complete view), keeping the last good commit applied.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class RunRepoClusterContextTest {
    private static final String NS = "ctxsync";
    private static LocalCluster cluster;
    private static KubernetesClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void clusterOnlyService(LocalCluster c) {
        cluster = c;
        client = c.client(cfg -> { });
        for (String yaml : List.of("apiVersion: v1\nkind: Namespace\nmetadata: {name: ctxsync-backend}\n",
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: ctxsync}\n", """
                apiVersion: v1
                kind: Service
                metadata: {name: ratings, namespace: ctxsync-backend}
                spec:
                  selector: {app: ratings}
                  ports: [{name: http, port: 9080, protocol: TCP}]
                """)) {
            client.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).serverSideApply();
        }
        RunRepoClusterTest.client = client;
    }

    @AfterAll
    static void cleanUp() {
        client.namespaces().withName("ctxsync-backend").delete();
        client.close();
    }

    private static String vs(String host) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart, namespace: ctxsync}
                spec:
                  hosts: [cart.example.com]
                  http:
                  - route:
                    - destination: {host: HOST}
                """.replace("HOST", host);
    }

    @Test
    void syncsAgainstTheClusterAndRefusesATypoOfAClusterOnlyHost() throws Exception {
        try (GitServer server = new GitServer(tmp.resolve("srv"))) {
            Path work = server.createRepo(NS, tmp.resolve("work"));
            String good = GitServer.commit(work, "route to the cluster's ratings", "cart.yaml",
                    vs("ratings.ctxsync-backend.svc.cluster.local"));
            List<String> args = List.of("run", "--host", "127.0.0.1", "--port", "0", "--san", "127.0.0.1",
                    "--cert-dir", tmp.resolve("certs").toString(), "--kubeconfig", cluster.kubeconfig().toString(),
                    "--repo", server.url(NS), "--name", NS, "--cache-dir", tmp.resolve("cache").toString(),
                    "--interval", "1s", "--status", "notes");
            try (CliProcess run = CliProcess.start(tmp.resolve("logs"), "run", args)) {
                Await.until(Duration.ofSeconds(90), "the commit that needs the cluster's Service applied\n"
                        + run.output(), () -> good.equals(RunRepoClusterTest.appliedCommit(NS)));

                String typo = GitServer.commit(work, "misspell it", "cart.yaml",
                        vs("ratingz.ctxsync-backend.svc.cluster.local"));
                Await.until(Duration.ofSeconds(60), "the misspelled commit refused\n" + run.output(),
                        () -> run.output().contains(typo) && run.output().contains("does not compile"));

                assertThat(run.output()).contains("IST0101").contains("ratingz.ctxsync-backend.svc.cluster.local");
                assertThat(RunRepoClusterTest.appliedCommit(NS)).as("the last good commit stays applied").isEqualTo(good);
            }
        }
    }
}
