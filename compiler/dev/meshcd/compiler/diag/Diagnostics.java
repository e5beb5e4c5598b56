package dev.meshcd.compiler.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * A thread-safe collector that stages append to. Stages never throw for bad input; they report here.
 */
public final class Diagnostics implements DiagnosticSink {
    private final List<Diagnostic> items = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void report(Diagnostic diagnostic) {
        items.add(diagnostic);
    }

    public void addAll(Collection<Diagnostic> diagnostics) {
        items.addAll(diagnostics);
    }

    /** A sorted, immutable copy. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy;
        synchronized (items) {
            copy = new ArrayList<>(items);
        }
        copy.sort(Diagnostic.ORDER);
        return List.copyOf(copy);
    }

    public boolean hasErrors() {
        synchronized (items) {
            return items.stream().anyMatch(Diagnostic::isError);
        }
    }

    public int size() {
        return items.size();
    }
}
