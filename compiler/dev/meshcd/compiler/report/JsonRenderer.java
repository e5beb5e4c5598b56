package dev.meshcd.compiler.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileResult;
import java.util.List;

/**
 * The stable machine format:
 * {@code {"diagnostics":[{"severity","code","message","file","line","column","resource","path"}],"summary":{...}}}.
 */
public final class JsonRenderer implements Renderer {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String render(CompileResult result) {
        return write(tree(result));
    }

    /** The document both the JSON and the YAML output print. */
    static ObjectNode tree(CompileResult result) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("diagnostics", diagnostics(result.diagnostics()));
        Summary s = Summary.of(result.files(), result.documents(), result.resources().size(), result.diagnostics());
        ObjectNode summary = root.putObject("summary");
        summary.put("files", s.files());
        summary.put("documents", s.documents());
        summary.put("resources", s.resources());
        summary.put("errors", s.errors());
        summary.put("warnings", s.warnings());
        summary.put("infos", s.infos());
        return root;
    }

    public static ArrayNode diagnostics(List<Diagnostic> diagnostics) {
        ArrayNode list = MAPPER.createArrayNode();
        for (Diagnostic d : diagnostics) {
            ObjectNode o = list.addObject();
            o.put("severity", d.severity().label());
            o.put("code", d.code());
            o.put("message", d.message());
            o.put("file", d.location().file());
            o.put("line", d.location().line());
            o.put("column", d.location().column());
            o.put("resource", d.resource());
            o.put("path", d.path());
        }
        return list;
    }

    static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
