package dev.meshcd.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a synthetic mesh config repo of N services, one file per service, each with a Service,
 * two Deployments (v1, v2), a VirtualService (90/10 canary, timeout, retries), a DestinationRule
 * (subsets, connection pool, outlier detection), an AuthorizationPolicy and a PeerAuthentication:
 * 7 documents per service. Namespaces (one per 100 services) get their own file. Deterministic.
 *
 * <p>{@code java -cp ... dev.meshcd.bench.MeshRepoGenerator OUT N}
 */
public final class MeshRepoGenerator {
    private MeshRepoGenerator() {
    }

    public static void main(String[] args) throws IOException {
        generate(Path.of(args[0]), Integer.parseInt(args[1]));
    }

    public static String namespaceOf(int i) {
        return "team-" + (i / 100);
    }

    public static void generate(Path out, int services) throws IOException {
        Files.createDirectories(out);
        StringBuilder namespaces = new StringBuilder();
        for (int ns = 0; ns * 100 < services; ns++) {
            namespaces.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-").append(ns)
                    .append("\n  labels:\n    istio-injection: enabled\n---\n");
        }
        Files.writeString(out.resolve("namespaces.yaml"), namespaces, StandardCharsets.UTF_8);
        for (int i = 0; i < services; i++) {
            String ns = namespaceOf(i);
            Path dir = out.resolve(ns);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("svc-" + i + ".yaml"), service(i), StandardCharsets.UTF_8);
        }
    }

    static String service(int i) {
        String name = "svc-" + i;
        String ns = namespaceOf(i);
        String caller = "svc-" + Math.max(0, i - 1);
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                  namespace: %2$s
                  labels:
                    app: %1$s
                spec:
                  selector:
                    app: %1$s
                  ports:
                  - name: http
                    port: 8080
                    targetPort: 8080
                ---
                %4$s
                ---
                %5$s
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  hosts:
                  - %1$s
                  http:
                  - match:
                    - headers:
                        x-canary:
                          exact: "true"
                    route:
                    - destination:
                        host: %1$s
                        subset: v2
                  - route:
                    - destination:
                        host: %1$s
                        subset: v1
                      weight: 90
                    - destination:
                        host: %1$s
                        subset: v2
                      weight: 10
                    timeout: 5s
                    retries:
                      attempts: 3
                      perTryTimeout: 2s
                      retryOn: 5xx,reset,connect-failure
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  host: %1$s
                  trafficPolicy:
                    connectionPool:
                      tcp:
                        maxConnections: 100
                      http:
                        http1MaxPendingRequests: 50
                        maxRequestsPerConnection: 10
                    outlierDetection:
                      consecutive5xxErrors: 5
                      interval: 30s
                      baseEjectionTime: 60s
                      maxEjectionPercent: 50
                  subsets:
                  - name: v1
                    labels:
                      version: v1
                  - name: v2
                    labels:
                      version: v2
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  selector:
                    matchLabels:
                      app: %1$s
                  action: ALLOW
                  rules:
                  - from:
                    - source:
                        principals:
                        - cluster.local/ns/%3$s/sa/%6$s
                    to:
                    - operation:
                        methods: ["GET", "POST"]
                        paths: ["/api/*"]
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata:
                  name: %1$s
                  namespace: %2$s
                spec:
                  selector:
                    matchLabels:
                      app: %1$s
                  mtls:
                    mode: STRICT
                """.formatted(name, ns, namespaceOf(Math.max(0, i - 1)), deployment(name, ns, "v1"),
                deployment(name, ns, "v2"), caller);
    }

    static String deployment(String name, String ns, String version) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s-%3$s
                  namespace: %2$s
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: %1$s
                      version: %3$s
                  template:
                    metadata:
                      labels:
                        app: %1$s
                        version: %3$s
                    spec:
                      serviceAccountName: %1$s
                      containers:
                      - name: app
                        image: registry.example.com/%1$s:1.0.0
                        ports:
                        - containerPort: 8080""".formatted(name, ns, version);
    }
}
