package dev.meshcd.cli;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.config.MeshcdConfigParser;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How every compiling command reads a repository: the paths, meshcd.yaml (discovered or {@code --config};
 * its exclude list, namespace, external workloads and suppressions) and {@code -n}. One place, so
 * check, compile and simulate see the same repository.
 */
final class RepoOptions {
    @Option(names = {"-n", "--namespace"}, description = "Namespace of objects that name none (default: meshcd.yaml's defaultNamespace, else \"default\").")
    String namespace;

    @Option(names = "--config", paramLabel = "FILE", description = "meshcd config file (default: the first meshcd.yaml found in the first PATH's directory or its parents up to the working directory).")
    Path config;

    @Option(names = "--no-config", description = "Do not look for meshcd.yaml.")
    boolean noConfig;

    /** Reads the paths and compiles them; a missing or unreadable path or config is a {@link MeshLoading.UsageException}. */
    CompileResult compile(List<Path> paths, Compiler.Mode mode) throws MeshLoading.UsageException {
        SourceTree tree = MeshLoading.read(paths);
        MeshcdConfig cfg = MeshcdConfig.EMPTY;
        Path cfgPath = config != null ? config : noConfig ? null : ConfigFiles.discover(paths.get(0));
        if (cfgPath != null) {
            try {
                cfg = MeshcdConfigParser.parse(ConfigFiles.read(cfgPath));
            } catch (NoSuchFileException e) {
                throw new MeshLoading.UsageException(e.getFile() + ": no such file or directory");
            } catch (IOException e) {
                throw new MeshLoading.UsageException("cannot read config: " + e.getMessage());
            }
            tree = cfg.applyTo(tree, ConfigFiles.explicitFiles(paths));
        }
        CompileOptions options = cfg.applyTo(CompileOptions.DEFAULT);
        if (namespace != null) {
            options = options.withDefaultNamespace(namespace);
        }
        Compiler compiler = StandardStages.compiler(options, List.of(cfg.filter()));
        return cfg.withDiagnostics(compiler.compile(tree, mode));
    }

    /** The namespace for trees read without a config (diff's Git revisions). */
    String namespaceOrDefault() {
        return namespace == null ? "default" : namespace;
    }
}
