package dev.meshcd.compiler.validate.schema;

import dev.meshcd.compiler.source.FieldPath;
import java.util.Arrays;

/**
 * A mutable field path for tree walks: push and pop segments without allocating, and build an
 * immutable {@link FieldPath} only when a diagnostic needs one. Not thread-safe; one per walk.
 */
public final class PathStack {
    private Object[] segments = new Object[16];
    private int depth;

    public PathStack() {
    }

    public PathStack(FieldPath base) {
        for (int i = 0; i < base.size(); i++) {
            push(base.segment(i));
        }
    }

    public void push(Object segment) {
        if (depth == segments.length) {
            segments = Arrays.copyOf(segments, depth * 2);
        }
        segments[depth++] = segment;
    }

    public void pushKey(String key) {
        push(key);
    }

    public void pushIndex(int index) {
        push(index);
    }

    public void pop() {
        segments[--depth] = null;
    }

    public int depth() {
        return depth;
    }

    public FieldPath toFieldPath() {
        return FieldPath.of(Arrays.copyOf(segments, depth));
    }

    @Override
    public String toString() {
        return toFieldPath().toString();
    }
}
