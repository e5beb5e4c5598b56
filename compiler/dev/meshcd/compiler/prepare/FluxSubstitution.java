package dev.meshcd.compiler.prepare;

import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceMap;
import dev.meshcd.compiler.source.SourceTree;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Flux's post-build variable substitution ({@code spec.postBuild.substitute} of a Flux Kustomization), applied to
 * each file's text before it is parsed, as Flux applies it to the rendered YAML: {@code ${VAR}},
 * {@code ${VAR:=default}} and {@code ${VAR:-default}} (the default also when the value is empty),
 * {@code ${VAR=default}} and {@code ${VAR-default}} (only when unset); {@code $${VAR}} is an escape for the literal
 * {@code ${VAR}}. Variable names are {@code [_a-zA-Z][_a-zA-Z0-9]*}; anything else between braces is left as written.
 *
 * <p>A placeholder with no value and no default stays as written and is listed in the file's {@link SourceMap}
 * (Flux would substitute an empty string; keeping the text makes its one diagnostic readable). Pure: text in, text
 * and position map out.
 */
public final class FluxSubstitution {
    private final Map<String, String> values;
    private final Severity unresolved;

    /**
     * @param values     {@code substitute:} of meshcd.yaml (empty when it has none)
     * @param configured whether meshcd.yaml has {@code substitute:}: then an unresolved placeholder is an error (a
     *                   missing value), else a warning (the values live in the Flux Kustomization)
     */
    public FluxSubstitution(Map<String, String> values, boolean configured) {
        this.values = Map.copyOf(values);
        this.unresolved = configured ? Severity.ERROR : Severity.WARNING;
    }

    /** Every file rewritten; files without placeholders (and files that are not UTF-8) are returned as they are. */
    public SourceTree apply(SourceTree tree) {
        List<SourceFile> out = new ArrayList<>(tree.files().size());
        for (SourceFile f : tree.files()) {
            out.add(apply(f));
        }
        return new SourceTree(out);
    }

    public SourceFile apply(SourceFile file) {
        byte[] bytes = file.content();
        if (!mayHavePlaceholder(bytes)) {
            return file;
        }
        boolean bom = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, bom ? 3 : 0, bytes.length - (bom ? 3 : 0))).toString();
        } catch (CharacterCodingException e) {
            return file; // the loader reports the encoding
        }
        Rewrite r = rewrite(text);
        if (r.edits.isEmpty() && r.unresolved.isEmpty()) {
            return file;
        }
        byte[] body = r.text.getBytes(StandardCharsets.UTF_8);
        byte[] content = body;
        if (bom) {
            content = new byte[body.length + 3];
            content[0] = (byte) 0xEF;
            content[1] = (byte) 0xBB;
            content[2] = (byte) 0xBF;
            System.arraycopy(body, 0, content, 3, body.length);
        }
        return file.rewritten(content, new SourceMap(r.edits.toArray(new int[0][]), r.text, text, r.unresolved, unresolved));
    }

    private static boolean mayHavePlaceholder(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '$' && bytes[i + 1] == '{') {
                return true;
            }
        }
        return false;
    }

    /** The rewritten text, its edits (rewritten start/end, original start/end) and the unresolved placeholders. */
    record Rewrite(String text, List<int[]> edits, List<SourceMap.Placeholder> unresolved) {
    }

    Rewrite rewrite(String text) {
        StringBuilder out = new StringBuilder(text.length());
        List<int[]> edits = new ArrayList<>();
        List<SourceMap.Placeholder> missing = new ArrayList<>();
        int line = 1;
        int lineStart = 0;
        int outLine = 1;
        int outLineStart = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append(c);
                i++;
                line++;
                lineStart = i;
                outLine++;
                outLineStart = out.length();
                continue;
            }
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (text.startsWith("$${", i)) { // escape: the literal ${...}
                int close = text.indexOf('}', i + 3);
                if (close > 0 && Placeholder.parse(text, i + 1, close) != null) {
                    edits.add(new int[] {out.length(), out.length() + close - i, i, close + 1});
                    out.append(text, i + 1, close + 1);
                    i = close + 1;
                    continue;
                }
            }
            if (text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                Placeholder p = close < 0 ? null : Placeholder.parse(text, i, close);
                if (p != null) {
                    String value = p.resolve(values);
                    if (value == null) {
                        missing.add(new SourceMap.Placeholder(p.name(), outLine, out.length() - outLineStart + 1,
                                line, i - lineStart + 1));
                        out.append(text, i, close + 1);
                    } else {
                        int start = out.length();
                        out.append(value);
                        edits.add(new int[] {start, out.length(), i, close + 1});
                        // a value spanning lines moves the rest of the rewritten text down
                        for (int k = start; k < out.length(); k++) {
                            if (out.charAt(k) == '\n') {
                                outLine++;
                                outLineStart = k + 1;
                            }
                        }
                    }
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return new Rewrite(out.toString(), edits, missing);
    }

    /** One {@code ${name}} / {@code ${name<op>default}}; parse returns null for text Flux would not substitute. */
    record Placeholder(String name, String operator, String fallback) {
        static Placeholder parse(String text, int dollar, int close) {
            int start = dollar + 2;
            int end = start;
            while (end < close && isNameChar(text.charAt(end), end == start)) {
                end++;
            }
            if (end == start) {
                return null;
            }
            String name = text.substring(start, end);
            if (end == close) {
                return new Placeholder(name, "", null);
            }
            for (String op : new String[] {":=", ":-", "=", "-"}) {
                if (text.startsWith(op, end)) {
                    return new Placeholder(name, op, text.substring(end + op.length(), close));
                }
            }
            return null;
        }

        private static boolean isNameChar(char c, boolean first) {
            return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
        }

        /** The substituted text, or null when nothing resolves the placeholder. */
        String resolve(Map<String, String> values) {
            String v = values.get(name);
            if (fallback == null) {
                return v;
            }
            boolean emptyCounts = operator.startsWith(":");
            return v == null || (emptyCounts && v.isEmpty()) ? fallback : v;
        }
    }
}
