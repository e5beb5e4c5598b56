package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyzers ported from istioctl for issue 17 (annotations, deprecation, EnvoyFilter patches, deployments,
 * conditions, authorization, ServiceEntries), beyond Istio's own cases: case.yaml is checked with the small shop
 * mesh of {@link AnalyzeFixture} and the findings must be exactly the expected "file:line CODE path" entries.
 */
class IstioPortedAnalyzersTest {

    static Stream<Arguments> cases() {
        return Stream.of(
            // ---- annotations: IST0107 misplaced, IST0108 unknown, IST0125 invalid, IST0135 deprecated, IST0136 alpha
            c("an unknown Istio annotation; foreign annotations are not looked at", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: a
                  namespace: shop
                  annotations:
                    networking.istio.io/exportThree: x
                    example.com/anything: y
                spec: {selector: {app: a}, ports: [{name: http, port: 80}]}
                """, "case.yaml:7 IST0108 metadata.annotations[\"networking.istio.io/exportThree\"]"),
            c("a Pod annotation on a Deployment's own metadata is misplaced (and alpha)", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: d
                  namespace: shop
                  annotations: {sidecar.istio.io/proxyCPU: 100m}
                spec:
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}, annotations: {sidecar.istio.io/proxyCPU: 100m}}
                    spec: {containers: [{name: app, image: d:1}]}
                """, "case.yaml:6 IST0107 metadata.annotations[\"sidecar.istio.io/proxyCPU\"]",
                    "case.yaml:6 IST0136 metadata.annotations[\"sidecar.istio.io/proxyCPU\"]"),
            c("kubernetes.io/ingress.class belongs on an Ingress only", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: staging
                  annotations: {kubernetes.io/ingress.class: istio}
                """, "case.yaml:5 IST0107 metadata.annotations[\"kubernetes.io/ingress.class\"]"),
            c("values the injector rejects; valid ones pass", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  namespace: shop
                  annotations:
                    readiness.status.sidecar.istio.io/initialDelaySeconds: soon
                    readiness.status.sidecar.istio.io/periodSeconds: "10"
                    traffic.sidecar.istio.io/excludeOutboundPorts: "80,http"
                    traffic.sidecar.istio.io/includeOutboundIPRanges: "10.0.0.0/8,*"
                    traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.0.0.0/8,192.168.0.0/16"
                    sidecar.istio.io/interceptionMode: MAGIC
                    sidecar.istio.io/proxyMemory: 1Gi
                    sidecar.istio.io/proxyCPULimit: lots
                    prometheus.istio.io/merge-metrics: maybe
                    proxy.istio.io/config: "{}"
                    istio.io/rev: canary
                spec:
                  initContainers: [{name: istio-init, image: proxyv2}]
                  containers: [{name: app, image: p:1}]
                """, "case.yaml:7 IST0125 metadata.annotations[\"readiness.status.sidecar.istio.io/initialDelaySeconds\"]",
                    "case.yaml:9 IST0125 metadata.annotations[\"traffic.sidecar.istio.io/excludeOutboundPorts\"]",
                    "case.yaml:10 IST0125 metadata.annotations[\"traffic.sidecar.istio.io/includeOutboundIPRanges\"]",
                    "case.yaml:12 IST0125 metadata.annotations[\"sidecar.istio.io/interceptionMode\"]",
                    "case.yaml:14 IST0125 metadata.annotations[\"sidecar.istio.io/proxyCPULimit\"]",
                    "case.yaml:15 IST0125 metadata.annotations[\"prometheus.istio.io/merge-metrics\"]",
                    "case.yaml:7 IST0136 metadata.annotations[\"readiness.status.sidecar.istio.io/initialDelaySeconds\"]",
                    "case.yaml:8 IST0136 metadata.annotations[\"readiness.status.sidecar.istio.io/periodSeconds\"]",
                    "case.yaml:9 IST0136 metadata.annotations[\"traffic.sidecar.istio.io/excludeOutboundPorts\"]",
                    "case.yaml:10 IST0136 metadata.annotations[\"traffic.sidecar.istio.io/includeOutboundIPRanges\"]",
                    "case.yaml:11 IST0136 metadata.annotations[\"traffic.sidecar.istio.io/excludeOutboundIPRanges\"]",
                    "case.yaml:12 IST0136 metadata.annotations[\"sidecar.istio.io/interceptionMode\"]",
                    "case.yaml:13 IST0136 metadata.annotations[\"sidecar.istio.io/proxyMemory\"]",
                    "case.yaml:14 IST0136 metadata.annotations[\"sidecar.istio.io/proxyCPULimit\"]",
                    "case.yaml:15 IST0136 metadata.annotations[\"prometheus.istio.io/merge-metrics\"]"),
            c("without istio-init (istio-cni) the annotations the CNI plugin writes are not alpha findings", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  namespace: shop
                  annotations:
                    sidecar.istio.io/interceptionMode: REDIRECT
                    traffic.sidecar.istio.io/includeInboundPorts: "*"
                spec:
                  containers: [{name: app, image: p:1}]
                """),
            c("the deprecated inject annotation, unless the label of the same name is there too", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  namespace: shop
                  annotations: {sidecar.istio.io/inject: "false"}
                spec: {containers: [{name: app, image: p:1}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: q
                  namespace: shop
                  labels: {sidecar.istio.io/inject: "false"}
                  annotations: {sidecar.istio.io/inject: "false"}
                spec: {containers: [{name: app, image: p:1}]}
                """, "case.yaml:6 IST0135 metadata.annotations[\"sidecar.istio.io/inject\"]")
        );
    }

    private static Arguments c(String name, String yaml, String... expected) {
        return Arguments.of(name, yaml, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactly(String name, String yaml, List<String> expected) {
        List<String> found = AnalyzeFixture.findings(AnalyzeFixture.check(yaml));
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
    }
}
