package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshcd.compiler.config.MeshcdConfig;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster-wide inputs several analyzers read, found in the snapshot as Istio's analyzers find them: the mesh
 * config and mesh networks (ConfigMap {@code istio} of the root namespace, keys {@code mesh} and {@code
 * meshNetworks}: from the repository, a {@code context:} path, meshcd.yaml's {@code meshConfig:}/{@code
 * meshNetworks:} or a live cluster) and the sidecar injector ConfigMaps ({@code istio-sidecar-injector[-REV]}, any
 * namespace).
 */
public final class MeshInputs {
    public static final String INJECTOR_CONFIG_MAP = "istio-sidecar-injector";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private MeshInputs() {
    }

    /** The ConfigMap holding the mesh config and mesh networks, when the snapshot has it. */
    public static Optional<Resource> meshConfigMap(MeshIndex index) {
        return index.get(new ResourceKey("", "ConfigMap", index.rootNamespace(), MeshcdConfig.MESH_CONFIG_MAP));
    }

    /** Istio's mesh config; a missing node when there is none (Istio's defaults apply) or it does not parse. */
    public static JsonNode meshConfig(MeshIndex index) {
        return meshConfigMap(index).map(cm -> value(cm, MeshcdConfig.MESH_KEY)).orElse(MissingNode.getInstance());
    }

    /** Istio's mesh networks ({@code networks:}); a missing node when there are none. */
    public static JsonNode meshNetworks(MeshIndex index) {
        return meshConfigMap(index).map(cm -> value(cm, MeshcdConfig.MESH_NETWORKS_KEY))
                .orElse(MissingNode.getInstance());
    }

    /** The sidecar injector ConfigMaps, {@code istio-sidecar-injector} and per revision {@code -REV}, any namespace. */
    public static List<Resource> injectorConfigMaps(MeshIndex index) {
        List<Resource> out = new ArrayList<>();
        for (Resource cm : index.ofKind(Kind.CONFIG_MAP)) {
            if (cm.name().startsWith(INJECTOR_CONFIG_MAP)) {
                out.add(cm);
            }
        }
        return out;
    }

    /** The injector ConfigMap's name for a revision label (none or "default": the default one), as Istio names it. */
    public static String injectorConfigMapName(String revision) {
        return revision == null || revision.isEmpty() || revision.equals("default") ? INJECTOR_CONFIG_MAP
                : INJECTOR_CONFIG_MAP + "-" + revision;
    }

    /** A ConfigMap's {@code data} key parsed as YAML (JSON included); a missing node when absent or invalid. */
    public static JsonNode value(Resource configMap, String key) {
        JsonNode text = configMap.object().path("data").path(key);
        if (!text.isTextual()) {
            return MissingNode.getInstance();
        }
        return parse(text.asText());
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode n = YAML.readTree(text);
            return n == null ? MissingNode.getInstance() : n;
        } catch (java.io.IOException | RuntimeException e) {
            return MissingNode.getInstance();
        }
    }
}
