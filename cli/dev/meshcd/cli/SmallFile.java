package dev.meshcd.cli;

import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.IoProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The small files named on the command line (PEM certificates, kubeconfigs, token and secret files): read with a
 * bound, since none is more than a few KiB, so {@code --ca-bundle /dev/zero} or a mistyped multi-gigabyte path
 * is an error, not an OutOfMemoryError; the error names the file and says why.
 */
final class SmallFile {
    static final int MAX_BYTES = 1 << 20;

    private SmallFile() {
    }

    static String read(Path file) throws IOException {
        try {
            return new String(BoundedRead.file(file, file.toString(), MAX_BYTES, ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot read " + IoProblem.describe(e), e);
        }
    }
}
