package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kubeconfig} end to end against the real API server: a repository that routes to a Service and binds a
 * Gateway only the cluster holds checks clean against the cluster, a typo of that host is an error (the cluster
 * is a complete view), and without the cluster the same references are warnings saying how to declare them.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class KubeconfigContextTest {
    private static LocalCluster cluster;
    private static KubernetesClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void clusterOnlyObjects(LocalCluster c) {
        cluster = c;
        client = c.client(cfg -> { });
        for (String yaml : List.of("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: kc-backend}
                """, """
                apiVersion: v1
                kind: Namespace
                metadata: {name: kc-ingress}
                """, """
                apiVersion: v1
                kind: Service
                metadata: {name: ratings, namespace: kc-backend}
                spec:
                  selector: {app: ratings}
                  ports: [{name: http, port: 9080, protocol: TCP}]
                """, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: ingressgateway, namespace: kc-ingress}
                spec:
                  selector: {matchLabels: {istio: kc-ingressgateway}}
                  template:
                    metadata: {labels: {istio: kc-ingressgateway}}
                    spec: {containers: [{name: istio-proxy, image: istio/proxyv2}]}
                """, """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: public, namespace: kc-ingress}
                spec:
                  selector: {istio: kc-ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                """)) {
            client.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).serverSideApply();
        }
    }

    @AfterAll
    static void cleanUp() {
        client.namespaces().withName("kc-backend").delete();
        client.namespaces().withName("kc-ingress").delete();
        client.close();
    }

    private Path repo(String host) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo-" + host.replace('.', '-')));
        Files.writeString(repo.resolve("shop.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata: {name: kc-shop}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: kc-shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [kc-ingress/public]
                  http:
                  - route:
                    - destination: {host: HOST, port: {number: 9080}}
                """.replace("HOST", host));
        return repo;
    }

    @Test
    void referencesIntoTheClusterResolveAgainstIt() throws Exception {
        CliTest.Run r = CliTest.run("check", "--no-config", repo("ratings.kc-backend.svc.cluster.local").toString(),
                "--kubeconfig", cluster.kubeconfig().toString());

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).doesNotContain("IST0101").contains("0 errors, 0 warnings");
    }

    @Test
    void aTypoIsAnErrorAgainstTheWholeCluster() throws Exception {
        CliTest.Run r = CliTest.run("check", "--no-config", repo("ratingz.kc-backend.svc.cluster.local").toString(),
                "--kubeconfig", cluster.kubeconfig().toString());

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("error IST0101").contains("ratingz.kc-backend.svc.cluster.local")
                .contains("1 error");
    }

    @Test
    void withTheClusterMinusNReportsOneNamespaceUnlessMinusA() throws Exception {
        String repo = repo("ratingz.kc-backend.svc.cluster.local").toString();
        String kubeconfig = cluster.kubeconfig().toString();

        CliTest.Run other = CliTest.run("check", "--no-config", repo, "--kubeconfig", kubeconfig, "-n", "kc-other");
        CliTest.Run all = CliTest.run("check", "--no-config", repo, "--kubeconfig", kubeconfig, "-n", "kc-other", "-A");
        CliTest.Run own = CliTest.run("check", "--no-config", repo, "--kubeconfig", kubeconfig, "-n", "kc-shop");

        assertThat(other.exit()).as(other.out() + other.err()).isEqualTo(ExitCodes.OK);
        assertThat(other.out()).doesNotContain("IST0101");
        assertThat(all.exit()).as(all.out() + all.err()).isEqualTo(ExitCodes.ERRORS);
        assertThat(all.out()).contains("error IST0101");
        assertThat(own.exit()).as(own.out() + own.err()).isEqualTo(ExitCodes.ERRORS);
        assertThat(own.out()).contains("error IST0101");
    }

    @Test
    void withoutTheClusterTheSameReferencesAreWarningsThatSayHowToDeclareThem() throws Exception {
        CliTest.Run r = CliTest.run("check", "--no-config", repo("ratings.kc-backend.svc.cluster.local").toString());

        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("warning IST0101").contains("--kubeconfig").doesNotContain("error IST0101");
    }

    @Test
    void anUnreadableClusterIsAUsageErrorNotAFailedCheck() throws Exception {
        Path bad = dir.resolve("kubeconfig");
        Files.writeString(bad, Files.readString(cluster.kubeconfig()).replaceAll("server: https://127.0.0.1:\\d+",
                "server: https://127.0.0.1:1"));
        CliTest.Run r = CliTest.run("check", "--no-config", repo("ratings.kc-backend.svc.cluster.local").toString(),
                "--kubeconfig", bad.toString());

        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("cannot read the cluster of " + bad).doesNotContain("\tat ");
        CliTest.Run missing = CliTest.run("check", "--no-config", dir.toString(), "--kubeconfig",
                dir.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no such file (--kubeconfig)");
    }
}
