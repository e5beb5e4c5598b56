package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.YamlLoader;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeInjectCommandTest {
    @TempDir
    Path tmp;

    static final String MANIFESTS = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web   # kept as written
            spec:
              ports:
              - port: 80
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: shop
            spec:
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: nginx
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: nightly
            spec:
              schedule: "0 1 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: job
                        image: busybox
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: db}
              spec:
                template:
                  metadata:
                    annotations: {sidecar.istio.io/inject: "false"}
                  spec:
                    containers: [{name: db, image: postgres}]
            - apiVersion: apps/v1
              kind: DaemonSet
              metadata: {name: agent}
              spec:
                template:
                  spec:
                    containers: [{name: agent, image: agent}]
            """;

    @Test
    void injectsWorkloadsAndPassesOthersThrough() throws Exception {
        Path in = tmp.resolve("in.yaml");
        Path out = tmp.resolve("out.yaml");
        Files.writeString(in, MANIFESTS);
        assertThat(Main.run("kube-inject", "-f", in.toString(), "-o", out.toString(), "--hub", "docker.io/istio",
                "--tag", "1.28.0")).isEqualTo(ExitCodes.OK);
        String text = Files.readString(out);
        assertThat(text).startsWith("apiVersion: v1\nkind: Service\nmetadata:\n  name: web   # kept as written\n");
        List<Document> docs = new YamlLoader().load(SourceFile.ofString("out", text)).documents();
        assertThat(docs).hasSize(4);
        JsonNode deploy = docs.get(1).root();
        assertThat(deploy.path("spec").path("template").path("spec").path("initContainers").get(1).path("image").asText())
                .isEqualTo("docker.io/istio/proxyv2:1.28.0");
        assertThat(deploy.path("spec").path("template").path("metadata").path("labels")
                .path("security.istio.io/tlsMode").asText()).isEqualTo("istio");
        assertThat(deploy.path("spec").path("template").toString())
                .contains("kubernetes://apis/apps/v1/namespaces/shop/deployments/web");
        JsonNode cron = docs.get(2).root();
        assertThat(cron.path("spec").path("jobTemplate").path("metadata").path("annotations")
                .has("sidecar.istio.io/status")).isTrue();
        assertThat(cron.path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                .path("initContainers").size()).isEqualTo(2);
        JsonNode list = docs.get(3).root();
        assertThat(list.path("items").get(0).path("spec").path("template").path("spec").has("initContainers")).isFalse();
        assertThat(list.path("items").get(1).path("spec").path("template").path("spec").path("initContainers").size())
                .isEqualTo(2);
    }

    @Test
    void refusedWorkloadsFailWithExitOne() throws Exception {
        Path in = tmp.resolve("bad.yaml");
        Files.writeString(in, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations:
                    traffic.sidecar.istio.io/excludeOutboundPorts: "bad"
                spec:
                  containers: [{name: c, image: i}]
                """);
        Path out = tmp.resolve("out.yaml");
        assertThat(Main.run("kube-inject", "-f", in.toString(), "-o", out.toString())).isEqualTo(ExitCodes.ERRORS);
        assertThat(out).doesNotExist();
        assertThat(Main.run("kube-inject", "-f", tmp.resolve("missing.yaml").toString())).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void splitsOnSeparatorLinesOnly() {
        assertThat(KubeInjectCommand.splitDocuments("a: 1\n---\nb: '---'\n--- # c\nc: 3"))
                .containsExactly("a: 1\n", "b: '---'\n", "c: 3");
    }
}
