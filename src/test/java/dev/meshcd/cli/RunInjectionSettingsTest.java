package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** meshcd run reads the injector's files before it serves: a malformed one stops it, naming the field. */
class RunInjectionSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void aMalformedMeshConfigFileIsAUsageErrorBeforeServing() throws Exception {
        Path mesh = Files.writeString(tmp.resolve("mesh.yaml"), "defaultConfig:\n  statusPort: high\n");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new RunCommand());
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("--no-cluster", "--meshConfigFile", mesh.toString());
        assertThat(exit).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains(mesh + ":2:3: defaultConfig.statusPort: expected an integer, found a string");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"--revision, Canary", "--revision, ../x", "--istio-namespace, a/b"})
    void theRevisionAndIstioNamespaceAreDnsLabels(String option, String value) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new RunCommand());
        cmd.setErr(new PrintWriter(err, true));
        assertThat(cmd.execute("--no-cluster", option, value)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("must be DNS labels");
    }
}
