package dev.meshcd.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meshcd} command. Wiring only: each subcommand calls the compiler or starts a shell. */
@Command(name = "meshcd", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "GitOps-driven service-mesh configuration compiler and admission controller.",
        subcommands = {ValidateCommand.class, CheckCommand.class, CompileToCommand.class, SimulateCommand.class,
                DiffCommand.class, ReviewCommand.class, KubeInjectCommand.class, RunCommand.class, InstallCommand.class, StatusCommand.class,
                UpCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        useCommonPoolOnSmallMachines();
        System.exit(run(args));
    }

    /**
     * On 1-2 cores the JDK sizes the common fork-join pool to one thread, and then every async step of
     * CompletableFuture without an executor (the Kubernetes client has many, one per request) starts a new
     * thread. Two workers avoid that. Must run before anything touches CompletableFuture.
     */
    public static void useCommonPoolOnSmallMachines() {
        String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
        if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(key, "2");
        }
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        CommandLine cli = new CommandLine(new Main());
        // UTF-8 whatever the platform default: file names and messages may contain any character.
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("meshcd: " + ex.getMessage());
            return ExitCodes.USAGE;
        });
        cli.setExitCodeExceptionMapper(ex -> ExitCodes.USAGE);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
