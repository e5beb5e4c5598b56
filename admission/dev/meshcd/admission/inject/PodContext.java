package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the template reads about one pod, computed once: its metadata, the workload it belongs to,
 * the effective proxy config and the decisions that several parts of the template share
 * ({@code $tproxy}, {@code $nativeSidecar}, {@code $holdProxy}, {@code $containers}).
 *
 * <p>{@link #ofAnnotations} is the context of {@link InjectionPlan}'s cached parts: annotations only, no labels,
 * no spec and no workload, so that nothing else about a pod can end up in what is cached for its annotations.
 */
final class PodContext {
    static final String PROXY = "istio-proxy";

    final InjectionSettings settings;
    final StaticParts statics;
    final JsonNode spec;
    final Map<String, String> annotations;
    final Map<String, String> labels;
    /** null in an annotations-only context */
    final WorkloadMeta workload;
    final ProxyConfigs proxyConfig;
    /** names of the app containers (all but istio-proxy) */
    final List<String> appContainers = new ArrayList<>();
    final String interceptionMode;
    final boolean tproxy;
    final boolean capNetBindService;
    final boolean nativeSidecar;
    final boolean holdProxy;
    /** {@code status.sidecar.istio.io/port} or the default status port, as text */
    final String statusPort;

    /** @param annotations the pod's annotations ({@link Json#stringMap}), not modified afterwards */
    PodContext(StaticParts statics, ObjectNode pod, Map<String, String> annotations, WorkloadMeta workload,
               ProxyConfigs proxyConfig) {
        this(statics, pod.path("spec"), annotations, Json.stringMap(pod.path("metadata").path("labels")), workload,
                proxyConfig);
    }

    /** A context that knows the annotations and nothing else about the pod. */
    static PodContext ofAnnotations(StaticParts statics, Map<String, String> annotations, ProxyConfigs proxyConfig) {
        return new PodContext(statics, MissingNode.getInstance(), annotations, Map.of(), null, proxyConfig);
    }

    private PodContext(StaticParts statics, JsonNode spec, Map<String, String> annotations, Map<String, String> labels,
                       WorkloadMeta workload, ProxyConfigs proxyConfig) {
        this.statics = statics;
        this.settings = statics.settings;
        this.spec = spec;
        this.annotations = annotations;
        this.labels = labels;
        this.workload = workload;
        this.proxyConfig = proxyConfig;
        for (JsonNode c : spec.path("containers")) {
            String name = c.path("name").asText("");
            if (!name.equals(PROXY)) {
                appContainers.add(name);
            }
        }
        this.interceptionMode = annotation("sidecar.istio.io/interceptionMode",
                proxyConfig.interceptionMode(settings.traffic().interceptionMode()));
        this.tproxy = interceptionMode.equals("TPROXY");
        this.capNetBindService = annotation("sidecar.istio.io/capNetBindService",
                String.valueOf(settings.proxy().capNetBindService())).equals("true");
        String native_ = annotations.get("sidecar.istio.io/nativeSidecar");
        this.nativeSidecar = !(native_ == null || native_.isEmpty()
                ? String.valueOf(settings.mesh().nativeSidecars()) : native_).equals("false");
        this.holdProxy = (proxyConfig.holdApplicationUntilProxyStarts()
                || settings.proxy().holdApplicationUntilProxyStarts()) && !nativeSidecar;
        this.statusPort = annotation("status.sidecar.istio.io/port", String.valueOf(settings.proxy().statusPort()));
    }

    /** The template's {@code annotation .ObjectMeta name default}: the annotation when present (even empty). */
    String annotation(String name, String dflt) {
        String v = annotations.get(name);
        return v == null ? dflt : v;
    }

    boolean hasAnnotation(String name) {
        return annotations.containsKey(name);
    }

    /** sprig's {@code a | default b}: b when a is missing or empty. */
    static String orDefault(String value, String dflt) {
        return value == null || value.isEmpty() ? dflt : value;
    }

    String label(String name) {
        return labels.get(name);
    }

    /** {@code hub/name:tag[-imageType]}, Istio's ProxyImage(). */
    String image(String imageName) {
        String tag = settings.images().tag();
        String type = annotation("sidecar.istio.io/proxyImageType", proxyConfig.imageType(settings.images().imageType()));
        if (!type.isEmpty()) {
            for (String known : List.of("distroless", "debug")) {
                if (tag.endsWith("-" + known)) {
                    tag = tag.substring(0, tag.length() - known.length() - 1);
                    break;
                }
            }
            if (!type.equals("default")) {
                tag = tag + "-" + type;
            }
        }
        return settings.images().hub() + "/" + imageName + ":" + tag;
    }

    /** The template's image choice: the annotation/values image when it contains '/', else hub/name:tag. */
    String proxyImage(String valuesImage) {
        String img = annotation("sidecar.istio.io/proxyImage", valuesImage);
        return img.contains("/") ? img : image(valuesImage);
    }

    /**
     * The template's {@code resources} block: the {@code sidecar.istio.io/proxyCPU|proxyMemory|proxyCPULimit|
     * proxyMemoryLimit} annotations when any is set, else the global proxy resources; quantities canonical.
     */
    ObjectNode resources() {
        String cpu = annotations.get("sidecar.istio.io/proxyCPU");
        String mem = annotations.get("sidecar.istio.io/proxyMemory");
        String cpuLimit = annotations.get("sidecar.istio.io/proxyCPULimit");
        String memLimit = annotations.get("sidecar.istio.io/proxyMemoryLimit");
        ObjectNode out = Json.obj();
        if (cpu != null || mem != null || cpuLimit != null || memLimit != null) {
            if (cpu != null || mem != null) {
                out.set("requests", Json.obj("cpu", Quantities.canonical(cpu), "memory", Quantities.canonical(mem)));
            }
            if (cpuLimit != null || memLimit != null) {
                out.set("limits", Json.obj("cpu", Quantities.canonical(cpuLimit),
                        "memory", Quantities.canonical(memLimit)));
            }
            return out;
        }
        return statics.defaultResources.deepCopy();
    }
}
