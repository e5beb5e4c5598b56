package dev.meshcd.compiler.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The limit is checked while reading; sizes are written as people write them; I/O errors say why. */
class BoundedReadTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "65536, 65536", "64Mi, 67108864", "512Ki, 524288", "1Gi, 1073741824", "64M, 64000000", "2k, 2000",
            "' 8Ki ', 8192", "64x, ", "-1, ", "Mi, ", "1.5Mi, ", "99999999999999999999Gi, ",
    })
    void sizes(String text, Long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(Optional.ofNullable(bytes));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"67108864, 64 MiB", "1073741824, 1 GiB", "2048, 2 KiB", "1536, 1536 bytes", "1000, 1000 bytes"})
    void sizesAreShownExactly(long bytes, String shown) {
        assertThat(ByteSize.format(bytes)).isEqualTo(shown);
    }

    @ParameterizedTest(name = "{0} bytes under a {1} byte limit")
    @CsvSource({"0, 1024", "1024, 1024", "1025, 1024", "200000, 1024", "200000, 300000"})
    void streamsAreCutOffPastTheLimit(int size, int limit) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[size]);
        if (size <= limit) {
            assertThat(BoundedRead.stream(in, "s", limit, "")).hasSize(size);
        } else {
            assertThatThrownBy(() -> BoundedRead.stream(in, "s", limit, "raise it"))
                    .isInstanceOf(BoundedRead.TooLargeException.class)
                    .hasMessage("s is larger than the " + ByteSize.format(limit) + " limit; raise it");
            assertThat(in.available()).as("read no further than the limit allows").isGreaterThanOrEqualTo(size - limit - 65536);
        }
    }

    @Test
    void aFileIsRefusedFromItsSizeAndOtherwiseReadWhole() throws IOException {
        Path f = Files.write(tmp.resolve("f.yaml"), new byte[5000]);
        assertThat(BoundedRead.file(f, "f.yaml", 5000, "")).hasSize(5000);
        assertThatThrownBy(() -> BoundedRead.file(f, "f.yaml", 4999, "how"))
                .hasMessage("f.yaml is 5000 bytes, larger than the 4999 bytes limit; how");
        assertThatThrownBy(() -> BoundedRead.file(tmp, "dir", 4999, "")).hasMessage("dir is a directory, not a file");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "denied   | /x: permission denied",
            "missing  | /x: no such file or directory",
            "loop     | /x: symbolic link loop",
            "eloop    | /x: too many levels of symbolic links",
            "readonly | /x: read-only file system",
    })
    void ioErrorsSayWhy(String kind, String described) {
        IOException e = switch (kind) {
            case "denied" -> new AccessDeniedException("/x");
            case "missing" -> new NoSuchFileException("/x");
            case "loop" -> new FileSystemLoopException("/x");
            case "eloop" -> new FileSystemException("/x", null, "Too many levels of symbolic links");
            default -> new FileSystemException("/x", null, "Read-only file system");
        };
        assertThat(IoProblem.describe(e)).isEqualTo(described);
    }
}
