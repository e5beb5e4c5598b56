package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pod's proxy image type ({@code distroless}, ...) as Istio's analyzers resolve it (util/proxyconfig.go): the mesh
 * config's {@code defaultConfig.image.imageType}, overridden by the root namespace's ProxyConfig, the pod namespace's
 * ProxyConfig without selector, ProxyConfigs whose selector the pod's labels contain, and the pod's {@code
 * proxy.istio.io/config} annotation, in that order; "default" is none.
 */
final class ProxyImageTypes {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final String mesh;
    private String root = "";
    private final Map<String, String> byNamespace = new LinkedHashMap<>();
    /** Workload ProxyConfigs by "namespace/name", as Istio keys them. */
    private final Map<String, Resource> byWorkload = new LinkedHashMap<>();

    ProxyImageTypes(MeshIndex index) {
        this.mesh = MeshInputs.meshConfig(index).path("defaultConfig").path("image").path("imageType").asText("");
        for (Resource pc : index.ofKind(Kind.PROXY_CONFIG)) {
            String type = pc.spec().path("image").path("imageType").asText("");
            if (pc.namespace().equals(index.rootNamespace())) {
                root = type;
            } else if (pc.spec().path("selector").isMissingNode()) {
                byNamespace.put(pc.namespace(), type);
            } else {
                byWorkload.put(pc.namespace() + "/" + pc.name(), pc);
            }
        }
    }

    String of(Resource pod) {
        String variant = mesh;
        if (!root.isEmpty()) {
            variant = root;
        }
        String ns = byNamespace.get(pod.namespace());
        if (ns != null && !ns.isEmpty()) {
            variant = ns;
        }
        Map<String, String> labels = pod.labels();
        for (Map.Entry<String, Resource> e : byWorkload.entrySet()) {
            if (!e.getKey().startsWith(pod.namespace())) { // Istio's prefix test, kept as it is
                continue;
            }
            Map<String, String> selector = MeshIndex.stringMap(e.getValue().spec().path("selector").path("matchLabels"));
            boolean contained = selector.entrySet().stream().allMatch(s -> s.getValue().equals(labels.get(s.getKey())));
            String type = e.getValue().spec().path("image").path("imageType").asText("");
            if (contained && !type.isEmpty()) {
                variant = type;
            }
        }
        String annotation = pod.annotation("proxy.istio.io/config");
        if (annotation != null) {
            try {
                JsonNode pc = YAML.readTree(annotation);
                String type = pc == null ? "" : pc.path("image").path("imageType").asText("");
                if (!type.isEmpty()) {
                    variant = type;
                }
            } catch (java.io.IOException | RuntimeException e) {
                // an annotation that does not parse leaves the type alone, as Istio's ApplyYAML error does
            }
        }
        return variant.equals("default") ? "" : variant;
    }
}
