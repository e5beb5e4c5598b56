package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sidecar injection state (Istio's injection/injection.go): a Namespace without an injection label (IST0102, or
 * IST0148 when the injector injects every namespace by default), one with several kinds of injection labels
 * (IST0123), and a Pod of an {@code istio-injection=enabled} namespace without an {@code istio-proxy} container
 * (IST0103). istio-system and ambient namespaces are skipped, as Istio skips them. Pods are Pod objects, not the
 * templates of Deployments: those are injected when their pods are created.
 */
public final class InjectionAnalyzer extends SubjectAnalyzer {
    static final String INJECTION_LABEL = "istio-injection";
    static final String REVISION_LABEL = "istio.io/rev";
    static final String DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode";
    static final String SIDECAR_INJECT = "sidecar.istio.io/inject";
    static final String PROXY_CONTAINER = "istio-proxy";
    /** Istio's constant, not the configured root namespace. */
    static final String ISTIO_SYSTEM = "istio-system";

    public InjectionAnalyzer() {
        super(Kind.NAMESPACE, Kind.POD);
    }

    @Override
    public String name() {
        return "injection.injection";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        if (r.is(Kind.NAMESPACE)) {
            checkNamespace(index, r, sink);
        } else if (injectedNamespace(index, r.namespace()) && !optedOut(r) && !r.spec().path("hostNetwork").asBoolean()
                && proxyImage(r.spec()) == null) {
            Messages.report(sink, r, "IST0103", FieldPath.of("spec", "containers"), r.namespace() + "/" + r.name());
        }
    }

    private static void checkNamespace(MeshIndex index, Resource ns, DiagnosticSink sink) {
        if (ns.name().equals(ISTIO_SYSTEM)) {
            return;
        }
        Map<String, String> labels = ns.labels();
        String injection = labels.get(INJECTION_LABEL);
        List<String> istioLabels = new ArrayList<>();
        if (injection != null) {
            istioLabels.add(INJECTION_LABEL + "=" + injection);
        }
        for (String l : List.of(REVISION_LABEL, DATAPLANE_MODE_LABEL)) {
            if (labels.containsKey(l) && (injection == null || injection.equals("enabled"))) {
                istioLabels.add(l + "=" + labels.get(l));
            }
        }
        if (istioLabels.size() > 1) {
            Messages.report(sink, ns, "IST0123", FieldPath.of("metadata", "labels"), istioLabels);
        }
        if ("ambient".equals(labels.get(DATAPLANE_MODE_LABEL))) {
            return;
        }
        if ((injection == null || injection.isEmpty()) && !labels.containsKey(REVISION_LABEL)) {
            if (enabledByDefault(index, labels.get(REVISION_LABEL))) {
                Messages.report(sink, ns, "IST0148", FieldPath.of("metadata", "name"));
            } else {
                Messages.report(sink, ns, "IST0102", FieldPath.of("metadata", "name"), ns.name(), ns.name());
            }
        }
    }

    /** The injector's {@code sidecarInjectorWebhook.enableNamespacesByDefault} for a revision (false when unknown). */
    private static boolean enabledByDefault(MeshIndex index, String revision) {
        String name = MeshInputs.injectorConfigMapName(revision);
        for (Resource cm : MeshInputs.injectorConfigMaps(index)) {
            if (cm.name().equals(name)) {
                JsonNode values = MeshInputs.value(cm, "values");
                return values.path("sidecarInjectorWebhook").path("enableNamespacesByDefault").asBoolean(false);
            }
        }
        return false;
    }

    static boolean injectedNamespace(MeshIndex index, String namespace) {
        return !namespace.equals(ISTIO_SYSTEM) && index.get(namespaceKey(namespace))
                .map(ns -> "enabled".equals(ns.labels().get(INJECTION_LABEL))
                        && !"ambient".equals(ns.labels().get(DATAPLANE_MODE_LABEL)))
                .orElse(false);
    }

    static ResourceKey namespaceKey(String name) {
        return new ResourceKey("", "Namespace", "", name);
    }

    /** {@code sidecar.istio.io/inject: "false"}, the label winning over the annotation. */
    private static boolean optedOut(Resource pod) {
        String inject = pod.labels().containsKey(SIDECAR_INJECT) ? pod.labels().get(SIDECAR_INJECT)
                : pod.annotation(SIDECAR_INJECT);
        return "false".equalsIgnoreCase(inject);
    }

    /** The image of the first {@code istio-proxy} container (containers, then init containers), or null. */
    static String proxyImage(JsonNode podSpec) {
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : podSpec.path(list)) {
                if (PROXY_CONTAINER.equals(c.path("name").asText())) {
                    String image = c.path("image").asText("");
                    return image.isEmpty() ? null : image;
                }
            }
        }
        return null;
    }

    /** The keys of the Pod objects of a namespace (not pod templates). */
    static List<ResourceKey> podsIn(MeshIndex index, String namespace) {
        List<ResourceKey> out = new ArrayList<>();
        for (dev.meshcd.compiler.index.Workload w : index.workloadsIn(namespace)) {
            if (w.resource() != null && w.resource().is(Kind.POD)) {
                out.add(w.resource().key());
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.NAMESPACE, Kind.CONFIG_MAP);
    }

    /** Of a Namespace, the labels its pods' findings read; of a ConfigMap, an injector's values. */
    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.NAMESPACE)) {
            return r.labels();
        }
        if (r.is(Kind.CONFIG_MAP) && r.name().startsWith(MeshInputs.INJECTOR_CONFIG_MAP)) {
            return r.object().path("data").path("values");
        }
        return null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Resource r = after != null ? after : before;
        if (!r.is(Kind.NAMESPACE)) {
            return null; // an injector ConfigMap: every namespace may change
        }
        return podsIn(afterIndex, r.name());
    }
}
