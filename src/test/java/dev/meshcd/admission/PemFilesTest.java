package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.admission.tls.DirCertStore;
import dev.meshcd.admission.tls.ServingCertificates;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A broken or hostile PEM file in the certificate directory: the error names that file, and says why. */
class PemFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ca.crt", "ca.key", "tls.crt", "tls.key"})
    void aBrokenPemNamesItsFile(String file) throws Exception {
        ServingCertificates.create(new DirCertStore(dir), List.of("meshcd.meshcd-system.svc")).initialize();
        Files.writeString(dir.resolve(file), "-----BEGIN NONSENSE-----\nxx\n-----END NONSENSE-----\n");
        assertThatThrownBy(() -> new DirCertStore(dir).load()).hasMessageContaining(dir.resolve(file).toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tls.crt", "tls.key"})
    void aHugePemIsRefusedWithoutReadingIt(String file) throws Exception {
        ServingCertificates.create(new DirCertStore(dir), List.of("meshcd.meshcd-system.svc")).initialize();
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(file).toFile(), "rw")) {
            f.setLength(2L << 30);
        }
        assertThatThrownBy(() -> new DirCertStore(dir).load())
                .hasMessageContaining(file + " is 2147483648 bytes, larger than the 1 MiB limit");
        assertThat(dir.resolve("ca.crt")).exists();
    }
}
