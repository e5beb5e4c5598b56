package dev.meshcd.compiler.source;

import dev.meshcd.compiler.diag.SourceLocation;

/**
 * Where a resource came from, able to turn a field path inside the resource into a file position.
 * Positions are looked up only when a diagnostic needs one, so clean input pays nothing for them.
 */
public interface Origin {
    /** Origin of objects with no source file (an admission request, a test fixture). */
    Origin NONE = new Origin() {
        @Override
        public String fileName() {
            return "";
        }

        @Override
        public SourceLocation locate(FieldPath path) {
            return SourceLocation.NONE;
        }

        @Override
        public String toString() {
            return "<none>";
        }
    };

    /** The name used for this origin's file in diagnostics, or "" when there is none. */
    String fileName();

    /** The position of the field at {@code path} (relative to the resource), or of its nearest existing ancestor. */
    SourceLocation locate(FieldPath path);

    /** An origin naming a file but no position, e.g. for objects decoded from JSON request bodies. */
    static Origin named(String name) {
        SourceLocation loc = SourceLocation.of(name);
        return new Origin() {
            @Override
            public String fileName() {
                return name;
            }

            @Override
            public SourceLocation locate(FieldPath path) {
                return loc;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
