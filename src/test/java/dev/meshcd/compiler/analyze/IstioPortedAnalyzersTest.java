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
                  labels: {istio-injection: enabled}
                  annotations: {kubernetes.io/ingress.class: istio}
                """, "case.yaml:6 IST0107 metadata.annotations[\"kubernetes.io/ingress.class\"]"),
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
                """, "case.yaml:6 IST0135 metadata.annotations[\"sidecar.istio.io/inject\"]"),
            // ---- IST0002 deprecated fields and Telemetry providers
            c("a fault delay's integer percent; percentage and a zero percent are fine", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - match: [{uri: {prefix: /a}}]
                    fault: {delay: {percentage: {value: 50}, fixedDelay: 1s}}
                    route: [{destination: {host: reviews}}]
                  - match: [{uri: {prefix: /b}}]
                    fault: {delay: {percent: 0, fixedDelay: 1s}}
                    route: [{destination: {host: reviews}}]
                  - fault: {delay: {percent: 50, fixedDelay: 1s}}
                    route: [{destination: {host: reviews}}]
                """, "case.yaml:13 IST0002 spec.http[2].fault.delay.percent"),
            c("a Sidecar's egressProxy is ignored", """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  outboundTrafficPolicy:
                    mode: ALLOW_ANY
                    egressProxy: {host: egress.example, port: {number: 80}}
                """, "case.yaml:7 IST0002 spec.outboundTrafficPolicy.egressProxy"),
            c("tracing through a Lightstep provider of the mesh config; other providers are fine", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |
                    extensionProviders:
                    - name: ls
                      lightstep: {service: ls.tracing.svc.cluster.local, port: 443, accessToken: t}
                    - name: otel
                      opentelemetry: {service: otel.tracing.svc.cluster.local, port: 4317}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: mesh-default, namespace: istio-system}
                spec:
                  tracing:
                  - providers: [{name: otel}, {name: ls}]
                """, "case.yaml:17 IST0002 spec.tracing[0].providers[1].name"),
            c("a Lightstep provider name without a Lightstep provider in the mesh config", """
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: mesh-default, namespace: istio-system}
                spec:
                  tracing:
                  - providers: [{name: lightstep}]
                """),
            // ---- EnvoyFilter patches: IST0151-IST0155
            c("operations by applyTo, without priority", """
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: ops, namespace: shop}
                spec:
                  configPatches:
                  - applyTo: HTTP_ROUTE
                    patch: {operation: ADD, value: {name: r}}
                  - applyTo: ROUTE_CONFIGURATION
                    patch: {operation: REMOVE}
                  - applyTo: CLUSTER
                    patch: {operation: REPLACE, value: {name: c}}
                  - applyTo: HTTP_FILTER
                    patch: {operation: REPLACE, value: {name: f}}
                  - applyTo: CLUSTER
                    patch: {operation: REMOVE}
                  - applyTo: HTTP_FILTER
                    patch: {operation: INSERT_FIRST, value: {name: g}}
                  - applyTo: CLUSTER
                    patch: {operation: MERGE, value: {name: h}}
                  - applyTo: CLUSTER
                    patch: {operation: ADD, value: {name: i}}
                """, "case.yaml:7 IST0153 spec.configPatches[0].patch.operation",
                    "case.yaml:9 IST0154 spec.configPatches[1].patch.operation",
                    "case.yaml:11 IST0152 spec.configPatches[2].patch.operation",
                    "case.yaml:13 IST0151 spec.configPatches[3].patch.operation",
                    "case.yaml:15 IST0151 spec.configPatches[4].patch.operation"),
            c("a priority makes relative operations ordered", """
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: ordered, namespace: shop}
                spec:
                  priority: 10
                  configPatches:
                  - applyTo: HTTP_FILTER
                    patch: {operation: INSERT_BEFORE, value: {name: f}}
                """),
            c("a relative patch after a proxyVersion patch of the same filter, in this or an earlier EnvoyFilter", """
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: a-versioned, namespace: shop}
                spec:
                  priority: 1
                  configPatches:
                  - applyTo: HTTP_FILTER
                    match: {proxy: {proxyVersion: '^1\\.20.*'}}
                    patch: {operation: INSERT_FIRST, value: {name: envoy.lua}}
                ---
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: b-relative, namespace: shop}
                spec:
                  configPatches:
                  - applyTo: HTTP_FILTER
                    patch: {operation: INSERT_AFTER, value: {name: envoy.lua}}
                  - applyTo: HTTP_FILTER
                    patch: {operation: INSERT_AFTER, value: {name: envoy.other}}
                """, "case.yaml:17 IST0155 spec.configPatches[0].patch.operation",
                    "case.yaml:19 IST0151 spec.configPatches[1].patch.operation"),
            // ---- deployments: IST0116 one port under several protocols, IST0137 one targetPort behind several ports
            c("an injected Deployment behind Services using one port with different protocols", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web, sidecar.istio.io/inject: "true"}}
                    spec: {containers: [{name: app, image: web:1}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-tcp, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: tcp-web, port: 8080, protocol: TCP}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-udp, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: udp-web, port: 8080, protocol: UDP}]}
                """, "case.yaml:3 IST0116 metadata.name"),
            c("one targetPort behind two ports", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: web:1}, {name: istio-proxy, image: proxyv2}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-a, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: http-a, port: 80, targetPort: 8080}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-b, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: http-b, port: 81, targetPort: 8080}]}
                """, "case.yaml:3 IST0137 metadata.name"),
            c("not in the mesh (no injection anywhere, or disabled), or selected from another namespace: no finding", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: app, image: web:1}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-a, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: http-a, port: 80, targetPort: 8080}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-b, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: http-b, port: 81, targetPort: 8080}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api, namespace: other}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web, sidecar.istio.io/inject: "true"}}
                    spec: {containers: [{name: app, image: web:1}]}
                """),
            // ---- IST0144 application UID 1337
            c("UID 1337 on the pod or an application container; istio-proxy may use it", """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: shop}
                spec:
                  securityContext: {runAsUser: 1337}
                  containers:
                  - {name: app, image: p:1, securityContext: {runAsUser: 1337}}
                  - {name: istio-proxy, image: proxyv2, securityContext: {runAsUser: 1337}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d, namespace: shop}
                spec:
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec:
                      containers:
                      - {name: app, image: d:1, securityContext: {runAsUser: 1337}}
                      - {name: sidecar, image: d:1, securityContext: {runAsUser: 1000}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system, labels: {istio: pilot}}
                spec:
                  selector: {matchLabels: {app: istiod}}
                  template:
                    metadata: {labels: {app: istiod}}
                    spec: {securityContext: {runAsUser: 1337}, containers: [{name: discovery, image: pilot}]}
                """, "case.yaml:5 IST0144 spec.securityContext.runAsUser",
                    "case.yaml:7 IST0144 spec.containers[0].securityContext.runAsUser",
                    "case.yaml:19 IST0144 spec.template.spec.containers[0].securityContext.runAsUser"),
            // ---- IST0171 negative status conditions
            c("a Service not bound to its waypoint; other condition types and True statuses are not findings", """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
                status:
                  conditions:
                  - {type: istio.io/WaypointBound, status: "False", reason: NoWaypoint, message: not ready}
                  - {type: example.com/Synced, status: "False", reason: OutOfSync, message: out of sync}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: bound, namespace: shop}
                spec: {hosts: [bound.example.com], resolution: DNS, ports: [{number: 443, name: tls, protocol: TLS}]}
                status:
                  conditions:
                  - {type: istio.io/WaypointBound, status: "True", reason: Bound, message: ok}
                """, "case.yaml:7 IST0171 status.conditions[0]"),
            // ---- AuthorizationPolicy: IST0127 no matching workloads, IST0101 source namespaces
            c("selectors matching workloads in the mesh, or none; namespace-wide where nothing runs", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: typo, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviewz, version: v1}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: nothing-runs, namespace: empty}
                spec: {}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: mesh-wide, namespace: istio-system}
                spec: {}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: mesh-wide-ratings, namespace: istio-system}
                spec:
                  selector: {matchLabels: {app: ratings}}
                """, "case.yaml:15 IST0127 spec.selector", "case.yaml:19 IST0127 metadata.name"),
            c("workloads outside the mesh do not count", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: disabled}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                """, "case.yaml:9 IST0127 spec.selector"),
            c("without the Namespace object injection is unknown: the namespace's workloads count", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                """),
            c("ambient namespaces' workloads count", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                """),
            c("source namespaces and globs matching no namespace meshcd sees", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {istio-injection: enabled}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  rules:
                  - from:
                    - source: {namespaces: [shop, "sh*", "*op", "*", SHOP, "bogus-*"]}
                    - source: {notNamespaces: [nowhere]}
                """, "case.yaml:12 IST0101 spec.rules[0].from[0].source.namespaces[5]",
                    "case.yaml:13 IST0101 spec.rules[0].from[1].source.notNamespaces[0]"),
            // ---- IST0175 istiod without BLOCKED_CIDRS_IN_JWKS_URIS
            c("istiod without the setting while RequestAuthentications exist; with it, no finding", """
                apiVersion: security.istio.io/v1
                kind: RequestAuthentication
                metadata: {name: jwt, namespace: shop}
                spec:
                  jwtRules: [{issuer: "https://issuer.example", jwksUri: "https://issuer.example/jwks.json"}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod, namespace: istio-system, labels: {app: istiod, istio: pilot}}
                spec:
                  selector: {matchLabels: {app: istiod}}
                  template:
                    metadata: {labels: {app: istiod}}
                    spec:
                      containers: [{name: discovery, image: pilot, env: [{name: PILOT_TRACE_SAMPLING, value: "1"}]}]
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: istiod-canary, namespace: istio-system, labels: {app: istiod, istio: pilot}}
                spec:
                  selector: {matchLabels: {app: istiod-canary}}
                  template:
                    metadata: {labels: {app: istiod-canary}}
                    spec:
                      containers:
                      - name: discovery
                        image: pilot
                        env: [{name: BLOCKED_CIDRS_IN_JWKS_URIS, value: "10.0.0.0/8,169.254.0.0/16"}]
                """, "case.yaml:15 IST0175 spec.template.spec.containers"),
            // ---- ServiceEntries: IST0134 addresses required, IST0177 conflicting protocols
            c("TCP and unset protocols without addresses, once per port (not also MCD2025); HTTP needs none", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: shop}
                spec:
                  hosts: [db.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports:
                  - {number: 5432, name: tcp-pg, protocol: tcp}
                  - {number: 80, name: http, protocol: HTTP}
                  - {number: 9000, name: other}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: addressed, namespace: shop}
                spec:
                  hosts: [db2.example.com]
                  addresses: [240.0.0.1]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: allocated, namespace: shop}
                spec:
                  hosts: [db3.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
                status:
                  addresses: [{value: 240.240.0.1}]
                """, "case.yaml:9 IST0134 spec.ports[0]", "case.yaml:11 IST0134 spec.ports[2]"),
            c("DNS capture with auto-allocation in the mesh config allocates addresses", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |
                    defaultConfig:
                      proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true", ISTIO_META_DNS_AUTO_ALLOCATE: "true"}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: shop}
                spec:
                  hosts: [db.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
                """),
            c("one host and port, two protocols, visible together (one exported everywhere, one to its namespace)", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: plain, namespace: shop}
                spec:
                  hosts: [api.vendor.example]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 8443, name: http, protocol: HTTP}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: tls, namespace: payments}
                spec:
                  hosts: [api.vendor.example]
                  exportTo: ["."]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 8443, name: tls, protocol: TLS}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: same, namespace: other}
                spec:
                  hosts: [api.vendor.example]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 8443, name: http-2, protocol: http}]
                """, "case.yaml:3 IST0177 metadata.name", "case.yaml:12 IST0177 metadata.name",
                    "case.yaml:22 IST0177 metadata.name"),
            c("different protocols in scopes that never meet", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: a, namespace: shop}
                spec:
                  hosts: [api.vendor.example]
                  exportTo: ["."]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 8443, name: http, protocol: HTTP}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: b, namespace: payments}
                spec:
                  hosts: [api.vendor.example]
                  exportTo: ["."]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 8443, name: tls, protocol: TLS}]
                """)
        );
    }

    /**
     * Istio's "Telemetry Lightstep" case runs with a mesh config file; until the case harness passes mesh config
     * files (meshcd.yaml's meshConfig), its file goes in as ConfigMap istio-system/istio, where meshcd reads it.
     */
    @org.junit.jupiter.api.Test
    void istiosLightstepCaseWithItsMeshConfig() throws Exception {
        java.nio.file.Path root = dev.meshcd.testing.SharedData.istioRoot();
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null, "../shared/conformance/istio is absent");
        java.nio.file.Path dir = root.resolve("analyzers/testdata");
        com.fasterxml.jackson.databind.node.ObjectNode cm = new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", "istio").put("namespace", "istio-system");
        cm.putObject("data").put("mesh",
                java.nio.file.Files.readString(dir.resolve("telemetry-lightstep-meshconfig.yaml")));
        var compiler = dev.meshcd.compiler.pipeline.StandardStages.compiler(
                dev.meshcd.compiler.pipeline.CompileOptions.DEFAULT.withDefaultNamespace("default"));
        var tree = new dev.meshcd.compiler.source.SourceTree(List.of(
                new dev.meshcd.compiler.source.SourceFile("telemetry-lightstep.yaml",
                        java.nio.file.Files.readAllBytes(dir.resolve("telemetry-lightstep.yaml"))),
                dev.meshcd.compiler.source.SourceFile.ofString("mesh.yaml", cm.toString())));
        List<String> found = compiler.compile(tree, dev.meshcd.compiler.pipeline.Compiler.Mode.CHECK).diagnostics()
                .stream().filter(d -> d.code().equals("IST0002")).map(d -> d.code() + " " + d.resource()).toList();
        assertThat(found).containsExactly("IST0002 Telemetry istio-system/mesh-default");
    }

    /**
     * Istio's "Condition Analyzer" case, for the kinds meshcd reads: its Gateway API resources count once the
     * Gateway API kinds are registered (then IstioAnalyzerCasesTest takes the whole case).
     */
    @org.junit.jupiter.api.Test
    void istiosConditionCaseForTheKindsMeshcdReads() throws Exception {
        java.nio.file.Path root = dev.meshcd.testing.SharedData.istioRoot();
        org.junit.jupiter.api.Assumptions.assumeTrue(root != null, "../shared/conformance/istio is absent");
        var kinds = dev.meshcd.compiler.pipeline.StandardStages.kinds();
        List<String> expected = new java.util.ArrayList<>();
        for (var c : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(root.resolve("analyzers/MANIFEST.json").toFile())) {
            if (c.path("analyzer").asText().equals("&conditions.ConditionAnalyzer{}")) {
                c.path("expected").forEach(e -> {
                    String kind = e.path("resource_kind").asText();
                    // the case's Gateway, HTTPRoute and GRPCRoute are the Gateway API's
                    boolean read = !List.of("Gateway", "HTTPRoute", "GRPCRoute").contains(kind) || kinds.lookup(
                            new dev.meshcd.compiler.model.Kind("gateway.networking.k8s.io", kind)).isPresent();
                    if (read) {
                        expected.add(e.path("code").asText() + " " + e.path("resource").asText());
                    }
                });
            }
        }
        assertThat(expected).isNotEmpty();
        java.nio.file.Path file = root.resolve("analyzers/testdata/condition-analyzer.yaml");
        var compiler = dev.meshcd.compiler.pipeline.StandardStages.compiler(
                dev.meshcd.compiler.pipeline.CompileOptions.DEFAULT.withDefaultNamespace("default"));
        List<String> found = compiler.compile(new dev.meshcd.compiler.source.SourceTree(List.of(
                        new dev.meshcd.compiler.source.SourceFile(file.getFileName().toString(),
                                java.nio.file.Files.readAllBytes(file)))), dev.meshcd.compiler.pipeline.Compiler.Mode.CHECK)
                .diagnostics().stream().filter(d -> d.code().equals("IST0171"))
                .map(d -> d.code() + " " + d.resource()).toList();
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
    }

    @org.junit.jupiter.api.Test
    void aServiceEntryPortWithoutAddressesIsOneIst0134NotAlsoTheValidationWarning() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: shop}
                spec:
                  hosts: [db.example.com]
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
                """;
        List<String> codes = AnalyzeFixture.check(yaml).stream()
                .filter(d -> d.location() != null && d.location().file().equals("case.yaml"))
                .map(d -> d.code()).toList();
        assertThat(codes).containsExactly("IST0134");
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
