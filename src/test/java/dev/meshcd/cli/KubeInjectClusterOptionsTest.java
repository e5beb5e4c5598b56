package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * kube-inject's options that read the cluster (istioctl's): misuse is a usage error before anything is read. Reading
 * the ConfigMaps themselves is checked against the real API server in InjectionFollowsClusterTest.
 */
class KubeInjectClusterOptionsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --context             | kind-a            | give its --kubeconfig
            --injectConfigMapName | my-injector       | give its --kubeconfig
            --meshConfigMapName   | my-mesh           | give its --kubeconfig
            -i                    | istio-other       | give its --kubeconfig
            --revision            | ../../secrets     | not a Kubernetes name: "../../secrets"
            """)
    void clusterOptionsNeedAClusterAndKubernetesNames(String option, String value, String message) throws Exception {
        Path pod = Files.writeString(tmp.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                + "spec: {containers: [{name: a, image: a}]}\n");
        CliRun r = CliRun.run("kube-inject", "-f", pod.toString(), option, value);
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--injectConfigMapName", "--meshConfigMapName", "-i"})
    void namesGivenWithAKubeconfigAreKubernetesNames(String option) throws Exception {
        Path pod = Files.writeString(tmp.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                + "spec: {containers: [{name: a, image: a}]}\n");
        Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        CliRun r = CliRun.run("kube-inject", "-f", pod.toString(), "--kubeconfig", kubeconfig.toString(), option,
                "a/b");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("not a Kubernetes name: \"a/b\"");
    }
}
