package dev.meshcd.compiler.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.compiler.workspace.Workspace;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which proxies a repository analyzed against a live cluster translates: its own workloads, the cluster's
 * workloads in the namespaces it configures and those its Gateways select; not the rest of the cluster, and not
 * each Pod a controller runs (the controller stands for them).
 */
class ContextProxiesTest {
    private static Resource cluster(String yaml) {
        CompileResult r = StandardStages.compiler(CompileOptions.DEFAULT)
                .compile(SourceTree.of(SourceFile.ofString("cluster", yaml)), Compiler.Mode.VALIDATE);
        return r.resources().get(0);
    }

    private static String deployment(String ns, String name, String labels) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: NAME, namespace: NS}
                spec:
                  selector: {matchLabels: LABELS}
                  template:
                    metadata: {labels: LABELS}
                    spec: {containers: [{name: app, image: app}]}
                """.replace("NAME", name).replace("NS", ns).replace("LABELS", labels);
    }

    @Test
    void translatesTheRepositorysProxiesNotTheWholeCluster() {
        List<Resource> clusterObjects = List.of(
                cluster(deployment("shop", "cart", "{app: cart}")),
                cluster(deployment("billing", "ledger", "{app: ledger}")),
                cluster(deployment("istio-system", "istio-ingressgateway", "{istio: ingressgateway}")),
                cluster("""
                        apiVersion: v1
                        kind: Pod
                        metadata:
                          name: cart-7c9f8-x2x9z
                          namespace: shop
                          labels: {app: cart}
                          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: cart-7c9f8, uid: u1, controller: true}]
                        spec: {containers: [{name: app, image: app}]}
                        """),
                cluster("""
                        apiVersion: v1
                        kind: Service
                        metadata: {name: cart, namespace: shop}
                        spec: {selector: {app: cart}, ports: [{name: http, port: 8080}]}
                        """));
        Workspace ws = Workspace.builder().context(() -> new MeshContext(clusterObjects, true, "cluster", "1")).build();
        CompileResult result = ws.compile(SourceTree.of(SourceFile.ofString("shop.yaml", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: public, namespace: shop}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart, namespace: shop}
                spec:
                  hosts: [cart]
                  http: [{route: [{destination: {host: cart}}]}]
                """)), Compiler.Mode.CHECK);

        EffectiveMesh mesh = EffectiveMesh.of(result);

        assertThat(mesh.proxies().keySet()).containsExactly("istio-system/istio-ingressgateway", "shop/cart");
    }
}
