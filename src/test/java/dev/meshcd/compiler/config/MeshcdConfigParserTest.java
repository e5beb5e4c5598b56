package dev.meshcd.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MeshcdConfigParserTest {
    private static MeshcdConfig parse(String yaml) {
        return MeshcdConfigParser.parse(SourceFile.ofString("repo/meshcd.yaml", yaml));
    }

    @Test
    void parsesEverySetting() {
        MeshcdConfig c = parse("""
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                defaultNamespace: shop
                domainSuffix: corp.local
                rootNamespace: mesh-root
                exclude: [broken/, "*.tmpl.yaml"]
                workloads:
                  - name: istio-ingressgateway
                    namespace: istio-system
                    labels: {istio: ingressgateway}
                    serviceAccount: istio-ingressgateway-service-account
                suppress:
                  - code: IST0118
                    resource: "Service legacy/*"
                    reason: legacy ports, migrating
                  - code: "*"
                    file: "vendor/*"
                """);
        assertThat(c.diagnostics()).isEmpty();
        assertThat(c.defaultNamespace()).isEqualTo("shop");
        assertThat(c.domainSuffix()).isEqualTo("corp.local");
        assertThat(c.rootNamespace()).isEqualTo("mesh-root");
        assertThat(c.workloads()).singleElement().satisfies(w -> {
            assertThat(w.namespace()).isEqualTo("istio-system");
            assertThat(w.name()).isEqualTo("istio-ingressgateway");
            assertThat(w.kind()).isEqualTo("Deployment");
            assertThat(w.labels()).isEqualTo(Map.of("istio", "ingressgateway"));
            assertThat(w.serviceAccount()).isEqualTo("istio-ingressgateway-service-account");
            assertThat(w.resource().locate(dev.meshcd.compiler.source.FieldPath.ROOT).line()).isEqualTo(8);
        });
        assertThat(c.suppressions()).containsExactly(
                new Suppression("IST0118", "Service legacy/*", null, "legacy ports, migrating"),
                new Suppression("*", null, "vendor/*", null));

        CompileOptions o = c.applyTo(CompileOptions.DEFAULT);
        assertThat(o.defaultNamespace()).isEqualTo("shop");
        assertThat(o.domainSuffix()).isEqualTo("corp.local");
        assertThat(o.rootNamespace()).isEqualTo("mesh-root");
        assertThat(o.externalWorkloads()).extracting(Workload::name).containsExactly("istio-ingressgateway");

        SourceTree tree = new SourceTree(List.of(f("repo/meshcd.yaml"), f("repo/a.yaml"), f("repo/broken/b.yaml"),
                f("repo/x.tmpl.yaml"), f("repo/sub/broken/c.yaml"), f("elsewhere/broken/d.yaml")));
        assertThat(c.applyTo(tree).files()).extracting(SourceFile::name)
                .containsExactly("elsewhere/broken/d.yaml", "repo/a.yaml", "repo/sub/broken/c.yaml");
        assertThat(c.applyTo(tree, java.util.Set.of("repo/broken/b.yaml")).files()).extracting(SourceFile::name)
                .contains("repo/broken/b.yaml");
    }

    @Test
    void unsetFieldsKeepDefaults() {
        MeshcdConfig c = parse("apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n");
        assertThat(c.diagnostics()).isEmpty();
        CompileOptions o = c.applyTo(CompileOptions.DEFAULT.withDefaultNamespace("team"));
        assertThat(o.defaultNamespace()).isEqualTo("team");
        assertThat(o.domainSuffix()).isEqualTo("cluster.local");
        assertThat(o.rootNamespace()).isEqualTo("istio-system");
    }

    private static SourceFile f(String name) {
        return SourceFile.ofString(name, "");
    }

    static Stream<Arguments> bad() {
        String head = "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n";
        return Stream.of(
                Arguments.of("wrong apiVersion", "apiVersion: v1\nkind: MeshcdConfig\n", 1, 1, "apiVersion must be"),
                Arguments.of("wrong kind", "apiVersion: meshcd.dev/v1alpha1\nkind: ConfigMap\n", 2, 1, "kind must be"),
                Arguments.of("missing kind", "apiVersion: meshcd.dev/v1alpha1\n", 1, 1, "kind must be"),
                Arguments.of("unknown field", head + "workload: []\n", 3, 1, "unknown field \"workload\""),
                Arguments.of("exclude not a list", head + "exclude: broken/\n", 3, 1, "exclude must be a list"),
                Arguments.of("absolute exclude", head + "exclude: [/etc]\n", 3, 11, "relative"),
                Arguments.of("bad namespace", head + "defaultNamespace: Shop_1\n", 3, 1, "not a valid namespace"),
                Arguments.of("workload without labels", head + "workloads:\n  - name: gw\n    namespace: istio-system\n",
                        4, 5, "at least one label"),
                Arguments.of("workload label not a string", head
                        + "workloads:\n  - name: gw\n    namespace: x\n    labels: {a: [1]}\n", 6, 14, "values must be strings"),
                Arguments.of("bad suppression code", head + "suppress:\n  - code: 101\n", 4, 5, "must be a string"),
                Arguments.of("unknown suppression code", head + "suppress:\n  - code: W101\n", 4, 5, "not an IST or MCD code"),
                Arguments.of("suppress everything everywhere", head + "suppress:\n  - code: \"*\"\n", 4, 5, "needs a resource"),
                Arguments.of("yaml syntax", head + "exclude: [broken\n", 4, 1, "invalid meshcd config"),
                Arguments.of("not a mapping", "- a\n- b\n", 1, 1, "invalid meshcd config"),
                Arguments.of("empty", "", 0, 0, "empty"),
                Arguments.of("context not a list", head + "context: dump/\n", 3, 1, "context must be a list"),
                Arguments.of("absolute context", head + "context: [/etc/kube]\n", 3, 11, "relative to the config"),
                Arguments.of("empty context entry", head + "context: [\"\"]\n", 3, 11, "non-empty paths"),
                Arguments.of("clusters not a mapping", head + "clusters: [east]\n", 3, 1, "map of cluster names"),
                Arguments.of("cluster name not a DNS label", head + "clusters:\n  East_1: dump/\n", 4, 3,
                        "not a DNS label"),
                Arguments.of("absolute cluster path", head + "clusters:\n  east: /etc/kube\n", 4, 3,
                        "relative to the config"),
                Arguments.of("empty cluster path in a list", head + "clusters:\n  east: [a, \"\"]\n", 4, 13,
                        "non-empty paths"),
                Arguments.of("cluster with no paths", head + "clusters:\n  east: []\n", 4, 3, "lists no paths"),
                Arguments.of("unresolved neither error nor warning", head + "unresolved: fatal\n", 3, 1,
                        "error or warning"),
                Arguments.of("external not a mapping", head + "external: [a]\n", 3, 1, "must be a mapping"),
                Arguments.of("unknown external section", head + "external:\n  workloads: []\n", 4, 3,
                        "unknown field \"workloads\""),
                Arguments.of("service without ports", head + "external:\n  services:\n    - {name: a, namespace: b}\n",
                        5, 7, "ports is required"),
                Arguments.of("service port out of range", head
                        + "external:\n  services:\n    - name: a\n      namespace: b\n      ports: [{number: 70000}]\n",
                        7, 16, "1 to 65535"),
                Arguments.of("service namespace not a name", head
                        + "external:\n  services:\n    - name: a\n      namespace: B_1\n      ports: [{number: 80}]\n",
                        6, 7, "not a valid name"),
                Arguments.of("host not a DNS name", head + "external:\n  hosts:\n    - host: \"api example\"\n"
                        + "      ports: [{number: 443}]\n", 5, 7, "DNS name"),
                Arguments.of("gateway without namespace", head + "external:\n  gateways:\n    - name: public\n", 5, 7,
                        "namespace is required"),
                Arguments.of("gateway servers not a list", head
                        + "external:\n  gateways:\n    - name: istio-system/public\n      servers: {}\n", 6, 7,
                        "servers must be"),
                Arguments.of("namespace label not a string", head
                        + "external:\n  namespaces:\n    - name: a\n      labels: {b: [1]}\n", 6, 16,
                        "values must be strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void badConfigIsAnMcd9001DiagnosticAtTheField(String name, String yaml, int line, int col, String message) {
        MeshcdConfig c = parse(yaml);
        assertThat(c.hasErrors()).isTrue();
        Diagnostic d = c.diagnostics().get(0);
        assertThat(d.code()).isEqualTo(Codes.CONFIG);
        assertThat(d.location().file()).isEqualTo("repo/meshcd.yaml");
        assertThat(d.message()).contains(message);
        assertThat(d.location().line()).isEqualTo(line);
        assertThat(d.location().column()).isEqualTo(col);
    }

    @Test
    void parsesContextExternalAndUnresolved() {
        MeshcdConfig c = parse("""
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                context: [cluster-dump.yaml, ../platform/charts]
                unresolved: error
                external:
                  services: [{name: payments, namespace: pay, ports: [{number: 8080, name: grpc, protocol: GRPC}]}]
                  hosts: [{host: api.stripe.com, ports: [{number: 443, name: https, protocol: TLS}]}]
                  gateways: [{name: istio-system/public}]
                  namespaces: [{name: pay, labels: {istio-injection: enabled}}]
                """);
        assertThat(c.diagnostics()).isEmpty();
        assertThat(c.context()).extracting(p -> p.resolve(c.file()))
                .containsExactly("repo/cluster-dump.yaml", "platform/charts");
        assertThat(c.unresolvedErrors()).isTrue();
        assertThat(c.applyTo(CompileOptions.DEFAULT).unresolvedErrors()).isTrue();
        assertThat(c.external()).extracting(r -> r.key().display()).containsExactly("Service pay/payments",
                "ServiceEntry default/external-api-stripe-com", "Gateway istio-system/public", "Namespace pay");
        assertThat(c.external().get(0).spec().path("ports").get(0).path("appProtocol").asText()).isEqualTo("grpc");
        assertThat(c.external()).allSatisfy(r -> assertThat(r.origin().fileName()).isEqualTo("repo/meshcd.yaml"));
        assertThat(parse("apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n").unresolvedErrors()).isNull();
    }

    @Test
    void goodPartsOfABadFileStillApply() {
        MeshcdConfig c = parse("""
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshcdConfig
                defaultNamespace: shop
                colour: blue
                """);
        assertThat(c.diagnostics()).hasSize(1);
        assertThat(c.defaultNamespace()).isEqualTo("shop");
    }
}
