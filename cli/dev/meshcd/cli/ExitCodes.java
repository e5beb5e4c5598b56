package dev.meshcd.cli;

/** The exit-code contract every command keeps (scripts and CI depend on it). */
public final class ExitCodes {
    /** No error (warnings allowed). */
    public static final int OK = 0;
    /** The input has at least one error diagnostic. */
    public static final int ERRORS = 1;
    /** Usage error, or a path or file that could not be read. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
