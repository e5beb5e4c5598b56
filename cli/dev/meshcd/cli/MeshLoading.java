package dev.meshcd.cli;

import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
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

    static PrintStream stdout() {
        // System.out itself (not FileDescriptor.out) so that tests can capture it; UTF-8 whatever the platform default
        return new PrintStream(System.out, true, StandardCharsets.UTF_8);
    }

    static SourceTree read(List<Path> paths) throws UsageException {
        try {
            return DirectorySource.read(paths);
        } catch (NoSuchFileException e) {
            throw new UsageException(e.getFile() + ": no such file or directory");
        } catch (IOException e) {
            throw new UsageException("cannot read input: " + e.getMessage());
        }
    }

    /** The options every Envoy command shares: the repository options of check, and loading into an EffectiveMesh. */
    static final class Options {
        @picocli.CommandLine.Mixin
        RepoOptions repo;

        /** Reads and compiles the paths; prints the problem and returns null on a usage or I/O error. */
        EffectiveMesh load(List<Path> paths) {
            try {
                return EffectiveMesh.of(repo.compile(paths, Compiler.Mode.CHECK));
            } catch (UsageException e) {
                System.err.println("meshcd: " + e.getMessage());
                return null;
            }
        }

        String namespace() {
            return repo.namespaceOrDefault();
        }
    }

    static EffectiveMesh build(SourceTree tree, String namespace) {
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace(namespace));
        return EffectiveMesh.of(compiler.compile(tree, Compiler.Mode.CHECK));
    }
}
