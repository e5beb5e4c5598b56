package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code meshcd run} that cannot listen says why: not "port already in use" for every bind failure. */
class ListenErrorsTest {
    @TempDir
    static Path certs;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1            | 192.0.2.1 is not an address of this machine",
            "no.such.host.invalid | unknown host no.such.host.invalid",
            "127.0.0.1            | the port is already in use",
    })
    void eachBindFailureSaysWhy(String host, String why) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.run("run", "--no-cluster", "--host", host, "--port", String.valueOf(taken.getLocalPort()),
                    "--cert-dir", certs.toString());
            assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).contains("meshcd: cannot listen on " + host + ":" + taken.getLocalPort() + ": " + why);
        }
    }
}
