package dev.meshcd.admission.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Certificates as PEM files in a directory: {@code ca.crt ca.key tls.crt tls.key} (keys mode 0600). */
public final class DirCertStore implements CertStore {
    private final Path dir;

    public DirCertStore(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<Bundle> load() {
        try {
            if (!Files.exists(dir.resolve("ca.crt")) || !Files.exists(dir.resolve("tls.crt"))) {
                return Optional.empty();
            }
            return Optional.of(new Bundle(
                    Certificates.parse(Files.readString(dir.resolve("ca.crt")), Files.readString(dir.resolve("ca.key"))),
                    Certificates.parse(Files.readString(dir.resolve("tls.crt")), Files.readString(dir.resolve("tls.key")))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificates in " + dir, e);
        }
    }

    @Override
    public void save(Bundle b) {
        try {
            Files.createDirectories(dir);
            write("ca.crt", b.ca().certPem(), false);
            write("ca.key", b.ca().keyPem(), true);
            write("tls.key", b.serving().keyPem(), true);
            write("tls.crt", b.serving().certPem(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write certificates to " + dir, e);
        }
    }

    private void write(String name, String content, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        Files.writeString(tmp, content);
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
