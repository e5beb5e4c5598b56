package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kube-inject's istioctl options: --valuesFile, --injectConfigFile, --meshConfigFile. */
class KubeInjectSettingsFilesTest {
    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: hello, namespace: default}
            spec:
              containers: [{name: hello, image: hello:1}]
            """;

    @TempDir
    Path tmp;

    @Test
    void theFilesSettingsReachTheOutputAndFlagsOverrideThem() throws Exception {
        Path in = Files.writeString(tmp.resolve("pod.yaml"), POD);
        Path values = Files.writeString(tmp.resolve("values.json"),
                "{\"global\": {\"hub\": \"docker.io/istio\", \"tag\": \"1.28.0\", \"network\": \"net1\"}}");
        Path config = Files.writeString(tmp.resolve("config.yaml"), "policy: enabled\ntemplates: {sidecar: x}\n");
        Path mesh = Files.writeString(tmp.resolve("mesh.yaml"), "defaultConfig: {proxyMetadata: {FOO: bar}}\n");
        Path out = tmp.resolve("out.yaml");
        assertThat(Main.run("kube-inject", "-f", in.toString(), "-o", out.toString(), "--valuesFile", values.toString(),
                "--injectConfigFile", config.toString(), "--meshConfigFile", mesh.toString())).isEqualTo(ExitCodes.OK);
        String injected = Files.readString(out);
        assertThat(injected).contains("image: docker.io/istio/proxyv2:1.28.0", "topology.istio.io/network: net1",
                "name: FOO");

        assertThat(Main.run("kube-inject", "-f", in.toString(), "-o", out.toString(), "--valuesFile", values.toString(),
                "--tag", "1.29.0")).isEqualTo(ExitCodes.OK);
        assertThat(Files.readString(out)).contains("image: docker.io/istio/proxyv2:1.29.0");
    }

    @Test
    void aMalformedFileIsAUsageErrorNamingItsPosition() throws Exception {
        Path in = Files.writeString(tmp.resolve("pod.yaml"), POD);
        Path values = Files.writeString(tmp.resolve("values.json"), "{\"global\": {\"hubb\": \"x\"}}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("kube-inject", "-f", in.toString(), "-o", tmp.resolve("out.yaml").toString(),
                    "--valuesFile", values.toString())).isEqualTo(ExitCodes.USAGE);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(values + ":1:13: global.hubb: unknown field \"hubb\"");
        assertThat(tmp.resolve("out.yaml")).doesNotExist();
    }
}
