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

    private MeshDocs() {
    }
}
