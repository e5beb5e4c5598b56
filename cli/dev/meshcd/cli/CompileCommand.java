package dev.meshcd.cli;

import dev.meshcd.compiler.analyze.Analyzer;
import dev.meshcd.compiler.config.Suppression;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What validate and check share: the paths to read, the output format, and running the compiler. The options
 * istioctl analyze users know work too: {@code -o/--output}, {@code --failure-threshold},
 * {@code --output-threshold}, {@code --suppress} and {@code -L/--list-analyzers}.
 */
abstract class CompileCommand extends PrintingCommand {
    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files or directories (read recursively: *.yaml, *.yml, *.json); pipes; - for standard input.")
    List<Path> paths = new ArrayList<>();

    @Option(names = {"--format", "-o", "--output"}, defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Mixin
    RepoOptions repo;

    @Option(names = "--show-info", description = "Also print info diagnostics (skipped kinds) in text output.")
    boolean showInfo;

    @Option(names = "--no-color", description = "Never colour text output.")
    boolean noColor;

    @Option(names = "--failure-threshold", paramLabel = "LEVEL", defaultValue = "Error",
            description = "Exit 1 when a diagnostic at this level or above is reported: Info, Warning or Error (default: ${DEFAULT-VALUE}).")
    String failureThreshold;

    @Option(names = "--output-threshold", paramLabel = "LEVEL",
            description = "Print only diagnostics at this level or above: Info, Warning or Error (default: text omits info unless --show-info; json, yaml and sarif print all).")
    String outputThreshold;

    @Option(names = "--suppress", paramLabel = "CODE=Kind name.namespace",
            description = "Drop a finding, as istioctl analyze's --suppress (repeatable; globs allowed, e.g. \"IST0107=Pod *.shop\"), beside meshcd.yaml's suppress list.")
    List<String> suppress = new ArrayList<>();

    @Option(names = {"-A", "--all-namespaces"}, description = "Report findings in every namespace (the default; with"
            + " --kubeconfig and -n, only findings about the -n namespace are reported unless -A is given, as istioctl"
            + " analyze does).")
    boolean allNamespaces;

    @Option(names = {"-L", "--list-analyzers"}, description = "List the analyzers and exit.")
    boolean listAnalyzers;

    abstract Compiler.Mode mode();

    @Override
    int run(PrintWriter out, PrintWriter err) {
        if (listAnalyzers) {
            for (Analyzer a : StandardStages.analyzers()) {
                out.println(a.name());
            }
            return ExitCodes.OK;
        }
        Severity failAt;
        Severity printFrom;
        List<Suppression> suppressions = new ArrayList<>();
        try {
            failAt = level("--failure-threshold", failureThreshold);
            printFrom = outputThreshold == null ? null : level("--output-threshold", outputThreshold);
            for (String s : suppress) {
                suppressions.add(Suppression.parseIstioctl(s));
            }
            if (paths.isEmpty()) {
                throw new MeshLoading.UsageException("missing PATH (a file or directory to read)");
            }
        } catch (MeshLoading.UsageException e) {
            err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException e) {
            err.println("meshcd: --suppress: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        CompileResult result;
        try {
            result = repo.compile(paths, mode(), err);
        } catch (MeshLoading.UsageException e) {
            err.println("meshcd: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        String onlyNamespace = repo.kubeconfig != null && repo.namespace != null && !allNamespaces ? repo.namespace : null;
        List<Diagnostic> kept = result.diagnostics().stream()
                .filter(d -> suppressions.stream().noneMatch(s -> s.matches(d)))
                .filter(d -> onlyNamespace == null || inNamespace(d, onlyNamespace)).toList();
        boolean fails = kept.stream().anyMatch(d -> d.severity().atLeast(failAt));
        List<Diagnostic> printed = printFrom == null ? kept
                : kept.stream().filter(d -> d.severity().atLeast(printFrom)).toList();
        CompileResult shown = new CompileResult(result.resources(), result.index(), printed, result.files(),
                result.documents());
        boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        boolean info = showInfo || printFrom == Severity.INFO;
        out.print(format.renderer(colour, info).render(shown));
        return fails ? ExitCodes.ERRORS : ExitCodes.OK;
    }

    /**
     * istioctl analyze against a cluster reports on one namespace unless {@code -A}: findings about other namespaces'
     * resources are left out; those about cluster-scoped resources or no resource (a file that does not parse) stay.
     */
    private static boolean inNamespace(Diagnostic d, String namespace) {
        return d.subject() == null || d.subject().namespace() == null || d.subject().namespace().isEmpty()
                || d.subject().namespace().equals(namespace);
    }

    /** "Info", "Warning" or "Error", any case, as istioctl takes them. */
    private static Severity level(String option, String value) throws MeshLoading.UsageException {
        try {
            return Severity.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MeshLoading.UsageException(option + ": \"" + value + "\" is not one of Info, Warning, Error");
        }
    }
}
