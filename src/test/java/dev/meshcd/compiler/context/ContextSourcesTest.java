package dev.meshcd.compiler.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.output.IstioOutput;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.workspace.Workspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each source of context (meshcd.yaml's context: paths in the tree, on disk and in a Git revision, kind: List
 * dumps, each external: kind, a shell's supplied context) and the rules every one of them follows: the repository
 * wins by key, and context is never validated, compiled, output or reported on.
 */
class ContextSourcesTest {
    static final String CONFIG_HEAD = """
            apiVersion: meshcd.dev/v1alpha1
            kind: MeshcdConfig
            defaultNamespace: shop
            """;

    /** A VirtualService in shop routing to a host, optionally through a gateway. */
    static String route(String name, String host, String gateway) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: shop}
                spec:
                  hosts: [%s.example.com]
                %s  http:
                  - route:
                    - destination: {host: %s}
                """.formatted(name, name, gateway == null ? "" : "  gateways: [" + gateway + "]\n", host);
    }

    static String service(String name, String namespace) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: %s}
                spec:
                  selector: {app: %s}
                  ports: [{name: http, port: 80}]
                """.formatted(name, namespace, name);
    }

    static SourceFile file(String name, String text) {
        return SourceFile.ofString(name, text);
    }

    static CompileResult compileTree(List<SourceFile> files) {
        Workspace ws = Workspace.builder().configName("repo/meshcd.yaml").build();
        return ws.compile(new SourceTree(files), Compiler.Mode.CHECK);
    }

    static List<String> rendered(CompileResult r) {
        return r.diagnostics().stream().map(d -> d.severity().label() + " " + d.code() + " " + d.resource() + " "
                + d.path()).toList();
    }

    @Test
    void aContextDirectoryInTheTreeIsAnalyzedAgainstButNotCompiled() {
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [vendor/payments]\n"),
                file("repo/shop/vs.yaml", route("cart", "payments.pay.svc.cluster.local", null)),
                file("repo/vendor/payments/svc.yaml", service("payments", "pay"))));
        assertThat(rendered(r)).isEmpty();
        assertThat(r.resources()).extracting(Resource::key).extracting(ResourceKey::kind).containsExactly("VirtualService");
        assertThat(r.files()).as("the context file is not compiled").isEqualTo(1);
        Resource svc = r.index().get(new ResourceKey("", "Service", "pay", "payments")).orElseThrow();
        assertThat(ContextOrigin.isContext(svc)).isTrue();
        assertThat(svc.origin().fileName()).isEqualTo("repo/vendor/payments/svc.yaml");
    }

    @Test
    void aKubectlListDumpIsContext() {
        String dump = """
                apiVersion: v1
                kind: List
                metadata: {resourceVersion: ""}
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: payments, namespace: pay, resourceVersion: "123", uid: abc}
                  spec: {selector: {app: payments}, ports: [{name: http, port: 80, protocol: TCP}], clusterIP: 10.0.0.1}
                  status: {loadBalancer: {}}
                - apiVersion: networking.istio.io/v1
                  kind: Gateway
                  metadata: {name: public, namespace: istio-system}
                  spec:
                    selector: {istio: ingressgateway}
                    servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/*"]}]
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: settings, namespace: pay}
                  data: {a: b}
                """;
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [cluster.yaml]\n"),
                file("repo/shop/vs.yaml", route("cart", "payments.pay.svc.cluster.local", "istio-system/public")),
                file("repo/cluster.yaml", dump)));
        assertThat(rendered(r)).isEmpty();
        assertThat(r.index().get(new ResourceKey(Kind.GATEWAY.group(), "Gateway", "istio-system", "public"))).isPresent();
    }

    @Test
    void aContextPathOutsideTheRepositoryIsReadFromDisk(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Path other = Files.createDirectories(dir.resolve("other-repo/deploy"));
        Files.writeString(repo.resolve("meshcd.yaml"), CONFIG_HEAD + "context: [../other-repo]\n");
        Files.writeString(repo.resolve("vs.yaml"), route("cart", "payments.pay.svc.cluster.local", null));
        Files.writeString(other.resolve("svc.yaml"), service("payments", "pay"));
        Files.writeString(other.resolve(".hidden.yaml"), "not: [yaml");
        CompileResult r = Workspaces.onDisk(List.of(repo), Workspaces.ConfigChoice.DISCOVER, null)
                .compile(Compiler.Mode.CHECK);
        assertThat(rendered(r)).isEmpty();
        assertThat(r.resources()).hasSize(1);
        assertThat(r.index().get(new ResourceKey("", "Service", "pay", "payments"))).get()
                .satisfies(s -> assertThat(s.origin().fileName()).endsWith("other-repo/deploy/svc.yaml"));
    }

    @Test
    void aMissingContextPathIsAConfigErrorAtItsEntry(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.writeString(repo.resolve("meshcd.yaml"), CONFIG_HEAD + "context:\n  - ../nowhere\n");
        Files.writeString(repo.resolve("vs.yaml"), service("cart", "shop"));
        CompileResult r = Workspaces.onDisk(List.of(repo), Workspaces.ConfigChoice.DISCOVER, null)
                .compile(Compiler.Mode.CHECK);
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.CONFIG);
            assertThat(d.isError()).isTrue();
            assertThat(d.message()).contains("../nowhere", "does not exist");
            assertThat(d.location().line()).isEqualTo(5);
            assertThat(d.location().column()).isEqualTo(5);
        });
    }

    @Test
    void inAGitRevisionOnlyPathsInsideTheTreeAreContext() {
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [../other-repo, /etc, vendor]\n"),
                file("repo/vendor/svc.yaml", service("payments", "pay"))));
        assertThat(r.diagnostics()).filteredOn(d -> d.code().equals(Codes.CONFIG))
                .extracting(Diagnostic::message)
                .satisfiesExactlyInAnyOrder(
                        m -> assertThat(m).contains("\"../other-repo\" holds no files", "inside that tree"),
                        m -> assertThat(m).contains("relative to the config file's directory"));
        assertThat(r.index().get(new ResourceKey("", "Service", "pay", "payments"))).isPresent();
    }

    @Test
    void aContextPathHoldingTheRepositoryIsRefused() {
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [., ..]\n"),
                file("repo/svc.yaml", service("payments", "shop"))));
        assertThat(r.diagnostics()).filteredOn(d -> d.code().equals(Codes.CONFIG)).hasSize(2)
                .allSatisfy(d -> assertThat(d.message()).contains("contains the repository itself"));
        assertThat(r.resources()).as("the repository is still compiled").hasSize(1);
    }

    @Test
    void eachExternalKindResolvesReferences() {
        String config = CONFIG_HEAD + """
                external:
                  services:
                    - name: payments
                      namespace: pay
                      ports: [{number: 8080, name: http}]
                  hosts:
                    - host: api.stripe.com
                      ports: [{number: 443, name: https, protocol: TLS}]
                  gateways:
                    - name: istio-system/public
                  namespaces:
                    - name: legacy
                      labels: {istio-injection: enabled}
                """;
        CompileResult r = compileTree(List.of(file("repo/meshcd.yaml", config),
                file("repo/a.yaml", route("a", "payments.pay.svc.cluster.local", "istio-system/public")),
                file("repo/b.yaml", route("b", "api.stripe.com", null)),
                file("repo/c.yaml", route("c", "ledger.legacy.svc.cluster.local", null))));
        // a declared namespace is visible: a reference into it that does not resolve is an error (a typo)
        assertThat(rendered(r)).containsExactly(
                "error IST0101 VirtualService shop/c spec.http[0].route[0].destination.host");
        Resource se = r.index().ofKind(Kind.SERVICE_ENTRY).get(0);
        assertThat(se.spec().path("hosts").get(0).asText()).isEqualTo("api.stripe.com");
        assertThat(se.locate(dev.meshcd.compiler.source.FieldPath.ROOT))
                .satisfies(l -> assertThat(l.file() + ":" + l.line()).isEqualTo("repo/meshcd.yaml:10"));
        assertThat(r.index().ofKind(Kind.NAMESPACE)).singleElement()
                .satisfies(ns -> assertThat(ns.labels()).containsEntry("istio-injection", "enabled"));
        assertThat(r.resources()).as("declarations are never compiled").extracting(Resource::kind)
                .containsOnly(Kind.VIRTUAL_SERVICE);
    }

    @Test
    void theRepositoryWinsOverContextOfTheSameKey() {
        String repoSvc = """
                apiVersion: v1
                kind: Service
                metadata: {name: payments, namespace: pay}
                spec:
                  selector: {app: payments}
                  ports: [{name: http, port: 8080}]
                """;
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [dump.yaml]\n"),
                file("repo/dump.yaml", service("payments", "pay")),
                file("repo/pay/svc.yaml", repoSvc)));
        Resource svc = r.index().get(new ResourceKey("", "Service", "pay", "payments")).orElseThrow();
        assertThat(ContextOrigin.isContext(svc)).isFalse();
        assertThat(svc.spec().path("ports").get(0).path("port").asInt()).isEqualTo(8080);
        assertThat(r.index().ofKind(Kind.SERVICE)).hasSize(1);
        assertThat(r.diagnostics()).noneMatch(d -> d.code().equals(Codes.DUPLICATE_RESOURCE));
    }

    @Test
    void contextIsNeverValidatedReportedOrOutput() {
        String broken = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: legacy, namespace: pay}
                spec:
                  hosts: [legacy]
                  http:
                  - route:
                    - destination: {host: nowhere, subset: v9}
                      weight: -5
                  bogusField: true
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: pay}
                spec:
                  selector: {app: nothing-matches}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                """;
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [ctx]\n"),
                file("repo/ctx/broken.yaml", broken),
                file("repo/shop/svc.yaml", service("cart", "shop"))));
        assertThat(r.diagnostics()).as("nothing about context objects").isEmpty();
        assertThat(r.istioResources()).isEmpty();
        assertThat(r.resources()).noneMatch(IstioOutput::isApplied);
        assertThat(r.index().ofKind(Kind.VIRTUAL_SERVICE)).hasSize(1);
    }

    @Test
    void aBrokenContextFileIsAWarningThatFailsNothing() {
        CompileResult r = compileTree(List.of(
                file("repo/meshcd.yaml", CONFIG_HEAD + "context: [ctx]\n"),
                file("repo/ctx/broken.yaml", "kind: [unclosed\n"),
                file("repo/shop/svc.yaml", service("cart", "shop"))));
        assertThat(r.hasErrors()).isFalse();
        assertThat(r.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.severity()).isEqualTo(Severity.WARNING);
            assertThat(d.subject()).isNull();
            assertThat(d.location().file()).isEqualTo("repo/ctx/broken.yaml");
        });
    }

    @Test
    void aSuppliedContextIsConsultedAtEveryUpdateAndReanalyzedWhenItChanges() {
        AtomicReference<MeshContext> cluster = new AtomicReference<>(new MeshContext(List.of(), false, "cluster", "1"));
        Workspace ws = Workspace.builder().context(cluster::get).build();
        SourceFile vs = file("shop/vs.yaml", route("cart", "payments.pay.svc.cluster.local", null));
        CompileResult first = ws.compile(SourceTree.of(vs), Compiler.Mode.CHECK);
        assertThat(rendered(first)).containsExactly(
                "warning IST0101 VirtualService shop/cart spec.http[0].route[0].destination.host");

        assertThat(ws.update(List.of(), List.of(), Compiler.Mode.CHECK)).as("same context: the last answer stands")
                .isSameAs(first);

        Resource payments = decoded(service("payments", "pay"));
        cluster.set(new MeshContext(List.of(payments), true, "cluster", "2"));
        CompileResult second = ws.update(List.of(), List.of(), Compiler.Mode.CHECK);
        assertThat(rendered(second)).isEmpty();
        assertThat(ws.context().complete()).isTrue();

        // a complete view: a reference that resolves nowhere is an error, whatever its namespace
        CompileResult third = ws.update(List.of(file("shop/vs.yaml", route("cart", "paymentz.pay.svc.cluster.local",
                null))), List.of(), Compiler.Mode.CHECK);
        assertThat(rendered(third)).containsExactly(
                "error IST0101 VirtualService shop/cart spec.http[0].route[0].destination.host");
    }

    @Test
    void aSuppliedContextWinsOverMeshcdYamlsAndTheRepositoryOverBoth() {
        Resource clusterSvc = decoded(service("payments", "pay").replace("port: 80", "port: 9090"));
        Workspace ws = Workspace.builder().configName("repo/meshcd.yaml")
                .context(() -> new MeshContext(List.of(clusterSvc), false, "cluster", "1")).build();
        String config = CONFIG_HEAD + """
                external:
                  services: [{name: payments, namespace: pay, ports: [{number: 80}]}]
                """;
        CompileResult r = ws.compile(new SourceTree(List.of(file("repo/meshcd.yaml", config),
                file("repo/vs.yaml", route("cart", "payments.pay.svc.cluster.local", null)))), Compiler.Mode.CHECK);
        Resource svc = r.index().get(new ResourceKey("", "Service", "pay", "payments")).orElseThrow();
        assertThat(svc.spec().path("ports").get(0).path("port").asInt()).isEqualTo(9090);
        assertThat(ContextOrigin.isContext(svc)).isTrue();
    }

    static Resource decoded(String yaml) {
        List<Resource> out = new ArrayList<>();
        CompileResult r = dev.meshcd.compiler.pipeline.StandardStages
                .compiler(dev.meshcd.compiler.pipeline.CompileOptions.DEFAULT)
                .compile(SourceTree.of(file("cluster", yaml)), Compiler.Mode.VALIDATE);
        out.addAll(r.resources());
        return out.get(0);
    }
}
