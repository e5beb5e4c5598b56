package dev.meshcd.compiler.source;

import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.diag.SourceLocation;
import java.util.Arrays;
import java.util.List;

/**
 * How a file's text was rewritten before loading (Flux-style {@code ${VAR}} substitution): positions in the
 * rewritten text map back to the text as written, and the placeholders nothing resolved are listed for their one
 * diagnostic each. A position inside a substituted value maps to the placeholder's own start; positions after it
 * shift by what the substitution added or removed, so other fields keep their columns and other lines their
 * numbers.
 */
public final class SourceMap {
    /**
     * A {@code ${variable}} placeholder left as written because no value or default resolves it: where it is in
     * the rewritten text (1-based line and column, what the loader sees) and in the original.
     */
    public record Placeholder(String variable, int line, int column, int originalLine, int originalColumn) {
    }

    /** Edited spans, sorted: {rewrittenStart, rewrittenEnd, originalStart, originalEnd} as character offsets. */
    private final int[][] edits;
    private final int[] rewrittenLineStarts;
    private final int[] originalLineStarts;
    private final List<Placeholder> unresolved;
    private final Severity unresolvedSeverity;

    public SourceMap(int[][] edits, String rewritten, String original, List<Placeholder> unresolved,
                     Severity unresolvedSeverity) {
        this.edits = edits;
        this.rewrittenLineStarts = lineStarts(rewritten);
        this.originalLineStarts = lineStarts(original);
        this.unresolved = List.copyOf(unresolved);
        this.unresolvedSeverity = unresolvedSeverity;
    }

    /** The placeholders no value or default resolved, in text order. */
    public List<Placeholder> unresolved() {
        return unresolved;
    }

    /** Error when the repository configures substitution (a missing value), else warning (Flux supplies them). */
    public Severity unresolvedSeverity() {
        return unresolvedSeverity;
    }

    /** The position in the text as written of a position (1-based) in the rewritten text; 0 lines stay as they are. */
    public SourceLocation toOriginal(SourceLocation at) {
        if (at.line() <= 0 || at.line() > rewrittenLineStarts.length) {
            return at;
        }
        int offset = rewrittenLineStarts[at.line() - 1] + Math.max(at.column(), 1) - 1;
        int original = originalOffset(offset);
        int line = lineOf(originalLineStarts, original);
        return new SourceLocation(at.file(), line + 1, original - originalLineStarts[line] + 1);
    }

    private int originalOffset(int rewritten) {
        int lo = 0;
        int hi = edits.length - 1;
        int found = -1;
        while (lo <= hi) { // the last edit starting at or before the offset
            int mid = (lo + hi) >>> 1;
            if (edits[mid][0] <= rewritten) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return rewritten;
        }
        int[] e = edits[found];
        return rewritten < e[1] ? e[2] : e[3] + (rewritten - e[1]);
    }

    static int[] lineStarts(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        int[] starts = new int[n];
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts[line++] = i + 1;
            }
        }
        return starts;
    }

    /** 0-based line of an offset. */
    static int lineOf(int[] lineStarts, int offset) {
        int at = Arrays.binarySearch(lineStarts, offset);
        return at >= 0 ? at : -at - 2;
    }
}
