package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit-code and output contract of validate/check, run in-process. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void missingPathExitsTwo() {
        Run r = run("check", dir.resolve("nope").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no such file or directory");
    }

    @Test
    void unknownOptionExitsTwo() {
        assertThat(run("check", "--frobnicate", dir.toString()).exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void syntaxErrorExitsOneWithLocatedDiagnostic() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: [x\n");
        Run r = run("validate", "--format", "json", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.out()).contains("\"code\" : \"MCD1001\"").contains("bad.yaml");
    }

    @Test
    void cleanInputExitsZero() throws Exception {
        Files.writeString(dir.resolve("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");
        Run r = run("check", dir.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("0 errors, 0 warnings");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[]{"validate", "check"}) {
            Run r = run(cmd, "--help");
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).contains("Usage: meshcd " + cmd);
        }
    }
}
