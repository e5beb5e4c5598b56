package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshcd check DIR} on a repository laid out for Argo CD / Flux: a kustomization (named {@code Kustomization},
 * no extension) with a patch and a namespace, an Argo Rollout whose canary labels a subset selects, and a Flux
 * placeholder.
 */
class RealRepositoryLayoutsTest {
    @TempDir
    Path dir;

    private void write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void aKustomizeFluxRolloutRepositoryChecksAsItDeploys() throws Exception {
        write("app/Kustomization", """
                namespace: shop
                resources: [app.yaml]
                patchesStrategicMerge: [replicas.yaml]
                """);
        write("app/replicas.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: reviews}\nspec: {replicas: 5}\n");
        write("app/app.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews}
                spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
                ---
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: reviews}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  template:
                    metadata: {labels: {app: reviews}}
                    spec: {containers: [{name: reviews, image: reviews}]}
                  strategy: {canary: {canaryMetadata: {labels: {track: canary}}}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                  subsets: [{name: canary, labels: {track: canary}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews}
                spec:
                  hosts:
                  - reviews.${DOMAIN}
                  http:
                  - route:
                    - destination: {host: reviews, subset: canary}
                """);

        CliTest.Run r = CliTest.run("check", dir.toString());

        assertThat(r.out()).contains("app.yaml:28:13: warning MCD1015 [VirtualService shop/reviews] ${DOMAIN}")
                .contains("0 errors, 1 warning, 0 info in 4 resources from 1 file");
        assertThat(r.exit()).isZero();

        write("meshcd.yaml", "apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\nsubstitute: {DOMAIN: shop.svc.cluster.local}\n");
        CliTest.Run configured = CliTest.run("check", dir.toString());

        assertThat(configured.out()).contains("0 errors, 0 warnings");
        assertThat(configured.exit()).isZero();
    }
}
