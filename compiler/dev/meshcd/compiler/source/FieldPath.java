package dev.meshcd.compiler.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path to a field inside a resource: map keys and list indexes. Rendered the way users read it,
 * {@code spec.http[0].route[1].weight}, and as an RFC 6901 JSON pointer for patches and SARIF.
 * Immutable; {@link #key} and {@link #index} return extended copies.
 */
public final class FieldPath {
    public static final FieldPath ROOT = new FieldPath(new Object[0]);

    private final Object[] segments; // String for keys, Integer for indexes

    private FieldPath(Object[] segments) {
        this.segments = segments;
    }

    public static FieldPath of(Object... segments) {
        for (Object s : segments) {
            if (!(s instanceof String) && !(s instanceof Integer)) {
                throw new IllegalArgumentException("segment must be String or Integer: " + s);
            }
        }
        return new FieldPath(segments.clone());
    }

    /** Parses the dotted form ({@code spec.http[0].route}); keys containing dots cannot be expressed. */
    public static FieldPath parse(String dotted) {
        if (dotted == null || dotted.isEmpty()) {
            return ROOT;
        }
        List<Object> out = new ArrayList<>();
        for (String part : dotted.split("\\.")) {
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            if (!key.isEmpty()) {
                out.add(key);
            }
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                out.add(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        return new FieldPath(out.toArray());
    }

    public FieldPath key(String key) {
        return append(key);
    }

    public FieldPath index(int index) {
        return append(index);
    }

    public FieldPath concat(FieldPath other) {
        Object[] joined = Arrays.copyOf(segments, segments.length + other.segments.length);
        System.arraycopy(other.segments, 0, joined, segments.length, other.segments.length);
        return new FieldPath(joined);
    }

    private FieldPath append(Object segment) {
        Object[] extended = Arrays.copyOf(segments, segments.length + 1);
        extended[segments.length] = segment;
        return new FieldPath(extended);
    }

    public int size() {
        return segments.length;
    }

    public Object segment(int i) {
        return segments[i];
    }

    public boolean isRoot() {
        return segments.length == 0;
    }

    public FieldPath parent() {
        return segments.length == 0 ? this : new FieldPath(Arrays.copyOf(segments, segments.length - 1));
    }

    /** {@code spec.http[0].route[1].weight}; keys that are not plain identifiers are quoted: {@code metadata.labels["app.kubernetes.io/name"]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Object s : segments) {
            if (s instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                String k = (String) s;
                if (isPlainKey(k)) {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(k);
                } else {
                    sb.append("[\"").append(k.replace("\"", "\\\"")).append("\"]");
                }
            }
        }
        return sb.toString();
    }

    private static boolean isPlainKey(String k) {
        if (k.isEmpty()) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 6901 JSON pointer, e.g. {@code /spec/http/0/route}. */
    public String toJsonPointer() {
        StringBuilder sb = new StringBuilder();
        for (Object s : segments) {
            sb.append('/').append(s.toString().replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath other && Arrays.equals(segments, other.segments);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(segments);
    }
}
