package dev.meshcd.compiler.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The severity of an unresolved reference, by what meshcd can see: one row per reference kind, target and view.
 * The repository always holds namespace "shop" (the referring objects) and, in every row, nothing else unless the
 * row's context says so.
 */
class UnresolvedSeverityTest {
    /** What meshcd sees besides the repository. */
    enum View {
        /** nothing: no meshcd.yaml context, no cluster */
        REPOSITORY,
        /** meshcd.yaml declares namespace "pay" (external: namespaces) */
        PAY_DECLARED,
        /** a context: dump holds an unrelated object in "pay" */
        PAY_IN_CONTEXT,
        /** a complete context (a live cluster) */
        CLUSTER,
        /** unresolved: error in meshcd.yaml */
        UNRESOLVED_ERROR
    }

    static final String DESTINATION = "spec.http[0].route[0].destination.";

    static Stream<Arguments> table() {
        return Stream.of(
                // reference, written as,                        view,                  severity,         hint
                row("host", "paymnets", View.REPOSITORY, Severity.ERROR, false),
                row("host", "cart.pay.svc.cluster.local", View.REPOSITORY, Severity.WARNING, true),
                row("host", "cart.pay.svc.cluster.local", View.PAY_DECLARED, Severity.ERROR, false),
                row("host", "cart.pay.svc.cluster.local", View.PAY_IN_CONTEXT, Severity.ERROR, false),
                row("host", "cart.pay.svc.cluster.local", View.CLUSTER, Severity.ERROR, false),
                row("host", "cart.pay.svc.cluster.local", View.UNRESOLVED_ERROR, Severity.ERROR, true),
                row("host", "api.partner.com", View.REPOSITORY, Severity.WARNING, true),
                row("host", "api.partner.com", View.PAY_DECLARED, Severity.WARNING, true),
                row("host", "api.partner.com", View.CLUSTER, Severity.ERROR, false),
                row("host", "api.partner.com", View.UNRESOLVED_ERROR, Severity.ERROR, true),
                row("subset", "cart", View.REPOSITORY, Severity.ERROR, false),
                row("subset", "cart.pay.svc.cluster.local", View.REPOSITORY, Severity.WARNING, true),
                row("subset", "cart.pay.svc.cluster.local", View.PAY_DECLARED, Severity.ERROR, false),
                row("gateway", "shop-gatewy", View.REPOSITORY, Severity.ERROR, false),
                row("gateway", "istio-system/public", View.REPOSITORY, Severity.WARNING, true),
                row("gateway", "istio-system/public", View.CLUSTER, Severity.ERROR, false),
                row("gateway", "istio-system/public", View.UNRESOLVED_ERROR, Severity.ERROR, true),
                row("selector", "istio=ingressgateway", View.REPOSITORY, Severity.WARNING, true),
                row("selector", "istio=ingressgateway", View.PAY_DECLARED, Severity.WARNING, true),
                row("selector", "istio=ingressgateway", View.CLUSTER, Severity.ERROR, false),
                row("selector", "istio=ingressgateway", View.UNRESOLVED_ERROR, Severity.ERROR, true),
                row("sidecar", "app=nothing", View.REPOSITORY, Severity.ERROR, false),
                // IST0174 is Istio's warning: it stays one in a visible namespace, and says how to declare otherwise
                row("drhost", "inventory", View.REPOSITORY, Severity.WARNING, false),
                row("drhost", "inventory.pay.svc.cluster.local", View.REPOSITORY, Severity.WARNING, true),
                row("drhost", "inventory.pay.svc.cluster.local", View.UNRESOLVED_ERROR, Severity.ERROR, true));
    }

    static Arguments row(String reference, String target, View view, Severity severity, boolean hint) {
        return Arguments.of(reference, target, view, severity, hint);
    }

    @ParameterizedTest(name = "{0} {1} seen from {2}: {3}")
    @MethodSource("table")
    void severityByWhatMeshcdSees(String reference, String target, View view, Severity severity, boolean hint) {
        List<SourceFile> files = new ArrayList<>();
        String subject;
        String path;
        String code = "IST0101";
        switch (reference) {
            case "host" -> {
                files.add(file("shop/vs.yaml", vs("destination: {host: " + target + "}", null)));
                subject = "VirtualService shop/cart";
                path = DESTINATION + "host";
            }
            case "subset" -> {
                // the host resolves (a ServiceEntry in the repository, or the Service), only the subset does not
                files.add(file("shop/vs.yaml", vs("destination: {host: " + target + ", subset: v9}", null)));
                files.add(file("shop/se.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: cart-hosts, namespace: shop}
                        spec:
                          hosts: [%s]
                          ports: [{number: 80, name: http, protocol: HTTP}]
                          resolution: DNS
                        """.formatted(target.contains(".") ? target : "cart.shop.svc.cluster.local")));
                subject = "VirtualService shop/cart";
                path = DESTINATION + "subset";
            }
            case "gateway" -> {
                files.add(file("shop/vs.yaml", vs("destination: {host: cart}", target)));
                files.add(file("shop/svc.yaml", ContextSourcesTest.service("cart", "shop")));
                subject = "VirtualService shop/cart";
                path = "spec.gateways[0]";
            }
            case "selector" -> {
                files.add(file("shop/gw.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: shop-gateway, namespace: shop}
                        spec:
                          selector: {%s}
                          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                        """.formatted(target.replace("=", ": "))));
                subject = "Gateway shop/shop-gateway";
                path = "spec.selector";
            }
            case "sidecar" -> {
                files.add(file("shop/sidecar.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: Sidecar
                        metadata: {name: narrow, namespace: shop}
                        spec:
                          workloadSelector: {labels: {%s}}
                          egress: [{hosts: ["./*"]}]
                        """.formatted(target.replace("=", ": "))));
                subject = "Sidecar shop/narrow";
                path = "spec.workloadSelector.labels";
            }
            case "drhost" -> {
                files.add(file("shop/dr.yaml", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: inventory, namespace: shop}
                        spec:
                          host: %s
                          trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
                        """.formatted(target)));
                subject = "DestinationRule shop/inventory";
                path = "spec.host";
                code = "IST0174";
            }
            default -> throw new IllegalArgumentException(reference);
        }
        String config = """
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                defaultNamespace: shop
                """;
        switch (view) {
            case PAY_DECLARED -> config += "external:\n  namespaces: [{name: pay}]\n";
            case PAY_IN_CONTEXT -> {
                config += "context: [cluster]\n";
                files.add(file("cluster/cm.yaml", ContextSourcesTest.service("unrelated", "pay")));
            }
            case UNRESOLVED_ERROR -> config += "unresolved: error\n";
            default -> {
            }
        }
        files.add(file("meshcd.yaml", config));
        MeshContext supplied = view == View.CLUSTER ? new MeshContext(List.of(), true, "cluster", "1") : MeshContext.NONE;
        Workspace ws = Workspace.builder().configName("meshcd.yaml").context(() -> supplied).build();
        CompileResult r = ws.compile(new SourceTree(files), Compiler.Mode.CHECK);

        String c = code;
        assertThat(r.diagnostics()).as("%s", r.diagnostics()).filteredOn(d -> d.code().equals(c))
                .singleElement().satisfies(d -> {
                    assertThat(d.resource()).isEqualTo(subject);
                    assertThat(d.path()).isEqualTo(path);
                    assertThat(d.severity()).isEqualTo(severity);
                    if (hint) {
                        assertThat(d.message()).contains("meshcd.yaml", "context:", "--kubeconfig");
                    } else {
                        assertThat(d.message()).doesNotContain("--kubeconfig");
                    }
                });
        assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).allMatch(d -> d.code().equals(c));
    }

    static SourceFile file(String name, String text) {
        return SourceFile.ofString(name, text);
    }

    static String vs(String destination, String gateway) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart, namespace: shop}
                spec:
                  hosts: [cart.example.com]
                %s  http:
                  - route:
                    - %s
                """.formatted(gateway == null ? "" : "  gateways: [" + gateway + "]\n", destination);
    }
}
