package dev.meshcd.compiler.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.GitTreeSource;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshcd diff over two commits of a real Git repository, read with JGit from the object database. */
class MeshDiffTest {
    static final Path MESH = Path.of("src", "test", "resources", "envoy", "mesh");

    @TempDir
    static Path repoDir;
    static DiffReport report;

    @BeforeAll
    static void twoCommits() throws Exception {
        try (Git git = Git.init().setDirectory(repoDir.toFile()).setInitialBranch("main").call()) {
            Path mesh = repoDir.resolve("mesh");
            Files.createDirectories(mesh);
            try (Stream<Path> s = Files.list(MESH)) {
                for (Path p : s.toList()) {
                    Files.copy(p, mesh.resolve(p.getFileName()));
                }
            }
            commit(git, "base");
            edit(mesh.resolve("cart-routing.yaml"), "weight: 90", "weight: 50");
            edit(mesh.resolve("cart-routing.yaml"), "weight: 10", "weight: 50");
            edit(mesh.resolve("cart-routing.yaml"), "  subsets:\n", "  subsets:\n    - name: v3\n      labels:\n        version: v3\n");
            Files.writeString(mesh.resolve("cart-v3.yaml"), """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: cart-v3, namespace: shop}
                    spec:
                      selector: {matchLabels: {app: cart, version: v3}}
                      template:
                        metadata: {labels: {app: cart, version: v3}}
                        spec:
                          serviceAccountName: cart
                          containers: [{name: app, image: example/cart-v3:1.0, ports: [{name: http, containerPort: 8080}]}]
                    """);
            edit(mesh.resolve("security.yaml"), "            notPrincipals:\n              - cluster.local/ns/shop/sa/frontend\n",
                    "            namespaces: [\"shop\"]\n");
            edit(mesh.resolve("catalog-routing.yaml"), "      timeout: 5s", "      timeout: 8s");
            Files.delete(mesh.resolve("tools.yaml"));
            // the working tree now differs from HEAD; the diff must not read it
            commit(git, "head");
            Files.writeString(mesh.resolve("cart-routing.yaml"), "garbage: [");
        }
        EffectiveMesh base = build(GitTreeSource.read(repoDir, "HEAD~1"));
        EffectiveMesh head = build(GitTreeSource.read(repoDir, "main"));
        assertThat(base.hasErrors()).as("%s", base.diagnostics()).isFalse();
        assertThat(head.hasErrors()).as("%s", head.diagnostics()).isFalse();
        report = MeshDiff.diff(base, head);
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String s = Files.readString(file);
        assertThat(s).as("fixture text to replace in %s", file).contains(from);
        Files.writeString(file, s.replace(from, to));
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent who = new PersonIdent("meshcd test", "test@meshcd.dev");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    static EffectiveMesh build(SourceTree tree) {
        return EffectiveMesh.of(StandardStages.compiler(CompileOptions.DEFAULT).compile(tree, Compiler.Mode.CHECK));
    }

    @Test
    void gitTreeSourceReadsTheCommitNotTheWorkingTree() throws IOException {
        SourceTree head = GitTreeSource.read(repoDir, "HEAD");
        assertThat(head.files()).extracting(f -> f.name()).contains("mesh/cart-routing.yaml")
                .doesNotContain("mesh/tools.yaml");
        String cart = new String(head.files().stream().filter(f -> f.name().equals("mesh/cart-routing.yaml"))
                .findFirst().orElseThrow().content());
        assertThat(cart).contains("weight: 50").doesNotContain("garbage");
        assertThat(GitTreeSource.read(repoDir, "HEAD~1", "mesh").files()).extracting(f -> f.name())
                .contains("mesh/tools.yaml");
        assertThatThrownBy(() -> GitTreeSource.read(repoDir, "no-such-branch"))
                .isInstanceOf(GitTreeSource.UnknownRevisionException.class);
    }

    @Test
    void resourceChangesWithUnifiedYamlDiffs() {
        assertThat(report.resources()).extracting(c -> c.change() + " " + c.resource()).containsExactly(
                "CHANGED DestinationRule shop/cart",
                "CHANGED VirtualService shop/cart",
                "CHANGED VirtualService shop/catalog",
                "CHANGED AuthorizationPolicy shop/payments-deny-admin");
        String vs = report.resources().get(1).diff();
        assertThat(vs).startsWith("--- a/istio/shop/virtualservice-cart.yaml\n+++ b/istio/shop/virtualservice-cart.yaml\n")
                .contains("-          weight: 90\n").contains("+          weight: 50\n").contains("@@");
    }

    @Test
    void routingChangesInWords() {
        List<String> frontend = report.proxies().get("shop/frontend");
        assertThat(frontend).contains(
                "shop/frontend → cart (route split): v1 90% / v2 10% becomes v1 50% / v2 50%",
                "new cluster outbound|8080|v3|cart.shop.svc.cluster.local",
                "shop/frontend → catalog (route default): timeout 5s becomes 8s",
                "GET /admin on payments now denied for shop/frontend");
        // frontend's Sidecar never saw tools/, so the removal of tools/debug does not show up there
        assertThat(frontend).noneMatch(c -> c.contains("debug"));
        assertThat(report.proxies().get("tools/debug")).containsExactly("sidecar removed");
        // cart (the caller) was already denied /admin, nothing changes for it
        assertThat(report.proxies().get("shop/cart-v1")).noneMatch(c -> c.contains("/admin"));
        assertThat(report.proxies().get("istio-system/istio-ingressgateway"))
                .contains("new cluster outbound|8080|v3|cart.shop.svc.cluster.local")
                .noneMatch(c -> c.contains("split"));
    }

    @Test
    void renderings() throws Exception {
        String text = report.toText();
        assertThat(text).contains("Istio resources:\n  ~ DestinationRule shop/cart\n")
                .contains("Effective routing:\n").contains("  shop/frontend:\n    - ");
        assertThat(report.toMarkdown()).contains("| changed | `VirtualService shop/cart` |").contains("```diff");
        var json = report.toJson(DiffReport.mapper());
        assertThat(json.get("resources").get(0).get("change").asText()).isEqualTo("changed");
        assertThat(json.get("proxies").get("shop/frontend").isArray()).isTrue();
        assertThat(MeshDiff.diff(build(GitTreeSource.read(repoDir, "HEAD")), build(GitTreeSource.read(repoDir, "HEAD")))
                .toText()).isEqualTo("no changes\n");
    }
}
