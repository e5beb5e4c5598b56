package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gateway API resources through compile -o, simulate and diff, end to end. */
class GatewayApiCommandsTest {
    @TempDir
    Path tmp;

    static final String MESH = """
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin, namespace: shop}
            spec:
              selector: {app: httpbin}
              ports: [{name: http, port: 8000, targetPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: httpbin-v2, namespace: shop}
            spec:
              selector: {app: httpbin-v2}
              ports: [{name: http, port: 8000, targetPort: 8080}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: istio}
            spec: {controllerName: istio.io/gateway-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: shop}
            spec:
              gatewayClassName: istio
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: shop}
            spec:
              parentRefs: [{name: gw}]
              rules:
              - backendRefs: [{name: httpbin, port: 8000, weight: 90}, {name: httpbin-v2, port: 8000, weight: 10}]
            """;

    private Path repo(String name, String yaml) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve(name));
        Files.writeString(repo.resolve("mesh.yaml"), yaml);
        return repo;
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void compileWritesGatewayApiResourcesUnderGatewayApi() throws Exception {
        Path out = tmp.resolve("out");
        EnvoyCommandsTest.Run r = EnvoyCommandsTest.run("compile", repo("repo", MESH).toString(), "-o", out.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(files(out)).contains("gateway-api/_cluster/gatewayclass-istio.yaml",
                "gateway-api/shop/gateway-gw.yaml", "gateway-api/shop/httproute-web.yaml", "envoy/shop/gw-istio.json");
        assertThat(files(out)).noneMatch(f -> f.startsWith("istio/"));
        assertThat(Files.readString(out.resolve("gateway-api/shop/httproute-web.yaml")))
                .contains("app.kubernetes.io/managed-by: meshcd").contains("kind: HTTPRoute");
    }

    @Test
    void aRouteNameThatIsNoPathIsRefusedAndNothingIsWritten() throws Exception {
        Path out = tmp.resolve("out");
        String hostile = MESH.replace("metadata: {name: web, namespace: shop}", "metadata: {name: \"../../x\", namespace: shop}");
        EnvoyCommandsTest.Run r = EnvoyCommandsTest.run("compile", repo("repo", hostile).toString(), "-o", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(out).doesNotExist();
    }

    @Test
    void simulateAndDiffShowGatewayApiRouting() throws Exception {
        Path base = repo("base", MESH);
        EnvoyCommandsTest.Run sim = EnvoyCommandsTest.run("simulate", base.toString(), "--proxy", "shop/gw-istio",
                "--request", "GET http://www.example.com/status");
        assertThat(sim.code()).as(sim.out()).isZero();
        assertThat(sim.out()).contains("outbound|8000||httpbin.shop.svc.cluster.local").contains("90");
        Path head = repo("head", MESH.replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50"));
        EnvoyCommandsTest.Run diff = EnvoyCommandsTest.run("diff", base.toString(), head.toString());
        assertThat(diff.code()).as(diff.out()).isZero();
        assertThat(diff.out()).contains("~ HTTPRoute shop/web").contains("shop/gw-istio")
                .contains("90%").contains("50%");
    }
}
