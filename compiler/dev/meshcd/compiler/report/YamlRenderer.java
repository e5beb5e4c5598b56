package dev.meshcd.compiler.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.meshcd.compiler.pipeline.CompileResult;

/** The JSON document ({@link JsonRenderer}) as YAML, for {@code -o yaml} as istioctl analyze offers it. */
public final class YamlRenderer implements Renderer {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Override
    public String render(CompileResult result) {
        try {
            return YAML.writeValueAsString(JsonRenderer.tree(result));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
