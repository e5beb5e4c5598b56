package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every analyzer, positive and negative: case.yaml is compiled with a small shop mesh
 * ({@link AnalyzeFixture#BASE}) and the analyzer findings must be exactly the expected
 * "file:line CODE path" entries.
 */
class AnalyzersTest {

    static Stream<Arguments> cases() {
        return Stream.of(
            // ---- IST0101 destination host / IST0112 port ----
            c("unknown destination host", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviewz}
                """, "case.yaml:8 IST0101 spec.http[0].route[0].destination.host"),
            c("short, FQDN, ServiceEntry and wildcard ServiceEntry hosts resolve", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews}
                      weight: 50
                    - destination: {host: reviews.shop.svc.cluster.local}
                      weight: 50
                  tls:
                  - match: [{sniHosts: [api.partner.io]}]
                    route:
                    - destination: {host: api.partner.io}
                  - match: [{sniHosts: [x.wild.io]}]
                    route:
                    - destination: {host: x.wild.io}
                """),
            c("short name resolves in the VirtualService's namespace, not the service's", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: other}
                spec:
                  hosts: [reviews.shop.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: reviews}
                """, "case.yaml:8 IST0101 spec.http[0].route[0].destination.host"),
            c("destinations are looked up from the namespaces the VirtualService is exported to", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: private, namespace: shop}
                spec:
                  hosts: [private.partner.io]
                  exportTo: ["."]
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: to-bogus, namespace: shop}
                spec:
                  hosts: [a.example.com]
                  exportTo: [bogus]
                  tls: [{match: [{sniHosts: [a.example.com]}], route: [{destination: {host: private.partner.io}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: to-all, namespace: shop}
                spec:
                  hosts: [b.example.com]
                  exportTo: ["*"]
                  tls: [{match: [{sniHosts: [b.example.com]}], route: [{destination: {host: private.partner.io}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: to-own-and-bogus, namespace: shop}
                spec:
                  hosts: [c.example.com]
                  exportTo: [bogus, "."]
                  tls: [{match: [{sniHosts: [c.example.com]}], route: [{destination: {host: private.partner.io}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: from-elsewhere-to-shop, namespace: other}
                spec:
                  hosts: [d.example.com]
                  exportTo: [shop]
                  tls: [{match: [{sniHosts: [d.example.com]}], route: [{destination: {host: private.partner.io}}]}]
                """, "case.yaml:16 IST0101 spec.tls[0].route[0].destination.host",
                "case.yaml:24 IST0101 spec.tls[0].route[0].destination.host"),
            c("ServiceEntry exported only to its own namespace is invisible elsewhere", """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: private, namespace: shop}
                spec:
                  hosts: [private.partner.io]
                  exportTo: ["."]
                  resolution: DNS
                  ports: [{number: 443, name: tls, protocol: TLS}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: other}
                spec:
                  hosts: [private.partner.io]
                  tls:
                  - match: [{sniHosts: [private.partner.io]}]
                    route:
                    - destination: {host: private.partner.io}
                """, "case.yaml:18 IST0101 spec.tls[0].route[0].destination.host"),
            c("multi-port service without port", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [ratings]
                  http:
                  - route:
                    - destination: {host: ratings}
                """, "case.yaml:8 IST0112 spec.http[0].route[0].destination"),
            c("multi-port service with port", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [ratings]
                  http:
                  - route:
                    - destination: {host: ratings, port: {number: 9080}}
                """),
            c("mirror host unknown, port the service does not expose", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [ratings]
                  http:
                  - route:
                    - destination: {host: ratings, port: {number: 9999}}
                    mirror: {host: shadow}
                """, "case.yaml:8 IST0101 spec.http[0].route[0].destination.port.number",
                "case.yaml:9 IST0101 spec.http[0].mirror.host"),
            // ---- IST0101 subsets ----
            c("subset no DestinationRule defines", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews, subset: v1}
                      weight: 90
                    - destination: {host: reviews, subset: v2}
                      weight: 10
                """, "case.yaml:17 IST0101 spec.http[0].route[1].destination.subset"),
            c("subset from a DestinationRule in the root namespace", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: istio-system}
                spec:
                  host: reviews.shop.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - route:
                    - destination: {host: reviews, subset: v1}
                """),
            c("subset of a DestinationRule exported only to its own namespace", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews
                  exportTo: ["."]
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: other}
                spec:
                  hosts: [reviews.shop.svc.cluster.local]
                  http:
                  - route:
                    - destination: {host: reviews.shop.svc.cluster.local, subset: v1}
                """, "case.yaml:16 IST0101 spec.http[0].route[0].destination.subset"),
            // ---- gateways: IST0101 / IST0132 ----
            c("gateway references: missing short name, ns/name, mesh", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["*/reviews.example.com"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [gw, istio-system/gw, mesh]
                  http:
                  - route:
                    - destination: {host: reviews}
                """, "case.yaml:15 IST0101 spec.gateways[0]"),
            c("gateway in a match must exist too", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [istio-system/nope]
                  http:
                  - match: [{gateways: [istio-system/nope2]}]
                    route:
                    - destination: {host: reviews}
                """, "case.yaml:6 IST0101 spec.gateways[0]", "case.yaml:8 IST0101 spec.http[0].match[0].gateways[0]"),
            c("VirtualService host not served by the gateway", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["shop/reviews.example.com", "other/admin.example.com", "./ops.example.com"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: admin, namespace: shop}
                spec:
                  hosts: [admin.example.com, ops.example.com]
                  gateways: [istio-system/gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: ok, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [istio-system/gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                """, "case.yaml:15 IST0132 spec.gateways[0]"),
            c("wildcard gateway host serves any VirtualService host under it", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["*.example.com"]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                """),
            c("Gateway API Gateway: the VirtualService host must match a listener hostname", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  gatewayClassName: istio
                  listeners:
                  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: served, namespace: shop}
                spec:
                  hosts: [reviews.example.com]
                  gateways: [gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: unserved, namespace: shop}
                spec:
                  hosts: [reviews.example.org]
                  gateways: [gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                """, "case.yaml:24 IST0132 spec.gateways[0]"),
            c("Gateway API Gateway: a listener without hostname serves every host", """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  gatewayClassName: istio
                  listeners:
                  - {name: http, port: 80, protocol: HTTP}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews.example.org]
                  gateways: [gw]
                  http:
                  - route:
                    - destination: {host: reviews}
                """),
            // ---- IST0109 ----
            c("two mesh VirtualServices for one host", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a, namespace: shop}
                spec:
                  hosts: [reviews]
                  http: [{route: [{destination: {host: reviews}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: b, namespace: other}
                spec:
                  hosts: [reviews.shop.svc.cluster.local]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                """, "case.yaml:12 IST0109 spec.hosts[0]", "case.yaml:5 IST0109 spec.hosts[0]"),
            c("IST0109 once per VirtualService, and wildcard overlaps between exported-to-some and exported-to-all", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a, namespace: shop}
                spec:
                  hosts: [reviews, ratings]
                  http: [{route: [{destination: {host: reviews}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: b, namespace: shop}
                spec:
                  hosts: [reviews, ratings]
                  http: [{route: [{destination: {host: reviews}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: wild, namespace: foo}
                spec:
                  hosts: ["*.d"]
                  exportTo: ["."]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: deeper, namespace: bar}
                spec:
                  hosts: ["*.productpage.d"]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: x, namespace: bar}
                spec:
                  hosts: ["*.x.io"]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: y, namespace: bar}
                spec:
                  hosts: ["a.x.io"]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                """, "case.yaml:12 IST0109 spec.hosts[0]", "case.yaml:5 IST0109 spec.hosts[0]",
                "case.yaml:19 IST0109 spec.hosts[0]", "case.yaml:27 IST0109 spec.hosts[0]"),
            c("no conflict: one bound to a gateway, others exported to disjoint namespaces", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a, namespace: shop}
                spec:
                  hosts: [reviews]
                  exportTo: ["."]
                  http: [{route: [{destination: {host: reviews}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: b, namespace: other}
                spec:
                  hosts: [reviews.shop.svc.cluster.local]
                  exportTo: ["."]
                  http: [{route: [{destination: {host: reviews.shop.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: c, namespace: shop}
                spec:
                  hosts: [reviews]
                  gateways: [gw]
                  http: [{route: [{destination: {host: reviews}}]}]
                """),
            // ---- IST0130 / IST0131 ----
            c("rule after a catch-all, duplicate match", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - match: [{uri: {prefix: /a}}, {uri: {prefix: /b}}]
                    route: [{destination: {host: reviews}}]
                  - name: again
                    match: [{uri: {prefix: /b}}, {uri: {prefix: /c}}]
                    route: [{destination: {host: reviews}}]
                  - route: [{destination: {host: reviews}}]
                  - route: [{destination: {host: reviews}}]
                """, "case.yaml:10 IST0131 spec.http[1].match[0]", "case.yaml:13 IST0130 spec.http[3]"),
            c("distinct matches and one final catch-all are fine", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: r, namespace: shop}
                spec:
                  hosts: [reviews]
                  http:
                  - match: [{uri: {prefix: /a}}]
                    route: [{destination: {host: reviews}}]
                  - match: [{uri: {prefix: /a}, headers: {x-canary: {exact: "true"}}}]
                    route: [{destination: {host: reviews}}]
                  - route: [{destination: {host: reviews}}]
                """),
            // ---- Gateway selector / ports / conflicts ----
            c("gateway selector matching no workload; declared external workload matches", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: typo, namespace: istio-system}
                spec:
                  selector: {istio: ingress}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/a.example.com"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: good, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/b.example.com"]}]
                """, "case.yaml:5 IST0101 spec.selector"),
            c("gateway port the gateway Service does not expose", """
                apiVersion: v1
                kind: Service
                metadata: {name: istio-ingressgateway, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  ports: [{name: http2, port: 80, targetPort: 8080}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["*/a.example.com"]
                  - port: {number: 8443, name: https, protocol: HTTPS}
                    hosts: ["*/a.example.com"]
                    tls: {mode: SIMPLE, credentialName: a-cert}
                """, "case.yaml:16 IST0162 spec.servers[1].port.number"),
            c("conflicting gateways: same selector and port, the same host as written (not a covering wildcard)", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: a, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop.example.com", "x.io"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: b, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ["shop.example.com"]
                  - port: {number: 8080, name: http-alt, protocol: HTTP}
                    hosts: ["x.io"]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: c, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*.example.com", "*/shop.example.com"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: d, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["x.io"], bind: 10.0.0.1}]
                """, "case.yaml:15 IST0145 spec.servers[0].hosts", "case.yaml:6 IST0145 spec.servers[0].hosts"),
            c("conflicting gateways: different selectors that select the same workloads", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: alpha, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["foo.bar"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: beta, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway, app: istio-ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["foo.bar"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gamma, namespace: istio-system}
                spec:
                  selector: {istio: ingressgateway, app: other}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["foo.bar"]}]
                """, "case.yaml:6 IST0145 spec.servers[0].hosts", "case.yaml:13 IST0145 spec.servers[0].hosts",
                "case.yaml:19 IST0101 spec.selector"),
            // ---- DestinationRules ----
            c("TLS origination without caCertificates, destination and port level", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: ext, namespace: shop}
                spec:
                  host: api.partner.io
                  trafficPolicy:
                    tls: {mode: SIMPLE}
                    portLevelSettings:
                    - port: {number: 443}
                      tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem}
                    - port: {number: 8443}
                      tls: {mode: SIMPLE, caCertificates: /ca.pem}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews
                  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
                """, "case.yaml:7 IST0128 spec.trafficPolicy.tls.mode",
                "case.yaml:10 IST0129 spec.trafficPolicy.portLevelSettings[0].tls.mode"),
            c("credentialName is the CA only with a workloadSelector; subsets are not looked at; insecureSkipVerify still warns", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: no-selector, namespace: shop}
                spec:
                  host: api.partner.io
                  trafficPolicy:
                    tls: {mode: SIMPLE, credentialName: db-credential}
                    portLevelSettings:
                    - port: {number: 443}
                      tls: {mode: SIMPLE, credentialName: db-credential}
                  subsets:
                  - name: s
                    trafficPolicy: {tls: {mode: SIMPLE}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: selector, namespace: shop}
                spec:
                  host: api.partner.io
                  workloadSelector: {matchLabels: {app: reviews}}
                  trafficPolicy:
                    tls: {mode: MUTUAL, credentialName: db-credential}
                    portLevelSettings:
                    - port: {number: 443}
                      tls: {mode: SIMPLE, credentialName: db-credential}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: skip-verify, namespace: shop}
                spec:
                  host: api.partner.io
                  trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true}}
                """, "case.yaml:7 IST0128 spec.trafficPolicy.tls.mode",
                "case.yaml:10 IST0129 spec.trafficPolicy.portLevelSettings[0].tls.mode",
                "case.yaml:32 IST0128 spec.trafficPolicy.tls.mode"),
            c("subset selecting no pods", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews
                  subsets:
                  - name: v1
                    labels: {version: v1}
                  - name: v2
                    labels: {version: v2}
                """, "case.yaml:9 IST0173 spec.subsets[1].name"),
            c("subsets: node-locality labels are the Node's, never the pod template's (an empty one selects nothing)", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: shop}
                spec:
                  host: reviews
                  subsets:
                  - name: region
                    labels: {topology.kubernetes.io/region: us-west-1}
                  - name: zone-v1
                    labels: {topology.kubernetes.io/zone: us-west-1a, version: v1}
                  - name: zone-v2
                    labels: {topology.kubernetes.io/zone: us-west-1a, version: v2}
                  - name: subzone-host
                    labels: {topology.istio.io/subzone: a, kubernetes.io/hostname: node-1}
                  - name: empty-region
                    labels: {topology.kubernetes.io/region: ""}
                  - name: cluster
                    labels: {topology.istio.io/cluster: c1}
                """, "case.yaml:11 IST0173 spec.subsets[2].name", "case.yaml:15 IST0173 spec.subsets[4].name",
                "case.yaml:17 IST0173 spec.subsets[5].name"),
            c("DestinationRule hosts: unknown, wildcard with and without matches", """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: a, namespace: shop}
                spec: {host: inventory}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: b, namespace: shop}
                spec: {host: "*.partner.io"}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: c, namespace: shop}
                spec: {host: "*.nowhere.io"}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: d, namespace: shop}
                spec: {host: "deep.x.wild.io"}
                """, "case.yaml:4 IST0174 spec.host", "case.yaml:14 IST0174 spec.host"),
            // ---- Sidecars ----
            c("sidecars: two without selector, two selecting one pod, one selecting nothing", """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: a, namespace: shop}
                spec: {egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: b, namespace: shop}
                spec: {egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: c, namespace: shop}
                spec:
                  workloadSelector: {labels: {app: reviews}}
                  egress: [{hosts: ["./*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: d, namespace: shop}
                spec:
                  workloadSelector: {labels: {version: v1, app: reviews}}
                  egress: [{hosts: ["./*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: e, namespace: shop}
                spec:
                  workloadSelector: {labels: {app: nothing}}
                  egress: [{hosts: ["./*"]}]
                """, "case.yaml:4 IST0111 spec", "case.yaml:9 IST0111 spec", "case.yaml:15 IST0110 spec.workloadSelector.labels",
                "case.yaml:22 IST0110 spec.workloadSelector.labels", "case.yaml:29 IST0101 spec.workloadSelector.labels"),
            c("one sidecar per namespace and distinct selectors are fine", """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: a, namespace: shop}
                spec: {egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: c, namespace: shop}
                spec:
                  workloadSelector: {labels: {app: reviews}}
                  egress: [{hosts: ["./*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: d, namespace: shop}
                spec:
                  workloadSelector: {labels: {app: ratings}}
                  egress: [{hosts: ["./*"]}]
                """),
            // ---- IST0118 ----
            c("port names", """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec:
                  selector: {app: web}
                  ports:
                  - {name: web, port: 80}
                  - {name: http-web, port: 81}
                  - {name: ui, port: 82, appProtocol: http}
                  - {name: grpc-web, port: 83}
                  - {name: dns, port: 53, protocol: UDP}
                  - {port: 84}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: sys, namespace: istio-system}
                spec:
                  selector: {app: sys}
                  ports: [{name: web, port: 80}]
                """, "case.yaml:12 IST0118 spec.ports[5]", "case.yaml:7 IST0118 spec.ports[0].name"),
            c("Istio's own Services and the Services its gateway controllers create are skipped", """
                apiVersion: v1
                kind: Service
                metadata: {name: ingress, namespace: shop, labels: {istio: ingressgateway}}
                spec: {selector: {app: x}, ports: [{name: web, port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: chart, namespace: shop, labels: {release: istio}}
                spec: {selector: {app: x}, ports: [{name: web, port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: waypoint, namespace: shop, labels: {gateway.istio.io/managed: istio.io-mesh-controller}}
                spec: {selector: {app: x}, ports: [{name: mesh, port: 15008}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: other, namespace: shop, labels: {gateway.istio.io/managed: someone-else}}
                spec: {selector: {app: x}, ports: [{name: web, port: 80}]}
                """, "case.yaml:19 IST0118 spec.ports[0].name"),
            // ---- IST0150 ----
            c("ExternalName Services: IST0150 instead of IST0118, also for a port named just tcp", """
                apiVersion: v1
                kind: Service
                metadata: {name: nginx, namespace: shop}
                spec:
                  type: ExternalName
                  externalName: nginx.example.com
                  ports:
                  - {name: nginx, port: 443}
                  - {port: 444}
                  - {name: tcp, port: 445}
                  - {name: tcp-db, port: 446}
                  - {name: https, port: 447}
                """, "case.yaml:8 IST0150 spec.ports[0].name", "case.yaml:9 IST0150 spec.ports[1]",
                    "case.yaml:10 IST0150 spec.ports[2].name")
        );
    }

    /** Wrong shapes are validation's to report (IST0106); analyzers must neither crash (MCD9999) nor guess. */
    @org.junit.jupiter.api.Test
    void malformedResourcesNeverCrashAnalyzers() {
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a, namespace: shop}
                spec:
                  hosts: {x: y}
                  gateways: 7
                  http: {route: {destination: 3}}
                  tcp: [1, "two", {match: 5, route: [null, {destination: []}]}]
                  tls: [{match: [{gateways: {a: b}}], route: "x"}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: b, namespace: shop}
                spec:
                  host: [reviews]
                  subsets: {name: v1}
                  trafficPolicy: {tls: [], portLevelSettings: {port: 1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: c, namespace: shop}
                spec: {host: reviews, subsets: [7, {labels: [1]}], trafficPolicy: {portLevelSettings: [3]}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: d, namespace: shop}
                spec: {selector: [1], servers: [{port: "x", hosts: {a: 1}}, 4]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: e, namespace: shop}
                spec: {workloadSelector: {labels: "app=x"}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: f, namespace: shop}
                spec: {selector: "x", ports: [{name: 3, port: "http"}, 5]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: g, namespace: shop}
                spec: "not an object"
                """;
        assertThat(AnalyzeFixture.check(yaml)).noneMatch(d -> d.code().equals("MCD9999"));
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
