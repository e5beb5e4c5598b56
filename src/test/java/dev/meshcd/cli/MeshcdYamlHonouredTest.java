package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.AdmissionReviews;
import dev.meshcd.admission.webhook.AnalysisPolicy;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.compiler.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that compiles a repository honours its meshcd.yaml: an {@code exclude} (broken/ holds an
 * invalid VirtualService), a declared workload (the ingress gateway the Gateway selects), a suppression (a
 * route to a database outside the mesh) and a default namespace (no object names one). Without the config
 * each of them would fail, which {@link #withoutTheConfigTheRepositoryFails} shows. The sync loop's side is
 * {@code ReconcilerCompileGateTest}; {@code kube-inject}, {@code install} and {@code status} compile nothing.
 */
class MeshcdYamlHonouredTest {
    @TempDir
    static Path tmp;
    static Path repo;

    static final String CONFIG = """
            apiVersion: meshcd.dev/v1alpha1
            kind: MeshcdConfig
            defaultNamespace: shop
            exclude: [broken/]
            workloads:
            - {name: istio-ingressgateway, namespace: istio-system, kind: Deployment, labels: {istio: ingressgateway}}
            suppress:
            - {code: IST0101, resource: VirtualService shop/reports, reason: the database lives outside the mesh}
            """;

    static final String MESH = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, labels: {app: cart}}
            spec:
              selector: {app: cart}
              ports: [{name: http, port: 80}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart-v1}
            spec:
              selector: {matchLabels: {app: cart, version: v1}}
              template:
                metadata: {labels: {app: cart, version: v1}}
                spec: {containers: [{name: app, image: cart}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart-v2}
            spec:
              selector: {matchLabels: {app: cart, version: v2}}
              template:
                metadata: {labels: {app: cart, version: v2}}
                spec: {containers: [{name: app, image: cart}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: cart}
            spec:
              host: cart
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart}
            spec:
              hosts: [cart]
              http:
              - route:
                - {destination: {host: cart, subset: v1}, weight: 90}
                - {destination: {host: cart, subset: v2}, weight: 10}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reports}
            spec:
              hosts: [reports]
              http:
              - route:
                - destination: {host: reports-db}
            """;

    static final String GATEWAY = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: shop-gw, namespace: shop}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["shop.example.com"]
            """;

    static final String BROKEN = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: broken}
            spec:
              hosts: [cart]
              http:
              - route:
                - {destination: {host: cart}, weight: -5}
            """;

    @BeforeAll
    static void repository() throws Exception {
        repo = tmp.resolve("repo");
        write(repo, MESH);
        write(tmp.resolve("base"), MESH);
        commit(Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call(), "base");
        Path head = tmp.resolve("head");
        write(head, MESH.replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50"));
        try (Git git = Git.open(repo.toFile())) {
            Files.writeString(repo.resolve("mesh.yaml"), Files.readString(head.resolve("mesh.yaml")));
            commit(git, "canary to 50/50");
        }
    }

    private static void write(Path dir, String mesh) throws Exception {
        Files.createDirectories(dir.resolve("broken"));
        Files.writeString(dir.resolve("meshcd.yaml"), CONFIG);
        Files.writeString(dir.resolve("mesh.yaml"), mesh);
        Files.writeString(dir.resolve("gateway.yaml"), GATEWAY);
        Files.writeString(dir.resolve("broken/bad.yaml"), BROKEN);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("meshcd test", "test@meshcd.dev");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    static Stream<String> commands() {
        return Stream.of("validate", "check", "compile", "simulate", "diff", "diff --repo", "run (webhook)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyCommandHonoursMeshcdYaml(String command) throws Exception {
        String r = repo.toString();
        String head = tmp.resolve("head").toString();
        EnvoyCommandsTest.Run run = switch (command) {
            case "validate" -> EnvoyCommandsTest.run("validate", r);
            case "check" -> EnvoyCommandsTest.run("check", r);
            case "compile" -> EnvoyCommandsTest.run("compile", r, "-o", tmp.resolve("out-" + System.nanoTime()).toString());
            case "simulate" -> EnvoyCommandsTest.run("simulate", r, "--proxy", "shop/cart-v1", "--request",
                    "GET http://cart/items");
            case "diff" -> EnvoyCommandsTest.run("diff", tmp.resolve("base").toString(), head);
            case "diff --repo" -> EnvoyCommandsTest.run("diff", "--repo", r, "HEAD~1", "HEAD");
            default -> null;
        };
        if (run == null) {
            webhookHonoursTheConfig();
            return;
        }
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out()).doesNotContain("broken", "IST0101", "MCD1010");
        switch (command) {
            case "compile" -> assertThat(run.out()).contains("wrote 4 Istio resources"); // 2 VS, DR, Gateway
            case "simulate" -> assertThat(run.out()).contains("outbound|80|v1|cart.shop.svc.cluster.local");
            case "diff", "diff --repo" -> assertThat(run.out()).contains("VirtualService shop/cart")
                    .contains("v1 90% / v2 10% becomes v1 50% / v2 50%").doesNotContain("reports");
            default -> {
            }
        }
    }

    /** meshcd run --config: /validate sees the declared ingress gateway and applies the suppression. */
    private static void webhookHonoursTheConfig() throws Exception {
        AdmissionResponse gateway = validate(RunCommand.webhookWorkspace(repo.resolve("meshcd.yaml")), "Gateway",
                GATEWAY);
        assertThat(gateway.allowed()).isTrue();
        assertThat(gateway.warnings()).noneMatch(w -> w.contains("IST0101"));
        AdmissionResponse reports = validate(RunCommand.webhookWorkspace(repo.resolve("meshcd.yaml")),
                "VirtualService", MESH.substring(MESH.lastIndexOf("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reports}")));
        assertThat(reports.warnings()).noneMatch(w -> w.contains("IST0101"));
        // The control: the same requests without the config warn about both.
        assertThat(validate(RunCommand.webhookWorkspace(null), "Gateway", GATEWAY).warnings())
                .anyMatch(w -> w.contains("IST0101"));
    }

    private static AdmissionResponse validate(Workspace workspace, String kind, String yaml) throws Exception {
        var object = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(yaml);
        var review = AdmissionReviews.json().createObjectNode().put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview");
        var req = review.putObject("request").put("uid", "u1").put("namespace", "shop").put("operation", "CREATE");
        req.putObject("kind").put("group", "networking.istio.io").put("version", "v1").put("kind", kind);
        req.putObject("userInfo").put("username", "alice");
        req.set("object", object);
        ValidatingHandler handler = new ValidatingHandler(workspace::compiler, Snapshot.of(List.of(), Map.of()),
                OwnershipGuard.standard(), AnalysisPolicy.STANDARD);
        return handler.handle(AdmissionReviews.parse(AdmissionReviews.json().writeValueAsString(review)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void withoutTheConfigTheRepositoryFails() {
        EnvoyCommandsTest.Run check = EnvoyCommandsTest.run("check", "--no-config", repo.toString());
        assertThat(check.code()).isEqualTo(ExitCodes.ERRORS);
        assertThat(check.out()).contains("broken/bad.yaml", "IST0101", "default/cart");
        EnvoyCommandsTest.Run diff = EnvoyCommandsTest.run("diff", "--no-config", "--repo", repo.toString(), "HEAD~1", "HEAD");
        assertThat(diff.code()).isEqualTo(ExitCodes.ERRORS);
    }
}
