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

    /** The last ConfigMap parsed and its mesh config: analyzers ask once per subject, about the same ConfigMap. */
    private record Parsed(Resource configMap, JsonNode meshConfig) {
    }

    private static volatile Parsed last;

    static JsonNode of(MeshIndex index) {
        Resource cm = index.get(new ResourceKey("", "ConfigMap", index.rootNamespace(), CONFIG_MAP)).orElse(null);
        if (cm == null) {
            return MissingNode.getInstance();
        }
        Parsed p = last;
        if (p == null || p.configMap() != cm) {
            last = p = new Parsed(cm, parse(cm));
        }
        return p.meshConfig();
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
