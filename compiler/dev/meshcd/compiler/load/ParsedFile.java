package dev.meshcd.compiler.load;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.util.List;
import java.util.Map;

/**
 * A file after loading: its documents and the diagnostics loading produced. Field positions are
 * computed on first request (by reading the file's events again) and kept for later requests.
 */
public final class ParsedFile {
    private final SourceFile source;
    private final LoadLimits limits;
    private List<Document> documents = List.of();
    private List<Diagnostic> diagnostics = List.of();
    private volatile Map<Integer, Map<FieldPath, long[]>> positions;

    ParsedFile(SourceFile source, LoadLimits limits) {
        this.source = source;
        this.limits = limits;
    }

    void complete(List<Document> documents, List<Diagnostic> diagnostics) {
        this.documents = List.copyOf(documents);
        this.diagnostics = List.copyOf(diagnostics);
    }

    public SourceFile source() {
        return source;
    }

    public String name() {
        return source.name();
    }

    public List<Document> documents() {
        return documents;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /**
     * Position of {@code path} in document {@code docIndex}; if the path does not exist (a missing
     * required field, say) the position of its nearest existing ancestor.
     */
    public SourceLocation locate(int docIndex, FieldPath path) {
        Map<FieldPath, long[]> doc = positions().get(docIndex);
        if (doc == null) {
            return SourceLocation.of(source.name());
        }
        for (FieldPath p = path; ; p = p.parent()) {
            long[] pos = doc.get(p);
            if (pos != null) {
                return source.original(new SourceLocation(source.name(), (int) pos[0], (int) pos[1]));
            }
            if (p.isRoot()) {
                return SourceLocation.of(source.name());
            }
        }
    }

    /**
     * The field whose text holds a position of the loaded content (1-based): the path written last at or before
     * it in its document (a mapping entry's key, a sequence item), or null when no document holds it.
     */
    public FieldPath pathAt(int docIndex, int line, int column) {
        Map<FieldPath, long[]> doc = positions().get(docIndex);
        if (doc == null) {
            return null;
        }
        FieldPath best = null;
        long bestAt = -1;
        long at = ((long) line << 32) | column;
        for (Map.Entry<FieldPath, long[]> e : doc.entrySet()) {
            long start = (e.getValue()[0] << 32) | e.getValue()[1];
            if (start <= at && (start > bestAt || (start == bestAt && e.getKey().size() > best.size()))) {
                best = e.getKey();
                bestAt = start;
            }
        }
        return best;
    }

    private Map<Integer, Map<FieldPath, long[]>> positions() {
        Map<Integer, Map<FieldPath, long[]>> all = positions;
        if (all == null) {
            synchronized (this) {
                all = positions;
                if (all == null) {
                    all = YamlLoader.indexPositions(source, limits);
                    positions = all;
                }
            }
        }
        return all;
    }
}
