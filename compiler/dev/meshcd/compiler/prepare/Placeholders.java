package dev.meshcd.compiler.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.DocumentOrigin;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceMap;
import java.util.List;

/**
 * One diagnostic ({@link Codes#UNRESOLVED_PLACEHOLDER}) per {@code ${VAR}} placeholder that substitution left in a
 * field's value, on the resource and field that hold it, so {@link PlaceholderFieldFilter} can drop what else is
 * said about that field (its value is not the one the cluster will get). Placeholders in comments and keys are not
 * reported, nor those in objects Flux does not substitute ({@value #FLUX_DISABLED} {@code disabled}).
 */
public final class Placeholders {
    /** Flux's per-object opt-out of post-build substitution. */
    public static final String FLUX_DISABLED = "kustomize.toolkit.fluxcd.io/substitute";

    private Placeholders() {
    }

    public static void report(ParsedFile parsed, List<Resource> resources, DiagnosticSink sink) {
        SourceMap map = parsed.source().sourceMap();
        if (map == null || map.unresolved().isEmpty()) {
            return;
        }
        for (SourceMap.Placeholder p : map.unresolved()) {
            Document doc = documentAt(parsed.documents(), p.line());
            FieldPath path = doc == null ? null : parsed.pathAt(doc.index(), p.line(), p.column());
            Resource owner = path == null ? null : owner(resources, doc.index(), path);
            if (owner == null || "disabled".equals(owner.annotation(FLUX_DISABLED))) {
                continue;
            }
            FieldPath field = relative(path, ((DocumentOrigin) owner.origin()).base());
            JsonNode value = at(owner.object(), field);
            if (!value.isTextual() || !value.asText().contains("${" + p.variable())) {
                continue; // a comment or a key, not a value
            }
            sink.report(new Diagnostic(map.unresolvedSeverity(), Codes.UNRESOLVED_PLACEHOLDER,
                    message(p.variable(), map.unresolvedSeverity()), owner.key(),
                    new SourceLocation(parsed.name(), p.originalLine(), p.originalColumn()), field.toString()));
        }
    }

    private static String message(String variable, dev.meshcd.compiler.diag.Severity severity) {
        if (severity == dev.meshcd.compiler.diag.Severity.ERROR) {
            return "${" + variable + "} has no value: meshcd.yaml's substitute: does not define " + variable
                    + " and the placeholder has no default (${" + variable + ":=default}); the field is not checked";
        }
        return "${" + variable + "} is a Flux post-build placeholder whose value is not in the repository; the field"
                + " is not checked (give it a value in meshcd.yaml's substitute: to check it)";
    }

    /** The document a line of the loaded text belongs to: the last one starting at or before it. */
    private static Document documentAt(List<Document> documents, int line) {
        Document found = null;
        for (Document d : documents) {
            if (d.line() > 0 && d.line() <= line && (found == null || d.line() >= found.line())) {
                found = d;
            }
        }
        return found;
    }

    /** The resource of that document holding the path (the innermost List item). */
    private static Resource owner(List<Resource> resources, int docIndex, FieldPath path) {
        Resource best = null;
        int depth = -1;
        for (Resource r : resources) {
            if (r.origin() instanceof DocumentOrigin o && o.documentIndex() == docIndex && startsWith(path, o.base())
                    && o.base().size() > depth) {
                best = r;
                depth = o.base().size();
            }
        }
        return best;
    }

    private static boolean startsWith(FieldPath path, FieldPath prefix) {
        if (prefix.size() > path.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (!prefix.segment(i).equals(path.segment(i))) {
                return false;
            }
        }
        return true;
    }

    private static FieldPath relative(FieldPath path, FieldPath base) {
        FieldPath out = FieldPath.ROOT;
        for (int i = base.size(); i < path.size(); i++) {
            Object s = path.segment(i);
            out = s instanceof Integer n ? out.index(n) : out.key((String) s);
        }
        return out;
    }

    private static JsonNode at(JsonNode node, FieldPath path) {
        JsonNode n = node;
        for (int i = 0; i < path.size(); i++) {
            Object s = path.segment(i);
            n = s instanceof Integer idx ? n.path(idx) : n.path((String) s);
        }
        return n;
    }
}
