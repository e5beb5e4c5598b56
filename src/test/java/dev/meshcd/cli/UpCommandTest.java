package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshcd up} refuses clearly, before starting anything, when what it needs is missing. */
class UpCommandTest {
    @TempDir
    Path tmp;

    record Outcome(int exit, String err) {
    }

    static Outcome up(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "up";
            System.arraycopy(args, 0, all, 1, args.length);
            return new Outcome(Main.run(all), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void missingExamplesDirectory() {
        Outcome o = up("--state-dir", tmp.resolve("state").toString(), "--examples", tmp.resolve("nope").toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd up: no examples directory at " + tmp.resolve("nope"));
        assertThat(tmp.resolve("state/cluster")).doesNotExist();
    }

    @Test
    void unreadableKubeconfig() {
        Outcome o = up("--state-dir", tmp.resolve("state").toString(), "--kubeconfig", tmp.resolve("kc").toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd up: kubeconfig " + tmp.resolve("kc") + " is not readable");
    }

    @Test
    void unreachableApiServer() throws Exception {
        Path kc = tmp.resolve("kubeconfig");
        Files.writeString(kc, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                """);
        Outcome o = up("--state-dir", tmp.resolve("state").toString(), "--kubeconfig", kc.toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd up: cannot reach the API server of " + kc);
    }

    @Test
    void locatesTheScriptAndExamplesAboveTheWorkingDirectory() throws Exception {
        assertThat(UpCommand.locate("scripts/k8s-local.sh")).isRegularFile();
        assertThat(UpCommand.locate("examples/meshcd.yaml").getParent().resolve("shop/cart.yaml")).isRegularFile();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> UpCommand.locate("no/such/file.txt")))
                .hasMessageContaining("cannot find no/such/file.txt");
    }
}
