package dev.meshcd.compiler.review;

import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.workspace.Workspaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Directories of configuration to review: copies of examples/ and generated meshes, edited in place. */
final class ReviewFixtures {
    private ReviewFixtures() {
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Replaces text in every YAML file under {@code dir}; returns how many files changed. */
    static int replaceAll(Path dir, String from, String to) throws IOException {
        int n = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String text = Files.readString(p);
                if (text.contains(from)) {
                    Files.writeString(p, text.replace(from, to));
                    n++;
                }
            }
        }
        return n;
    }

    /** Compiles a directory as {@code meshcd check DIR} does (its meshcd.yaml discovered). */
    static CompileResult check(Path dir) throws IOException {
        return Workspaces.onDisk(List.of(dir), Workspaces.ConfigChoice.DISCOVER, null).compile(Compiler.Mode.CHECK);
    }
}
