package dev.meshcd.compiler.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routing changes in words, over small in-memory meshes. */
class RoutingChangeTest {
    private static final String APPS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: client, namespace: a}
            spec:
              selector: {matchLabels: {app: client}}
              template: {metadata: {labels: {app: client}}, spec: {serviceAccountName: client, containers: [{name: c, image: x}]}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: a}
            spec:
              selector: {matchLabels: {app: api}}
              template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: x}]}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: a}
            spec: {selector: {app: api}, ports: [{name: http, port: 80}]}
            """;

    private static EffectiveMesh mesh(String extra) {
        return MeshDiffTest.build(SourceTree.of(SourceFile.ofString("apps.yaml", APPS), SourceFile.ofString("x.yaml", extra)));
    }

    private static List<String> changes(String base, String head, String proxy) {
        DiffReport r = MeshDiff.diff(mesh(base), mesh(head));
        return r.proxies().getOrDefault(proxy, List.of());
    }

    @Test
    void clusterSettingsPeerAuthenticationAndRoutes() {
        String base = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api, namespace: a}
                spec:
                  host: api
                  trafficPolicy: {connectionPool: {tcp: {maxConnections: 100}}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: a}
                spec: {mtls: {mode: PERMISSIVE}}
                """;
        String head = base.replace("maxConnections: 100", "maxConnections: 50").replace("PERMISSIVE", "STRICT") + """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: api, namespace: a}
                spec:
                  hosts: [api]
                  http:
                    - name: slow
                      match: [{uri: {prefix: /slow}, method: {exact: GET}}]
                      route: [{destination: {host: api}}]
                      timeout: 30s
                    - name: rest
                      route: [{destination: {host: api}}]
                """;
        List<String> client = changes(base, head, "a/client");
        assertThat(client).contains(
                "cluster outbound|80||api.a.svc.cluster.local: circuit_breakers.thresholds[0].max_connections 100 becomes 50");
        // the PeerAuthentication change shows on the receiving side
        assertThat(changes(base, head, "a/api")).contains("inbound port 80 mTLS PERMISSIVE becomes STRICT");
        assertThat(client).anySatisfy(c -> assertThat(c).isEqualTo(
                "a/client → api: new route slow matching prefix /slow, method = \"GET\" → api"));
        assertThat(client).anySatisfy(c -> assertThat(c).isEqualTo("a/client → api: route default removed (was any path → api)"));
        assertThat(changes(base, base, "a/client")).isEmpty();
    }
}
