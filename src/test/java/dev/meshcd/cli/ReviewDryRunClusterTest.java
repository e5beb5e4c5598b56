package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspaces;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.apply.KubeObjects;
import dev.meshcd.sync.plan.DesiredObject;
import dev.meshcd.sync.plan.Planner;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshcd review --kubeconfig} against the real API server: BASE is applied as the sync applies it; HEAD
 * changes a weight, removes a VirtualService and adds one in a namespace the cluster does not have. The review's
 * dry run names the fields that would change, the object the API server refuses (its NamespaceLifecycle admission)
 * and the object the sync would prune, and stores nothing.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
class ReviewDryRunClusterTest {
    private static final String NS = "rv-shop";
    private static LocalCluster cluster;
    private static KubernetesClient client;

    @TempDir
    Path repo;

    @BeforeAll
    static void namespace(LocalCluster c) {
        cluster = c;
        client = c.client(cfg -> { });
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .serverSideApply();
    }

    @AfterAll
    static void cleanUp() {
        client.namespaces().withName(NS).delete();
        client.close();
    }

    @Test
    void theDryRunSaysWhatTheApplyWouldDoAndStoresNothing() throws Exception {
        Files.writeString(repo.resolve("meshcd.yaml"), """
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                defaultNamespace: rv-shop
                """);
        Files.writeString(repo.resolve("cart.yaml"), cart(90, 10));
        Files.writeString(repo.resolve("old.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: old, namespace: rv-shop}
                spec:
                  hosts: [old.example.com]
                  http: [{route: [{destination: {host: cart}}]}]
                """);
        try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
            commit(git, "base");
            applyAsTheSyncDoes("HEAD");
            Files.writeString(repo.resolve("cart.yaml"), cart(50, 50));
            Files.delete(repo.resolve("old.yaml"));
            Files.writeString(repo.resolve("elsewhere.yaml"), """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: elsewhere, namespace: rv-nowhere}
                    spec:
                      hosts: [elsewhere.example.com]
                      http: [{route: [{destination: {host: cart.rv-shop.svc.cluster.local}}]}]
                    """);
            commit(git, "split evenly, drop old, add elsewhere");
        }

        CliRun r = CliRun.run("review", "--repo", repo.toString(), "HEAD~1", "HEAD",
                "--kubeconfig", cluster.kubeconfig().toString());

        assertThat(r.err()).doesNotContain("Exception");
        assertThat(r.out()).as(r.err())
                .contains("### Dry run on the cluster")
                .contains("| <code>VirtualService rv-shop/cart</code> | changed | "
                        + "<code>spec.http\\[0\\].route\\[0\\].weight</code>, <code>spec.http\\[0\\].route\\[1\\].weight</code> |")
                .contains("| <code>VirtualService rv-nowhere/elsewhere</code> | rejected | ")
                .contains("rv-nowhere")
                .contains("| <code>VirtualService rv-shop/old</code> | pruned |")
                .contains("**would not sync**: the API server rejects 1 object");
        // dryRun=All: the live object is as BASE left it
        var live = new KubeObjects(client).get(new ResourceKey("networking.istio.io", "VirtualService", NS, "cart"),
                "networking.istio.io/v1");
        assertThat(live.path("spec").path("http").get(0).path("route").get(0).path("weight").asInt()).isEqualTo(90);
    }

    private void applyAsTheSyncDoes(String revision) throws Exception {
        CompileResult base = Workspaces.atRevision(repo, revision, "", Workspaces.ConfigChoice.DISCOVER, null)
                .compile(Compiler.Mode.CHECK);
        assertThat(base.hasErrors()).as(base.diagnostics().toString()).isFalse();
        KubeObjects kube = new KubeObjects(client);
        for (DesiredObject d : new Planner("default", "cluster.local").desired(base.resources(), "base")) {
            kube.serverSideApply(d.key(), d.apiVersion(), d.body(), Ownership.FIELD_MANAGER, true);
        }
    }

    private static String cart(int v1, int v2) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: cart, namespace: rv-shop}
                spec:
                  selector: {app: cart}
                  ports: [{name: http, port: 8080, protocol: TCP}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: cart-v1, namespace: rv-shop}
                spec:
                  selector: {matchLabels: {app: cart, version: v1}}
                  template:
                    metadata: {labels: {app: cart, version: v1}}
                    spec: {containers: [{name: cart, image: cart:1}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: cart-v2, namespace: rv-shop}
                spec:
                  selector: {matchLabels: {app: cart, version: v2}}
                  template:
                    metadata: {labels: {app: cart, version: v2}}
                    spec: {containers: [{name: cart, image: cart:2}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: cart, namespace: rv-shop}
                spec:
                  host: cart
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart, namespace: rv-shop}
                spec:
                  hosts: [cart]
                  http:
                  - route:
                    - {destination: {host: cart, subset: v1}, weight: %d}
                    - {destination: {host: cart, subset: v2}, weight: %d}
                """.formatted(v1, v2);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("t", "t@example.com");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }
}
