package dev.meshcd.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of random but valid meshes for the differential tests: per case two namespaces
 * ({@code m<seed>a}, {@code m<seed>b}) with Services (HTTP, gRPC and TCP ports, numeric and named target ports),
 * Deployments in one or two versions, DestinationRules (subsets, TLS mode, load balancer, connection pool, outlier
 * detection, exportTo), VirtualServices (canary weight splits, header and URI matches, timeouts, retries, exportTo,
 * hosts that name no Service), ServiceEntries (DNS, HTTP and TLS ports, exportTo), a default Sidecar per namespace
 * (egress to its own namespace, sometimes the other) and sometimes an ingress Gateway with its own Deployment and
 * Service (80 -> 8080). Each case keeps to its own namespaces (the Sidecars' egress), so many cases can share one
 * run of each tool. The same seed always gives the same documents.
 *
 * <p>(Unlike bench/MeshRepoGenerator, which writes one large regular repository for timing, this one varies
 * everything it can while staying valid for both istiod and meshcd.)
 */
final class RandomMesh {
    private final Random rnd;
    private final String a;
    private final String b;
    private final String prefix;
    private final List<String> docs = new ArrayList<>();

    private record Svc(String ns, String name, int port, String portName, String targetPort, int containerPort,
                       boolean grpc, boolean tcp, List<String> versions, boolean subsets) {
    }

    private RandomMesh(long seed) {
        this.rnd = new Random(seed);
        this.prefix = "m" + Long.toUnsignedString(seed, 36);
        this.a = prefix + "a";
        this.b = prefix + "b";
    }

    /** The documents of case {@code seed}, one YAML document each. */
    static List<String> generate(long seed) {
        RandomMesh m = new RandomMesh(seed);
        m.build();
        return List.copyOf(m.docs);
    }

    /** The namespace prefix of case {@code seed}: every resource of the case lives in a namespace starting with it. */
    static String prefix(long seed) {
        return "m" + Long.toUnsignedString(seed, 36);
    }

    private boolean chance(int percent) {
        return rnd.nextInt(100) < percent;
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    private void build() {
        for (String ns : List.of(a, b)) {
            docs.add("""
                    apiVersion: v1
                    kind: Namespace
                    metadata:
                      name: %s
                      labels:
                        istio-injection: enabled
                    """.formatted(ns));
        }
        List<Svc> svcs = new ArrayList<>();
        int inA = 1 + rnd.nextInt(3);
        int inB = rnd.nextInt(3);
        for (int i = 0; i < inA + inB; i++) {
            String ns = i < inA ? a : b;
            int port = pick(List.of(80, 80, 8080, 9080));
            boolean named = chance(30);
            int container = pick(List.of(port, 8000, 9000));
            List<String> versions = chance(60) ? List.of("v1", "v2") : List.of("v1");
            Svc s = new Svc(ns, "s" + i, port, pick(List.of("http", "http-web", "http2")),
                    named ? "web" : String.valueOf(container), container, chance(25), chance(20), versions,
                    versions.size() > 1);
            svcs.add(s);
            service(s);
            for (String v : versions) {
                deployment(s.ns(), s.name() + "-" + v, s.name(), v, s.containerPort());
            }
        }
        deployment(a, "client", "client", "v1", 8080);
        for (Svc s : svcs) {
            if (s.subsets() || chance(30)) {
                destinationRule(s);
            }
            if (chance(70)) {
                virtualService(s);
            }
        }
        List<String> external = new ArrayList<>();
        if (chance(40)) {
            external.add(serviceEntry());
        }
        if (chance(30)) {
            // a VirtualService for a host no Service or ServiceEntry declares (istiod: route configuration 80 only)
            Svc to = pick(svcs);
            docs.add("""
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata:
                      name: legacy
                      namespace: %s
                    spec:
                      hosts:
                      - legacy.%s.example.org
                      http:
                      - route:
                        - destination:
                            host: %s.%s.svc.cluster.local
                            port:
                              number: %d
                    """.formatted(a, prefix, to.name(), to.ns(), to.port()));
        }
        sidecar(a, chance(60) ? List.of("./*", b + "/*") : List.of("./*"));
        sidecar(b, chance(50) ? List.of("./*", a + "/*") : List.of("./*"));
        if (chance(35)) {
            gateway(pick(svcs));
        }
    }

    private void service(Svc s) {
        StringBuilder ports = new StringBuilder("""
                  - name: %s
                    port: %d
                    targetPort: %s
                """.formatted(s.portName(), s.port(), s.targetPort()));
        if (s.grpc()) {
            ports.append("""
                      - name: grpc
                        port: 9090
                    """);
        }
        if (s.tcp()) {
            ports.append("""
                      - name: tcp-db
                        port: 5432
                    """);
        }
        docs.add("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  selector:
                    app: %s
                  ports:
                %s""".formatted(s.name(), s.ns(), s.name(), ports));
    }

    private void deployment(String ns, String name, String app, String version, int containerPort) {
        docs.add("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  selector:
                    matchLabels:
                      app: %3$s
                      version: %4$s
                  template:
                    metadata:
                      labels:
                        app: %3$s
                        version: %4$s
                    spec:
                      serviceAccountName: %3$s
                      containers:
                      - name: app
                        image: example/app
                        ports:
                        - name: web
                          containerPort: %5$d
                """.formatted(name, ns, app, version, containerPort));
    }

    private String exportTo() {
        return chance(20) ? "  exportTo:\n  - \".\"\n" : "";
    }

    private void destinationRule(Svc s) {
        StringBuilder spec = new StringBuilder("  host: " + s.name() + "\n");
        StringBuilder policy = new StringBuilder();
        if (chance(40)) {
            policy.append("    tls:\n      mode: ").append(pick(List.of("ISTIO_MUTUAL", "DISABLE"))).append('\n');
        }
        if (chance(30)) {
            policy.append("    loadBalancer:\n      simple: ").append(pick(List.of("ROUND_ROBIN", "RANDOM", "LEAST_REQUEST")))
                    .append('\n');
        }
        if (chance(30)) {
            policy.append("    connectionPool:\n      http:\n        http1MaxPendingRequests: ")
                    .append(1 + rnd.nextInt(100)).append('\n');
        }
        if (chance(30)) {
            policy.append("    outlierDetection:\n      consecutive5xxErrors: ").append(1 + rnd.nextInt(10))
                    .append("\n      interval: ").append(1 + rnd.nextInt(30)).append("s\n");
        }
        if (!policy.isEmpty()) {
            spec.append("  trafficPolicy:\n").append(policy);
        }
        if (s.subsets()) {
            spec.append("  subsets:\n");
            for (String v : List.of("v1", "v2")) {
                spec.append("  - name: ").append(v).append("\n    labels:\n      version: ").append(v).append('\n');
            }
        }
        if (!s.subsets()) {
            // a DestinationRule whose subsets a VirtualService uses stays visible wherever the VirtualService is
            spec.append(exportTo());
        }
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: %s
                  namespace: %s
                spec:
                %s""".formatted(s.name(), s.ns(), spec));
    }

    /** A destination's fields at the indentation of the route templates; a port when the Service has several. */
    private String destination(Svc s, String subset) {
        return "host: " + s.name() + (subset == null ? "" : "\n        subset: " + subset)
                + (s.grpc() || s.tcp() ? "\n        port:\n          number: " + s.port() : "");
    }

    private void virtualService(Svc s) {
        StringBuilder http = new StringBuilder();
        if (s.subsets() && chance(50)) {
            http.append("""
                  - name: canary-header
                    match:
                    - headers:
                        x-canary:
                          exact: "true"
                    route:
                    - destination:
                        %s
                """.formatted(destination(s, "v2")));
        }
        if (chance(30)) {
            http.append("""
                  - name: api
                    match:
                    - uri:
                        prefix: /api
                    route:
                    - destination:
                        %s
                """.formatted(destination(s, s.subsets() ? "v1" : null)));
        }
        http.append("  - name: default\n");
        if (s.subsets() && chance(60)) {
            int w = pick(List.of(50, 80, 90, 99));
            http.append("""
                    route:
                    - destination:
                        %s
                      weight: %d
                    - destination:
                        %s
                      weight: %d
                """.formatted(destination(s, "v1"), w, destination(s, "v2"), 100 - w));
        } else {
            http.append("""
                    route:
                    - destination:
                        %s
                """.formatted(destination(s, s.subsets() && chance(50) ? "v1" : null)));
        }
        if (chance(40)) {
            http.append("    timeout: ").append(1 + rnd.nextInt(20)).append("s\n");
        }
        if (chance(40)) {
            http.append("    retries:\n      attempts: ").append(1 + rnd.nextInt(4)).append('\n');
            if (chance(50)) {
                http.append("      perTryTimeout: ").append(1 + rnd.nextInt(3)).append("s\n");
            }
            if (chance(50)) {
                http.append("      retryOn: ").append(pick(List.of("5xx", "gateway-error,connect-failure",
                        "connect-failure,refused-stream,503"))).append('\n');
            }
        }
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  hosts:
                  - %s
                %s  http:
                %s""".formatted(s.name(), s.ns(), s.name(), exportTo(), http));
    }

    private String serviceEntry() {
        String host = "ext." + prefix + ".example.com";
        boolean tls = chance(40);
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: ext
                  namespace: %s
                spec:
                  hosts:
                  - %s
                  location: MESH_EXTERNAL
                  resolution: DNS
                  ports:
                  - number: %d
                    name: %s
                    protocol: %s
                %s""".formatted(a, host, tls ? 443 : 80, tls ? "tls" : "http", tls ? "TLS" : "HTTP", exportTo()));
        if (!tls && chance(50)) {
            docs.add("""
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata:
                      name: ext
                      namespace: %s
                    spec:
                      hosts:
                      - %s
                      http:
                      - timeout: 5s
                        route:
                        - destination:
                            host: %s
                    """.formatted(a, host, host));
        }
        return host;
    }

    private void sidecar(String ns, List<String> hosts) {
        StringBuilder h = new StringBuilder();
        hosts.forEach(x -> h.append("    - \"").append(x).append("\"\n"));
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata:
                  name: default
                  namespace: %s
                spec:
                  egress:
                  - hosts:
                %s""".formatted(ns, h));
    }

    private void gateway(Svc to) {
        String label = "gw-" + prefix;
        docs.add("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: gateway
                  namespace: %1$s
                spec:
                  selector:
                    matchLabels:
                      istio: %2$s
                  template:
                    metadata:
                      labels:
                        istio: %2$s
                    spec:
                      containers:
                      - name: istio-proxy
                        image: docker.io/istio/proxyv2
                """.formatted(a, label));
        docs.add("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: gateway
                  namespace: %s
                spec:
                  selector:
                    istio: %s
                  ports:
                  - name: http2
                    port: 80
                    targetPort: 8080
                    protocol: TCP
                """.formatted(a, label));
        String host = "www." + prefix + ".example.com";
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata:
                  name: gateway
                  namespace: %s
                spec:
                  selector:
                    istio: %s
                  servers:
                  - port:
                      number: 80
                      name: http
                      protocol: HTTP
                    hosts:
                    - "%s"
                """.formatted(a, label, host));
        docs.add("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: ingress
                  namespace: %s
                spec:
                  hosts:
                  - "%s"
                  gateways:
                  - gateway
                  http:
                  - route:
                    - destination:
                        host: %s.%s.svc.cluster.local
                        port:
                          number: %d
                """.formatted(a, host, to.name(), to.ns(), to.port()));
    }
}
