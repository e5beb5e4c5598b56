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
        return file.locate(documentIndex, base.concat(path));
    }

    @Override
    public String toString() {
        return file.name() + "#" + documentIndex;
    }
}
