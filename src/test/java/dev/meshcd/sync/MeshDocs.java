package dev.meshcd.sync;

/** Istio documents the sync tests share. */
final class MeshDocs {
    static final String SE = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: shop}
            spec: {hosts: [api.example.com], ports: [{number: 443, name: https, protocol: TLS}], resolution: DNS}
            """;

    static final String GW = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: shop}
            spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
            """;

    static final String DR_API = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: api, namespace: shop}
            spec: {host: api.example.com, trafficPolicy: {tls: {mode: SIMPLE}}}
            """;

    static final String DR_CART = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: cart, namespace: shop}
            spec:
              host: cart
              subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
            """;

    static final String VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec:
              hosts: [cart]
              gateways: [shop/gw]
              http:
              - route: [{destination: {host: cart.shop.svc.cluster.local, subset: v1}, weight: 90},
                        {destination: {host: cart, subset: v2}, weight: 10}]
              - route: [{destination: {host: api.example.com}}]
            """;

    static final String VS_OTHER = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: unrelated, namespace: web}
            spec: {hosts: [web], http: [{route: [{destination: {host: web}}]}]}
            """;

    static final String SVC = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec: {ports: [{port: 80, name: http}], selector: {app: cart}}
            """;

    static final String VS_SIMPLE = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: shop}
            spec: {hosts: [cart], http: [{route: [{destination: {host: cart}}]}]}
            """;

    /**
     * The Kubernetes context the Istio documents refer to (Services, workloads, the ingress gateway):
     * a repo is compiled and analyzed as a whole, so routes to hosts nobody defines would fail the gate.
     * Only Istio kinds are applied; these stay context.
     */
    static final String CONTEXT = """
            apiVersion: v1
            kind: Service
            metadata: {name: cart, namespace: shop}
            spec: {ports: [{port: 80, name: http}], selector: {app: cart}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart-v1, namespace: shop}
            spec:
              selector: {matchLabels: {app: cart, version: v1}}
              template:
                metadata: {labels: {app: cart, version: v1}}
                spec: {containers: [{name: app, image: cart:1}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart-v2, namespace: shop}
            spec:
              selector: {matchLabels: {app: cart, version: v2}}
              template:
                metadata: {labels: {app: cart, version: v2}}
                spec: {containers: [{name: app, image: cart:2}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: istio-ingressgateway, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              template:
                metadata: {labels: {istio: ingressgateway}}
                spec: {containers: [{name: istio-proxy, image: proxyv2}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: web}
            spec: {ports: [{port: 80, name: http}], selector: {app: web}}
            """;

    private MeshDocs() {
    }
}
