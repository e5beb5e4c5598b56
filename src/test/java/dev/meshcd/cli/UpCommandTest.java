package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshcd up} refuses clearly, before starting anything, when what it needs is missing. */
class UpCommandTest {
    @TempDir
    Path tmp;

    static CliTest.Run up(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "up";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliTest.run(all);
    }

    @Test
    void missingExamplesDirectory() {
        CliTest.Run o = up("--state-dir", tmp.resolve("state").toString(), "--examples", tmp.resolve("nope").toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd up: no examples directory at " + tmp.resolve("nope"));
        assertThat(tmp.resolve("state/cluster")).doesNotExist();
    }

    @Test
    void unreadableKubeconfig() {
        CliTest.Run o = up("--state-dir", tmp.resolve("state").toString(), "--kubeconfig", tmp.resolve("kc").toString());
        assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(o.err()).contains("meshcd up: kubeconfig " + tmp.resolve("kc") + " is not readable");
    }

    @Test
    void unreachableApiServer() throws Exception {
        Path kc = RunRepoOptionsTest.unreachableKubeconfig(tmp);
        CliTest.Run o = up("--state-dir", tmp.resolve("state").toString(), "--kubeconfig", kc.toString());
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

    @Test
    void oneUpPerStateDirectory() throws Exception {
        Path state = tmp.resolve("state");
        java.nio.file.Files.createDirectories(state);
        // A POSIX (fcntl) lock from another process, as a running meshcd up holds it.
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                state.resolve("lock").toString()).redirectErrorStream(true).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine())
                    .isEqualTo("locked");
            CliTest.Run o = up("--state-dir", state.toString(), "--kubeconfig", tmp.resolve("kc").toString());
            assertThat(o.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(o.err()).contains("another meshcd up is running with " + state);
        } finally {
            holder.destroy();
        }
    }
}
