package dev.meshcd.cli;

import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What validate and check share: the paths to read, the output format, and running the compiler. */
abstract class CompileCommand extends PrintingCommand {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (read recursively: *.yaml, *.yml, *.json); pipes; - for standard input.")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Mixin
    RepoOptions repo;

    @Option(names = "--show-info", description = "Also print info diagnostics (skipped kinds) in text output.")
    boolean showInfo;

    @Option(names = "--no-color", description = "Never colour text output.")
    boolean noColor;

    abstract Compiler.Mode mode();

    @Override
    int run(PrintWriter out, PrintWriter err) {
        CompileResult result;
        try {
            result = repo.compile(paths, mode(), err);
        } catch (MeshLoading.UsageException e) {
            err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        out.print(format.renderer(colour, showInfo).render(result));
        return result.hasErrors() ? ExitCodes.ERRORS : ExitCodes.OK;
    }
}
