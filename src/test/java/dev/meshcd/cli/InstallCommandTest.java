package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InstallCommandTest {
    static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rendersYamlWithoutApply() {
        int[] code = new int[1];
        String out = stdout(() -> code[0] = Main.run("install", "--webhook-url", "https://127.0.0.1:9443"));
        assertThat(code[0]).isEqualTo(ExitCodes.OK);
        assertThat(out).contains("url: \"https://127.0.0.1:9443/validate\"").contains("kind: \"MutatingWebhookConfiguration\"")
                .doesNotContain("kind: \"Deployment\"");
    }

    @Test
    void usageErrors() {
        assertThat(Main.run("install", "--webhook-url", "http://127.0.0.1:9443")).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("install", "--crds")).isEqualTo(ExitCodes.USAGE);
        assertThat(Main.run("run", "--no-such-option")).isEqualTo(ExitCodes.USAGE);
    }
}
