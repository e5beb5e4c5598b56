package dev.meshcd.admission.tls;

import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.IoProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
            return Optional.of(new Bundle(pair("ca.crt", "ca.key"), pair("tls.crt", "tls.key")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificates in " + dir + ": " + IoProblem.describe(e), e);
        }
    }

    /** A PEM is a few KiB: anything past this is not one. */
    private static final int MAX_PEM_BYTES = 1 << 20;

    /** A certificate and its key; a PEM error names the file it is in. */
    private Certificates.KeyAndCert pair(String certFile, String keyFile) throws IOException {
        String cert = pem(certFile);
        String key = pem(keyFile);
        try {
            return Certificates.parse(cert, key);
        } catch (IllegalArgumentException e) {
            // Which file: the key when it is not even shaped like a PEM private key, or the error says so.
            boolean keyShaped = key.contains("-----BEGIN") && key.contains("PRIVATE KEY-----");
            String file = !keyShaped || String.valueOf(e.getMessage()).contains("private key") ? keyFile : certFile;
            throw new IllegalArgumentException(dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }

    private String pem(String file) throws IOException {
        Path p = dir.resolve(file);
        return new String(BoundedRead.file(p, p.toString(), MAX_PEM_BYTES, ""), StandardCharsets.UTF_8);
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
