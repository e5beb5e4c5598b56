package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A repository with several distinct mistakes, each in a file of its own: every mistake gives exactly one
 * diagnostic, however many analyzers trip over it.
 */
class OnePerMistakeTest {
    private static final String BASE = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: shop}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1, namespace: shop}
            spec:
              selector: {matchLabels: {app: reviews, version: v1}}
              template:
                metadata: {labels: {app: reviews, version: v1}}
                spec: {containers: [{name: app, image: app}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              subsets: [{name: v1, labels: {version: v1}}]
            """;

    /** file name → the mistake it holds */
    private static final Map<String, String> MISTAKES = new TreeMap<>(Map.of(
            // a typo in a host with a subset: the host is not found, and so no DestinationRule defines its subset
            "typo-host.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: typo, namespace: shop}
                    spec:
                      hosts: [typo]
                      http:
                      - route:
                        - destination: {host: reviewz, subset: v1}
                    """,
            // a Service never deployed, yet routed to by two VirtualServices (one a mirror) and given a DestinationRule
            "missing-service.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: ratings, namespace: shop}
                    spec:
                      hosts: [ratings]
                      http:
                      - route:
                        - destination: {host: ratings, subset: v1}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: ratings-shadow, namespace: shop}
                    spec:
                      hosts: [ratings-shadow]
                      http:
                      - route:
                        - destination: {host: reviews}
                        mirror: {host: ratings.shop.svc.cluster.local}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: ratings, namespace: shop}
                    spec:
                      host: ratings
                      subsets: [{name: v1, labels: {version: v1}}]
                    """,
            // a subset the DestinationRule does not define
            "missing-subset.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: reviews, namespace: shop}
                    spec:
                      hosts: [reviews]
                      http:
                      - route:
                        - destination: {host: reviews, subset: v3}
                    """,
            // a gateway that does not exist
            "typo-gateway.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: public, namespace: shop}
                    spec:
                      hosts: [shop.example.com]
                      gateways: [shop/shop-gatewy]
                      http:
                      - route:
                        - destination: {host: reviews}
                    """,
            // a host validation rejects: not also "not found"
            "invalid-host.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: invalid, namespace: shop}
                    spec:
                      hosts: [invalid]
                      http:
                      - route:
                        - destination: {host: "*"}
                    """));

    @Test
    void eachMistakeGivesOneDiagnostic() {
        List<SourceFile> files = new java.util.ArrayList<>();
        files.add(SourceFile.ofString("base.yaml", BASE));
        MISTAKES.forEach((name, yaml) -> files.add(SourceFile.ofString(name, yaml)));
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop"))
                .compile(new SourceTree(files), Compiler.Mode.CHECK);
        List<Diagnostic> found = r.diagnostics().stream()
                .filter(d -> !d.code().equals("MCD2001") && !d.code().equals("IST0118")).toList();
        Map<String, Long> perFile = new TreeMap<>();
        found.forEach(d -> perFile.merge(d.location().file(), 1L, Long::sum));
        Map<String, Long> one = new TreeMap<>();
        MISTAKES.keySet().forEach(f -> one.put(f, 1L));
        one.put("missing-service.yaml", 2L); // one per VirtualService routing to the missing host, as istioctl
        assertThat(perFile).as("%s", found).isEqualTo(one);

        assertThat(found).filteredOn(d -> d.location().file().equals("missing-service.yaml")).satisfiesExactly(
                d -> {
                    assertThat(d.code()).isEqualTo("IST0101");
                    assertThat(d.isError()).isTrue();
                    assertThat(d.resource()).isEqualTo("VirtualService shop/ratings");
                    assertThat(d.path()).isEqualTo("spec.http[0].route[0].destination.host");
                    // the DestinationRule of the missing host is named here, not reported again
                    assertThat(d.message()).startsWith("Referenced host not found: \"ratings\" (also referenced by ")
                            .contains("DestinationRule shop/ratings at missing-service.yaml:");
                },
                d -> {
                    assertThat(d.resource()).isEqualTo("VirtualService shop/ratings-shadow");
                    assertThat(d.path()).isEqualTo("spec.http[0].mirror.host");
                });
        assertThat(found).filteredOn(d -> d.location().file().equals("typo-host.yaml")).singleElement()
                .satisfies(d -> assertThat(d.path()).endsWith("destination.host"));
        assertThat(found).filteredOn(d -> d.location().file().equals("invalid-host.yaml")).singleElement()
                .satisfies(d -> assertThat(d.code()).isEqualTo("IST0106"));
    }
}
