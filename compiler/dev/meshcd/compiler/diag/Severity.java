package dev.meshcd.compiler.diag;

/** How bad a diagnostic is. Order matters: later constants are more severe. */
public enum Severity {
    INFO("info"),
    WARNING("warning"),
    ERROR("error");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The lower-case word used by every renderer ("error", "warning", "info"). */
    public String label() {
        return label;
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }
}
