package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;

/**
 * Istio's mesh config as the analyzers here read it: key {@code mesh} of ConfigMap {@code istio} in the root
 * namespace (the repository's, a context path's, or the live cluster's); a missing node when there is none or it
 * does not parse, so Istio's defaults apply.
 */
final class RootMeshConfig {
    static final String CONFIG_MAP = "istio";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RootMeshConfig() {
    }

    static JsonNode of(MeshIndex index) {
        return index.get(new ResourceKey("", "ConfigMap", index.rootNamespace(), CONFIG_MAP))
                .map(RootMeshConfig::parse).orElse(MissingNode.getInstance());
    }

    static JsonNode parse(Resource configMap) {
        JsonNode text = configMap.object().path("data").path("mesh");
        if (!text.isTextual()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode n = YAML.readTree(text.asText());
            return n == null ? MissingNode.getInstance() : n;
        } catch (java.io.IOException | RuntimeException e) {
            return MissingNode.getInstance();
        }
    }
}
