package dev.meshcd.bench;

import dev.meshcd.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A generated repository: {@code n} services spread over namespaces, each with a Service and two
 * Deployments (v1, v2) in {@code <ns>/<svc>/app.yaml} and a ServicePolicy in
 * {@code <ns>/<svc>/policy.yaml} that uses a seeded mix of every ServicePolicy feature.
 */
public final class PolicyRepo {
    private PolicyRepo() {
    }

    public static final int SERVICES_PER_NAMESPACE = 50;

    public static String namespace(int i) {
        return "team-" + (i / SERVICES_PER_NAMESPACE);
    }

    public static String service(int i) {
        return "svc-" + i;
    }

    public static String policyFile(int i) {
        return namespace(i) + "/" + service(i) + "/policy.yaml";
    }

    public static List<SourceFile> generate(int n, long seed) {
        List<SourceFile> files = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            files.add(SourceFile.ofString(namespace(i) + "/" + service(i) + "/app.yaml", app(i)));
            files.add(SourceFile.ofString(policyFile(i), policy(i, n, policySeed(seed, i), 10 + (int) Math.floorMod(policySeed(seed, i), 41L))));
        }
        return files;
    }

    /** The seed of service {@code i}'s policy in a repo generated with {@code seed}. */
    public static long policySeed(long seed, int i) {
        return new Random(seed * 1_000_003L + i).nextLong();
    }

    /** The policy of service {@code i} with its canary at {@code canaryWeight}%. */
    public static String policy(int i, int n, long seed, int canaryWeight) {
        Random r = new Random(seed);
        String ns = namespace(i);
        String svc = service(i);
        int first = (i / SERVICES_PER_NAMESPACE) * SERVICES_PER_NAMESPACE;
        int caller = first + r.nextInt(Math.min(SERVICES_PER_NAMESPACE, n - first));
        StringBuilder sb = new StringBuilder();
        sb.append("apiVersion: meshcd.dev/v1alpha1\nkind: ServicePolicy\nmetadata:\n  name: ").append(svc)
                .append("\n  namespace: ").append(ns).append("\nspec:\n");
        sb.append("  versions:\n    v1: {version: v1}\n    v2: {version: v2}\n");
        sb.append("  routes:\n");
        sb.append("    - name: testers\n      match:\n        - headers: {x-canary: \"true\"}\n      to: v2\n");
        if (r.nextBoolean()) {
            sb.append("    - name: api\n      match:\n        - path: {prefix: /api/}\n          method: GET\n"
                    + "        - path: {regex: \"^/v[0-9]+/items\"}\n      rewrite: {path: /}\n      to: v1\n");
        }
        if (r.nextInt(4) == 0) {
            sb.append("    - name: moved\n      match:\n        - path: {exact: /old}\n      redirect: {path: /new, status: 301}\n");
        }
        if (r.nextInt(4) == 0) {
            sb.append("    - name: chaos\n      match:\n        - query: {chaos: \"1\"}\n      to: v1\n"
                    + "      fault:\n        delay: {fixed: 1s, percent: 10}\n        abort: {status: 503, percent: 1}\n");
        }
        sb.append("    - name: canary\n      split:\n        - {version: v1, weight: ").append(100 - canaryWeight)
                .append("}\n        - {version: v2, weight: ").append(canaryWeight).append("}\n");
        if (r.nextInt(3) == 0) {
            sb.append("      mirror: {version: v2, percent: 5}\n");
        }
        if (r.nextBoolean()) {
            sb.append("  timeout: ").append(1 + r.nextInt(10)).append("s\n");
            sb.append("  retries: {attempts: ").append(1 + r.nextInt(3)).append(", perTryTimeout: 500ms, on: [5xx, reset]}\n");
        }
        if (r.nextBoolean()) {
            sb.append("  connectionPool: {maxConnections: 100, maxPendingRequests: 10, maxRequestsPerConnection: 1}\n");
            sb.append("  outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}\n");
        }
        switch (r.nextInt(3)) {
            case 0 -> sb.append("  loadBalancing: LEAST_REQUEST\n");
            case 1 -> sb.append("  loadBalancing:\n    consistentHash: {header: x-user}\n");
            default -> { }
        }
        sb.append("  mtls: STRICT\n");
        sb.append("  access:\n    allow:\n      - from: {serviceAccounts: [").append(service(caller))
                .append("]}\n        to: {methods: [GET, POST]}\n      - from: {namespaces: [monitoring]}\n        to: {paths: [/metrics]}\n");
        if (r.nextInt(3) == 0) {
            sb.append("    deny:\n      - to: {paths: [/admin/*]}\n");
        }
        if (r.nextInt(4) == 0) {
            sb.append("  authentication:\n    jwt:\n      - issuer: https://auth.example.com\n"
                    + "        jwksUri: https://auth.example.com/jwks.json\n    required: true\n");
        }
        if (r.nextInt(3) == 0) {
            sb.append("  observability: {accessLogging: true, tracingSampling: 10}\n");
        }
        if (r.nextInt(5) == 0) {
            sb.append("  exportTo: [\".\"]\n");
        }
        return sb.toString();
    }

    static String app(int i) {
        String ns = namespace(i);
        String svc = service(i);
        StringBuilder sb = new StringBuilder();
        sb.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: ").append(svc).append("\n  namespace: ").append(ns)
                .append("\nspec:\n  selector:\n    app: ").append(svc)
                .append("\n  ports:\n    - name: http\n      port: 8080\n      targetPort: 8080\n");
        for (String v : new String[]{"v1", "v2"}) {
            sb.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ").append(svc).append('-').append(v)
                    .append("\n  namespace: ").append(ns).append("\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ")
                    .append(svc).append("\n      version: ").append(v)
                    .append("\n  template:\n    metadata:\n      labels:\n        app: ").append(svc).append("\n        version: ")
                    .append(v).append("\n    spec:\n      serviceAccountName: ").append(svc)
                    .append("\n      containers:\n        - name: app\n          image: registry.example.com/")
                    .append(svc).append(':').append(v).append("\n          ports:\n            - containerPort: 8080\n");
        }
        return sb.toString();
    }
}
