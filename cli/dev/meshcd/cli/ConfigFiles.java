package dev.meshcd.cli;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Finding and reading meshcd.yaml for the CLI (the parser itself is pure, in the compiler). */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * The meshcd.yaml of the first PATH: in that directory (or the file's directory), else in its
     * parents, stopping at the working directory (or the filesystem root when PATH lies outside it).
     */
    static Path discover(Path firstPath) {
        Path cwd = Path.of("").toAbsolutePath().normalize();
        Path dir = firstPath.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            dir = dir.getParent();
        }
        boolean underCwd = dir != null && dir.startsWith(cwd);
        while (dir != null) {
            Path candidate = dir.resolve(MeshcdConfig.FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            if (underCwd && dir.equals(cwd)) {
                return null;
            }
            dir = dir.getParent();
        }
        return null;
    }

    /** Reads the config, named as DirectorySource names files (relative to the working directory when under it). */
    static SourceFile read(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return new SourceFile(displayName(path), Files.readAllBytes(path));
    }

    /** A path named as DirectorySource names files: relative to the working directory when under it, '/'-separated. */
    static String displayName(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return (abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString()).replace('\\', '/');
    }

    /** Names (as DirectorySource gives them) of the PATHs that are regular files rather than directories. */
    static java.util.Set<String> explicitFiles(List<Path> paths) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Path p : paths) {
            if (Files.isRegularFile(p)) {
                out.add(displayName(p));
            }
        }
        return out;
    }
}
