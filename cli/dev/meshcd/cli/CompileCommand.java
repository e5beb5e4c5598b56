package dev.meshcd.cli;

import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.config.MeshcdConfigParser;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.DirectorySource;
import dev.meshcd.compiler.source.SourceTree;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What validate and check share: the paths to read, the output format, and running the compiler. */
abstract class CompileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (read recursively: *.yaml, *.yml, *.json).")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Option(names = {"-n", "--namespace"}, description = "Namespace of objects that name none (default: meshcd.yaml's defaultNamespace, else \"default\").")
    String namespace;

    @Option(names = "--config", paramLabel = "FILE", description = "meshcd config file (default: the first meshcd.yaml found in the first PATH's directory or its parents up to the working directory).")
    Path config;

    @Option(names = "--no-config", description = "Do not look for meshcd.yaml.")
    boolean noConfig;

    @Option(names = "--show-info", description = "Also print info diagnostics (skipped kinds) in text output.")
    boolean showInfo;

    @Option(names = "--no-color", description = "Never colour text output.")
    boolean noColor;

    abstract Compiler.Mode mode();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SourceTree tree;
        try {
            tree = DirectorySource.read(paths);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("meshcd: " + e.getFile() + ": no such file or directory");
            return ExitCodes.USAGE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("meshcd: cannot read input: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        MeshcdConfig cfg = MeshcdConfig.EMPTY;
        Path cfgPath = config != null ? config : noConfig ? null : ConfigFiles.discover(paths.get(0));
        if (cfgPath != null) {
            try {
                cfg = MeshcdConfigParser.parse(ConfigFiles.read(cfgPath));
            } catch (NoSuchFileException e) {
                spec.commandLine().getErr().println("meshcd: " + e.getFile() + ": no such file or directory");
                return ExitCodes.USAGE;
            } catch (IOException e) {
                spec.commandLine().getErr().println("meshcd: cannot read config: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            tree = cfg.applyTo(tree, ConfigFiles.explicitFiles(paths));
        }
        CompileOptions options = cfg.applyTo(CompileOptions.DEFAULT);
        if (namespace != null) {
            options = options.withDefaultNamespace(namespace);
        }
        Compiler compiler = StandardStages.compiler(options, List.of(cfg.filter()));
        CompileResult result = ConfigFiles.withConfigDiagnostics(compiler.compile(tree, mode()), cfg);
        boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        out.print(format.renderer(colour, showInfo).render(result));
        out.flush();
        return result.hasErrors() ? ExitCodes.ERRORS : ExitCodes.OK;
    }
}
