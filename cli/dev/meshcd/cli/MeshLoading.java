package dev.meshcd.cli;

import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.pipeline.Compiler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Reading and compiling a mesh for the commands that work on its Envoy configuration (compile, simulate, diff). */
final class MeshLoading {
    /** A usage or I/O problem; the command prints the message and exits 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private MeshLoading() {
    }

    /** The options every Envoy command shares: the repository options of check, and loading into an EffectiveMesh. */
    static final class Options {
        @picocli.CommandLine.Mixin
        RepoOptions repo;

        /** Opens and compiles the paths into their Envoy configuration; null (the problem printed) on a usage or I/O error. */
        EffectiveMesh load(List<Path> paths, PrintWriter err) {
            try {
                return EffectiveMesh.of(repo.compile(paths, Compiler.Mode.CHECK, err));
            } catch (UsageException e) {
                err.println("meshcd: " + e.getMessage());
                return null;
            }
        }
    }
}
