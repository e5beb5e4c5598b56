package dev.meshcd.compiler.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.load.Document;
import dev.meshcd.compiler.load.DocumentOrigin;
import dev.meshcd.compiler.load.ParsedFile;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Documents to resources: checks the type metadata, expands {@code List} kinds, gives namespaced
 * objects without a namespace the default one, and sets aside kinds meshcd does not know (info).
 */
public final class Decoder {
    private final KindRegistry registry;
    private final String defaultNamespace;

    public Decoder(KindRegistry registry, String defaultNamespace) {
        this.registry = registry;
        this.defaultNamespace = defaultNamespace;
    }

    public KindRegistry registry() {
        return registry;
    }

    public List<Resource> decode(ParsedFile file, DiagnosticSink sink) {
        return decode(file, sink, null);
    }

    /** Likewise, with the namespace for objects naming none set by the file's place ({@code null}: the default). */
    public List<Resource> decode(ParsedFile file, DiagnosticSink sink, String fileNamespace) {
        String namespace = fileNamespace == null ? defaultNamespace : fileNamespace;
        List<Resource> out = new ArrayList<>();
        for (Document doc : file.documents()) {
            decodeObject((ObjectNode) doc.root(), base -> new DocumentOrigin(file, doc.index(), base),
                    FieldPath.ROOT, sink, out, namespace);
        }
        return out;
    }

    /** Decodes one object that has no file (an admission request body). */
    public List<Resource> decode(ObjectNode object, Origin origin, DiagnosticSink sink) {
        List<Resource> out = new ArrayList<>();
        decodeObject(object, base -> base.isRoot() ? origin : Origin.named(origin.fileName()), FieldPath.ROOT, sink, out,
                defaultNamespace);
        return out;
    }

    private void decodeObject(ObjectNode object, Function<FieldPath, Origin> origins, FieldPath base,
                              DiagnosticSink sink, List<Resource> out, String defaultNamespace) {
        Origin origin = origins.apply(base);
        String apiVersion = text(object.get("apiVersion"));
        String kindName = text(object.get("kind"));
        if (apiVersion == null || kindName == null) {
            String missing = apiVersion == null && kindName == null ? "apiVersion and kind"
                    : apiVersion == null ? "apiVersion" : "kind";
            sink.report(new Diagnostic(Severity.ERROR, Codes.MISSING_TYPE_META, "object has no " + missing, null,
                    origin.locate(FieldPath.ROOT), ""));
            return;
        }
        JsonNode items = object.get("items");
        if (kindName.endsWith("List") && items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
                FieldPath itemPath = base.key("items").index(i);
                if (items.get(i) instanceof ObjectNode item) {
                    decodeObject(item, origins, itemPath, sink, out, defaultNamespace);
                } else {
                    sink.report(new Diagnostic(Severity.ERROR, Codes.NOT_AN_OBJECT, "list item is not an object", null,
                            origins.apply(itemPath).locate(FieldPath.ROOT), ""));
                }
            }
            return;
        }
        if (kindName.endsWith("List") && items != null && !items.isNull() && registry.lookup(kindOf(apiVersion,
                kindName)).isEmpty()) {
            // A List whose items is not a list: what it holds would otherwise be skipped as an unknown kind, unseen.
            sink.report(new Diagnostic(Severity.ERROR, Codes.NOT_AN_OBJECT, kindName + ": items must be a list of"
                    + " objects, not " + (items.isObject() ? "a mapping" : items.isTextual() ? "a string" : "a "
                    + items.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)), null,
                    origin.locate(FieldPath.of("items")), "items"));
            return;
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        Kind kind = new Kind(group, kindName);
        JsonNode metadata = object.get("metadata");
        String name = metadata == null ? null : text(metadata.get("name"));
        // Not yet a resource (no namespace applied, maybe no name): named as it was written.
        ResourceKey display = new ResourceKey(group, kindName, "", name == null ? "<unnamed>" : name);

        Kind replacement = RemovedApis.replacement(apiVersion, kindName).orElse(null);
        if (replacement != null) {
            sink.report(new Diagnostic(Severity.ERROR, Codes.REMOVED_API_VERSION, apiVersion + " " + kindName
                    + " is no longer served (removed in Kubernetes 1.16); use apiVersion " + RemovedApis.REPLACEMENT
                    + " (meshcd analyzes it as " + RemovedApis.REPLACEMENT + ")", display,
                    origin.locate(FieldPath.of("apiVersion")), "apiVersion"));
            kind = replacement;
            group = replacement.group();
            version = RemovedApis.REPLACEMENT.substring(RemovedApis.REPLACEMENT.indexOf('/') + 1);
        }
        KindInfo info = registry.lookup(kind).orElse(null);
        if (info == null) {
            sink.report(new Diagnostic(Severity.INFO, Codes.UNKNOWN_KIND, "skipped: meshcd does not analyze "
                    + kindName + " (" + apiVersion + ")", display, origin.locate(FieldPath.of("kind")), "kind"));
            return;
        }
        if (!info.versions().contains(version)) {
            sink.report(new Diagnostic(Severity.ERROR, Codes.UNKNOWN_VERSION, "unknown version \"" + version
                    + "\" of " + kindName + "; served versions: " + String.join(", ", info.versions().stream().sorted().toList()),
                    display, origin.locate(FieldPath.of("apiVersion")), "apiVersion"));
            return;
        }
        if (name == null || name.isEmpty()) {
            sink.report(new Diagnostic(Severity.ERROR, Codes.MISSING_NAME, "object has no metadata.name", display,
                    origin.locate(FieldPath.of("metadata")), "metadata.name"));
            return;
        }
        String namespace = "";
        if (info.namespaced()) {
            String ns = text(metadata.get("namespace"));
            namespace = ns == null || ns.isEmpty() ? defaultNamespace : ns;
        }
        out.add(new Resource(apiVersion, new ResourceKey(group, kindName, namespace, name), object, origin));
    }

    /** The kind as the registry names it: a kind ending in List that meshcd knows is an object, not a container. */
    private static Kind kindOf(String apiVersion, String kindName) {
        int slash = apiVersion.indexOf('/');
        return new Kind(slash < 0 ? "" : apiVersion.substring(0, slash), kindName);
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
