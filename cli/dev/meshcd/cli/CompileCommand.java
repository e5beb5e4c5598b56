package dev.meshcd.cli;

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

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "Namespace of objects that name none (default: ${DEFAULT-VALUE}).")
    String namespace;

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
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace(namespace));
        CompileResult result = compiler.compile(tree, mode());
        boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        out.print(format.renderer(colour, showInfo).render(result));
        out.flush();
        return result.hasErrors() ? ExitCodes.ERRORS : ExitCodes.OK;
    }
}
