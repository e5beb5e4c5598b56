package dev.meshcd.cli;

import dev.meshcd.compiler.source.BoundedRead;
import dev.meshcd.compiler.source.DirectorySource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code compile}'s output directory, written as a whole or not at all. Everything goes into a sibling
 * temporary directory first and is then swapped in, so the previous output survives any failure (an I/O error,
 * a kill) and readers never see half of it. meshcd owns the directory: a manifest
 * ({@value DirectorySource#OUTPUT_MANIFEST}) lists what it wrote, and a directory holding anything else, or one
 * that is or contains an input, is refused rather than replaced. Every path stays inside the directory.
 */
final class OutputDirectory {
    /** A relative output path: '/'-separated segments of lower-case names (what IstioOutput and proxies produce). */
    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9_]([-a-z0-9._]*[a-z0-9])?");

    private OutputDirectory() {
    }

    /** Why {@code out} must not be written for these inputs, if it must not. */
    static Optional<String> refusal(Path out, List<Path> inputs) throws IOException {
        return refusal(out, inputs, BoundedRead.DEFAULT_MAX_FILE_BYTES);
    }

    /** Likewise, reading a manifest of at most {@code maxManifestBytes}. */
    static Optional<String> refusal(Path out, List<Path> inputs, long maxManifestBytes) throws IOException {
        Path target = real(out);
        for (Path input : inputs) {
            if (input.toString().equals(DirectorySource.STDIN)) {
                continue;
            }
            Path in = real(input);
            if (in.startsWith(target)) {
                return Optional.of(out + (in.equals(target) ? " is the input " : " contains the input ") + input
                        + ": choose an output directory outside what is compiled");
            }
        }
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(out + " exists and is not a directory");
        }
        Set<String> written = manifest(out, maxManifestBytes);
        Optional<String> foreign = firstFile(out, written);
        if (foreign.isPresent()) {
            return Optional.of(out + " holds " + foreign.get() + ", which meshcd did not write: choose an empty or new"
                    + " directory (meshcd replaces its output directory whole)");
        }
        return Optional.empty();
    }

    /** Checks a relative output path: lower-case segments, no '.', '..' or empty segment. */
    static Optional<String> invalidPath(String relative) {
        for (String segment : relative.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.contains("..")) {
                return Optional.of("\"" + relative + "\" is not a safe output path (segment \"" + segment + "\")");
            }
        }
        return Optional.empty();
    }

    /**
     * Writes {@code files} (relative path → content) as the new content of {@code out}: into a temporary sibling,
     * then swapped in. On failure nothing of the new output remains and the previous output is in place.
     */
    static void write(Path out, Map<String, String> files) throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createDirectory(sibling(abs, "new")); // the umask's permissions, as the output's
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = tmp.resolve(f.getKey()).normalize();
                if (invalidPath(f.getKey()).isPresent() || !p.startsWith(tmp)) {
                    throw new IOException("refusing to write outside " + out + ": " + f.getKey());
                }
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            }
            Files.writeString(tmp.resolve(DirectorySource.OUTPUT_MANIFEST),
                    String.join("\n", files.keySet()) + "\n", StandardCharsets.UTF_8);
            swapIn(tmp, abs);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void swapIn(Path fresh, Path out) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            move(fresh, out);
            return;
        }
        Path old = sibling(out, "old");
        move(out, old);
        try {
            move(fresh, out);
        } catch (IOException e) {
            move(old, out); // put the previous output back
            throw e;
        }
        deleteTree(old);
    }

    /** A fresh hidden name beside {@code out}: {@code .NAME.WHAT-RANDOM}. */
    private static Path sibling(Path out, String what) {
        Path p;
        do {
            p = out.resolveSibling("." + out.getFileName() + "." + what + "-"
                    + Long.toUnsignedString(RANDOM.nextLong(), 36));
        } while (Files.exists(p, LinkOption.NOFOLLOW_LINKS));
        return p;
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** The paths meshcd wrote into {@code out}, from its manifest (empty when there is none). */
    private static Set<String> manifest(Path out, long maxBytes) throws IOException {
        Path m = out.resolve(DirectorySource.OUTPUT_MANIFEST);
        if (!Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS)) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        byte[] bytes = BoundedRead.file(m, m.toString(), maxBytes, "raise it with --max-file-size");
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** The first entry under {@code out} (other than the manifest and the directories of written files) not in {@code written}. */
    private static Optional<String> firstFile(Path out, Set<String> written) throws IOException {
        List<String> foreign = new ArrayList<>();
        Files.walkFileTree(out, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = out.relativize(file).toString().replace('\\', '/');
                if (!rel.equals(DirectorySource.OUTPUT_MANIFEST) && !written.contains(rel)
                        && !(written.isEmpty() && legacy(rel))) {
                    foreign.add(rel);
                    return FileVisitResult.TERMINATE;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return foreign.stream().findFirst();
    }

    /**
     * Output of meshcd versions that wrote no manifest, recognised by its layout ({@code istio/NS/KIND-NAME.yaml},
     * {@code envoy/NS/WORKLOAD.json}); only where no manifest says otherwise.
     */
    private static boolean legacy(String rel) {
        return LEGACY.matcher(rel).matches();
    }

    private static final Pattern LEGACY = Pattern.compile("istio/[a-z0-9_][-a-z0-9._]*/[a-z]+-[-a-z0-9.]+\\.yaml"
            + "|envoy/[a-z0-9_][-a-z0-9._]*/[-a-z0-9.]+\\.json");

    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        // The nearest existing ancestor's real path, with the rest appended: symlinks cannot hide an overlap.
        Path existing = abs;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing)) {
            rest.add(0, existing.getFileName());
            existing = existing.getParent();
        }
        Path out = existing == null ? abs.getRoot() : existing.toRealPath();
        for (Path r : rest) {
            out = out.resolve(r);
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // already gone
                }
            }
        }
    }
}
