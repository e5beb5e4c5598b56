package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshcd compile / simulate / diff end to end through Main.run. */
class EnvoyCommandsTest {
    static final Path MESH = Path.of("src", "test", "resources", "envoy", "mesh");

    record Run(int code, String out) {
    }

    static synchronized Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    static Map<String, String> tree(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readString(p));
            }
        }
        return out;
    }

    @Test
    void compileWritesIstioAndEnvoyOutputByteStably(@TempDir Path tmp) throws Exception {
        Run r = run("compile", MESH.toString(), "-o", tmp.resolve("a").toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("wrote 12 Istio resources and 8 proxy configurations");
        Map<String, String> a = tree(tmp.resolve("a"));
        assertThat(a).containsKeys("istio/shop/virtualservice-cart.yaml", "istio/shop/gateway-shop-gateway.yaml",
                "envoy/shop/frontend.json", "envoy/istio-system/istio-ingressgateway.json");
        assertThat(a.get("envoy/shop/frontend.json"))
                .isEqualTo(Files.readString(Path.of("src/test/resources/envoy/golden/shop/frontend.json")));
        assertThat(a.get("istio/shop/virtualservice-cart.yaml")).startsWith("apiVersion: networking.istio.io/v1\nkind: VirtualService\n")
                .doesNotContain("creationTimestamp");
        // a second run into another directory gives the same bytes; a rerun refuses to delete a file it did not
        // write, and replaces its own output once that file is gone
        Files.writeString(tmp.resolve("a/istio/shop/stale.yaml"), "x");
        assertThat(run("compile", MESH.toString(), "-o", tmp.resolve("a").toString()).code()).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("a/istio/shop/stale.yaml")).hasContent("x");
        Files.delete(tmp.resolve("a/istio/shop/stale.yaml"));
        assertThat(run("compile", MESH.toString(), "-o", tmp.resolve("a").toString()).code()).isZero();
        assertThat(run("compile", MESH.toString(), "-o", tmp.resolve("b").toString()).code()).isZero();
        assertThat(tree(tmp.resolve("a"))).isEqualTo(tree(tmp.resolve("b"))).isEqualTo(a);
    }

    @Test
    void compileWritesNothingWhenThereIsAnError(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        try (Stream<Path> s = Files.list(MESH)) {
            for (Path p : s.toList()) {
                Files.copy(p, in.resolve(p.getFileName()));
            }
        }
        // a route to a subset no DestinationRule defines: Envoy would answer 503 NC
        Files.writeString(in.resolve("cart-routing.yaml"),
                Files.readString(in.resolve("cart-routing.yaml")).replace("subset: v2\n          weight: 10", "subset: v9\n          weight: 10"));
        Run r = run("compile", in.toString(), "-o", tmp.resolve("out").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("MCD3002").contains("[VirtualService shop/cart]")
                .contains("cluster \"outbound|8080|v9|cart.shop.svc.cluster.local\" does not exist");
        assertThat(tmp.resolve("out")).doesNotExist();
        Run json = run("compile", in.toString(), "--format", "json");
        assertThat(json.code()).isEqualTo(1);
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("diagnostics").get(0).get("code").asText()).isEqualTo("MCD3002");
    }

    @Test
    void compileJsonToStdout() throws Exception {
        Run r = run("compile", MESH.toString(), "--format", "json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("istio").size()).isEqualTo(12);
        assertThat(j.get("envoy").get("shop/frontend").get("configs").size()).isEqualTo(3);
        assertThat(run("compile", MESH.toString()).code()).isEqualTo(2);
    }

    @Test
    void simulate() throws Exception {
        Run r = run("simulate", MESH.toString(), "--proxy", "shop/frontend", "--request",
                "GET http://cart:8080/items -H x-canary:true", "--format", "json");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("match").asBoolean()).isTrue();
        assertThat(j.get("clusters").get(0).get("name").asText()).isEqualTo("outbound|8080|v2|cart.shop.svc.cluster.local");
        Run gw = run("simulate", MESH.toString(), "--proxy", "istio-system/istio-ingressgateway", "--request",
                "GET https://shop.example.com/");
        assertThat(gw.out()).contains("virtual host: shop.example.com:443").contains("route:        web");
        assertThat(run("simulate", MESH.toString(), "--proxy", "shop/nope", "--request", "GET http://cart/").code()).isEqualTo(2);
        assertThat(run("simulate", MESH.toString(), "--proxy", "shop/frontend", "--request", "GET ftp://cart/").code()).isEqualTo(2);
    }

    @Test
    void diffOverGitRevisionsAndDirectories(@TempDir Path tmp) throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
            try (Stream<Path> s = Files.list(MESH)) {
                for (Path p : s.toList()) {
                    Files.copy(p, repo.resolve(p.getFileName()));
                }
            }
            commit(git, "base");
            Path cart = repo.resolve("cart-routing.yaml");
            Files.writeString(cart, Files.readString(cart).replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50"));
            commit(git, "split evenly");
            Files.writeString(cart, Files.readString(cart).replace("subset: v1\n          weight: 50", "subset: v7\n          weight: 50"));
            commit(git, "broken");
        }
        Run text = run("diff", "--repo", repo.toString(), "HEAD~2", "HEAD~1");
        assertThat(text.code()).as(text.out()).isZero();
        assertThat(text.out()).contains("~ VirtualService shop/cart")
                .contains("shop/frontend → cart (route split): v1 90% / v2 10% becomes v1 50% / v2 50%");
        Run md = run("diff", "--repo", repo.toString(), "HEAD~2", "HEAD~1", "--format", "markdown");
        assertThat(md.out()).startsWith("## meshcd diff").contains("```diff");
        Run json = run("diff", "--repo", repo.toString(), "HEAD~2", "HEAD~1", "--format", "json");
        assertThat(new ObjectMapper().readTree(json.out()).get("proxies").get("shop/frontend").isArray()).isTrue();
        Run broken = run("diff", "--repo", repo.toString(), "HEAD~1", "HEAD");
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).contains("MCD3002");
        assertThat(run("diff", "--repo", repo.toString(), "HEAD~1", "no-such-rev").code()).isEqualTo(2);
        assertThat(run("diff", MESH.toString(), MESH.toString()).out()).isEqualTo("no changes\n");
        assertThat(run("diff", MESH.toString(), tmp.resolve("missing").toString()).code()).isEqualTo(2);
        assertThat(run("diff", MESH.toString()).code()).isEqualTo(2);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("meshcd test", "test@meshcd.dev");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }
}
