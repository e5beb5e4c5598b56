package dev.meshcd.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that prints through picocli's writers (UTF-8, set up by {@link Main}; what tests capture), the one
 * output path of every command, flushed when it returns.
 */
abstract class PrintingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Runs the command; returns its exit code. */
    abstract int run(PrintWriter out, PrintWriter err) throws Exception;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
