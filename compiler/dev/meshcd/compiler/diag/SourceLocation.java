package dev.meshcd.compiler.diag;

/**
 * A place in a source file. Lines and columns are 1-based, as editors and SARIF expect.
 * {@link #NONE} stands for input that has no file (an admission request, a generated object).
 */
public record SourceLocation(String file, int line, int column) {
    public static final SourceLocation NONE = new SourceLocation("", 0, 0);

    public static SourceLocation of(String file) {
        return new SourceLocation(file, 0, 0);
    }

    public boolean hasPosition() {
        return line > 0;
    }

    @Override
    public String toString() {
        if (file.isEmpty()) {
            return "<input>";
        }
        return hasPosition() ? file + ":" + line + ":" + column : file;
    }
}
