package dev.meshcd.compiler.context;

import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;

/**
 * The origin of a context object (see {@link MeshContext}): where it was read from, marked as context so every
 * stage can tell it from the repository's own objects without another lookup. Positions still resolve (a
 * {@code context:} file's line, an {@code external:} entry of meshcd.yaml) for messages that mention it.
 */
public record ContextOrigin(Origin from, String source) implements Origin {
    /**
     * The source of what meshcd.yaml gives as the analyzers' inputs (its mesh config and mesh networks): context, yet
     * its findings (IST0126) are the repository's, located in meshcd.yaml.
     */
    public static final String MESHCD_INPUTS = "meshcd.yaml mesh inputs";

    /** A context object whose findings are reported all the same: meshcd.yaml's own inputs. */
    public static boolean isReported(Resource r) {
        return r != null && r.origin() instanceof ContextOrigin c && c.source().equals(MESHCD_INPUTS);
    }

    public static boolean isContext(Resource r) {
        return r != null && r.origin() instanceof ContextOrigin;
    }

    /** The same object, marked as context from {@code source} (already marked ones are returned as they are). */
    public static Resource mark(Resource r, String source) {
        if (isContext(r)) {
            return r;
        }
        return new Resource(r.apiVersion(), r.key(), r.object(), new ContextOrigin(r.origin(), source));
    }

    @Override
    public String fileName() {
        return from.fileName();
    }

    @Override
    public SourceLocation locate(FieldPath path) {
        return from.locate(path);
    }

    @Override
    public String toString() {
        return "context " + source + ": " + from;
    }
}
