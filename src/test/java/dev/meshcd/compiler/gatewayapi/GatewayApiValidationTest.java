package dev.meshcd.compiler.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.validate.cel.CelRules;
import dev.meshcd.compiler.validate.cel.CelValidator;
import dev.meshcd.compiler.validate.schema.CrdCatalog;
import dev.meshcd.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Gateway API resources are validated against the bundled CRDs (schemas/gateway-api) like Istio's kinds. */
class GatewayApiValidationTest {
    static List<Diagnostic> validate(String yaml) {
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("default"));
        return c.compile(new SourceTree(List.of(SourceFile.ofString("gw.yaml", yaml))), Compiler.Mode.VALIDATE)
                .diagnostics();
    }

    static List<String> lines(List<Diagnostic> ds) {
        return ds.stream().map(d -> d.location().line() + " " + d.severity() + " " + d.code() + " " + d.path() + ": "
                + d.message()).toList();
    }

    @Test
    void kindRegistryListsExactlyTheServedVersionsOfTheGatewayApiCrdsIstiodReads() {
        Map<Kind, Set<String>> fromCrds = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (CrdCatalog.Crd crd : CrdCatalog.gatewayApi().all()) {
            fromCrds.put(crd.kind(), crd.versions().values().stream().filter(CrdCatalog.Version::served)
                    .map(CrdCatalog.Version::name).collect(Collectors.toCollection(TreeSet::new)));
        }
        // the experimental group's mesh and backend kinds are not read by istiod
        fromCrds.keySet().removeIf(k -> k.kind().equals("XMesh") || k.kind().equals("XBackend"));
        Map<Kind, Set<String>> fromRegistry = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (KindInfo info : KindRegistry.standard().all()) {
            if (info.kind().isGatewayApi()) {
                assertThat(info.role()).isEqualTo(KindInfo.Role.ISTIO);
                fromRegistry.put(info.kind(), new TreeSet<>(info.versions()));
                assertThat(info.namespaced()).as(info.kind().toString())
                        .isEqualTo(CrdCatalog.gatewayApi().crd(info.kind()).orElseThrow().namespaced());
            }
        }
        assertThat(fromRegistry).isEqualTo(fromCrds).containsKeys(Kind.K8S_GATEWAY, Kind.GATEWAY_CLASS,
                Kind.HTTP_ROUTE, Kind.GRPC_ROUTE, Kind.TCP_ROUTE, Kind.TLS_ROUTE, Kind.REFERENCE_GRANT,
                Kind.BACKEND_TLS_POLICY, Kind.LISTENER_SET);
    }

    @Test
    void everyCelRuleOfTheGatewayApiCrdsCompiles() {
        CelRules rules = new CelRules();
        CelValidator validator = new CelValidator(KindRegistry.standard(), CrdCatalog.gatewayApi(), rules);
        int count = 0;
        for (CrdCatalog.Crd crd : CrdCatalog.gatewayApi().all()) {
            if (KindRegistry.standard().lookup(crd.kind()).isEmpty()) {
                continue;
            }
            for (CrdCatalog.Version v : crd.versions().values()) {
                for (var rule : validator.compileAll(v.schema())) {
                    assertThat(rule.compiled()).as(crd.kind() + "/" + v.name() + ": " + rule.rule().rule()).isTrue();
                    count++;
                }
            }
        }
        assertThat(count).isGreaterThan(300);
    }

    @Test
    void istiosGatewayApiSamplesValidateWithoutFindings() throws Exception {
        Path sample = SharedData.istio("samples/httpbin/gateway-api/httpbin-gateway.yaml");
        assertThat(validate(Files.readString(sample))).isEmpty();
    }

    @Test
    void anHttpRouteBreakingACelRuleIsOneErrorAtItsLine() {
        List<Diagnostic> ds = validate("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: bad}
                spec:
                  parentRefs: [{name: gw}]
                  rules:
                  - matches:
                    - path:
                        type: PathPrefix
                        value: /a
                    filters:
                    - type: RequestRedirect
                      requestRedirect: {scheme: https}
                    - type: URLRewrite
                      urlRewrite: {hostname: x.example}
                """);
        assertThat(lines(ds)).hasSize(1);
        assertThat(ds.get(0).code()).isEqualTo("IST0106");
        assertThat(ds.get(0).location().line()).isEqualTo(11);
        assertThat(ds.get(0).path()).isEqualTo("spec.rules[0].filters");
        assertThat(ds.get(0).message()).isEqualTo("May specify either httpRouteFilterRequestRedirect or"
                + " httpRouteFilterRequestRewrite, but not both");
    }

    @Test
    void anUnknownFieldIsAnErrorAtItsField() {
        List<Diagnostic> ds = validate("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  gatewayClassName: istio
                  listeners:
                  - name: http
                    port: 80
                    protocoll: HTTP
                """);
        assertThat(lines(ds)).containsExactlyInAnyOrder(
                "7 ERROR IST0106 spec.listeners[0].protocol: missing required field \"protocol\"",
                "9 ERROR IST0106 spec.listeners[0].protocoll: unknown field \"protocoll\" (did you mean \"protocol\"?)");
    }

    @Test
    void aDeprecatedVersionIsOneWarningAndAnUnservedOneOneError() {
        List<Diagnostic> deprecated = validate("""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: tcp}
                spec:
                  parentRefs: [{name: gw}]
                  rules: [{backendRefs: [{name: db, port: 5432}]}]
                """);
        assertThat(lines(deprecated)).containsExactly("1 WARNING MCD1016 apiVersion: gateway.networking.k8s.io/v1alpha2"
                + " TCPRoute is deprecated; use gateway.networking.k8s.io/v1");
        List<Diagnostic> unserved = validate("""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: HTTPRoute
                metadata: {name: r}
                spec: {}
                """);
        assertThat(unserved).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("MCD1013");
            assertThat(d.message()).contains("v1alpha2").contains("v1, v1beta1");
        });
    }
}
