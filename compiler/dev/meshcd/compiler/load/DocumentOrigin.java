package dev.meshcd.compiler.load;

import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;

/** A resource's place in a loaded file: the document, and the path of the resource inside it (items[3] of a List). */
public record DocumentOrigin(ParsedFile file, int documentIndex, FieldPath base) implements Origin {
    @Override
    public String fileName() {
        return file.name();
    }

    @Override
    public SourceLocation locate(FieldPath path) {
        if (path.isRoot() && base.isRoot()) {
            // The document's own position is known from loading: no need to index the file's positions.
            for (Document d : file.documents()) {
                if (d.index() == documentIndex && d.line() > 0) {
                    return file.source().original(new SourceLocation(file.name(), d.line(), d.column()));
                }
            }
        }
        return file.locate(documentIndex, base.concat(path));
    }

    @Override
    public String toString() {
        return file.name() + "#" + documentIndex;
    }
}
