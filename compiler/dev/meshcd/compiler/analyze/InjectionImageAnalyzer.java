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
import java.util.TreeSet;

/**
 * Proxy images that differ from the injector's (Istio's injection/injection-image.go, IST0158, once per namespace
 * naming its pods): in a namespace labelled for injection ({@code istio-injection=enabled}, or {@code istio.io/rev}
 * naming the injector ConfigMap {@code istio-sidecar-injector-REV}), a Pod's {@code istio-proxy} image must be the
 * injector's {@code global.hub}/{@code global.proxy.image}:{@code global.tag} (or {@code global.proxy.image} when it
 * holds a registry), or that image with the pod's image type ({@code -distroless}) as ProxyConfig resolves it. Pods
 * with a {@code sidecar.istio.io/proxyImage} annotation are skipped.
 */
public final class InjectionImageAnalyzer extends SubjectAnalyzer {
    public InjectionImageAnalyzer() {
        super(Kind.NAMESPACE);
    }

    @Override
    public String name() {
        return "injection.image";
    }

    @Override
    protected void check(MeshIndex index, Resource ns, DiagnosticSink sink) {
        Map<String, String> labels = ns.labels();
        String revision = labels.get(InjectionAnalyzer.REVISION_LABEL);
        if (revision == null && !"enabled".equals(labels.get(InjectionAnalyzer.INJECTION_LABEL))) {
            return;
        }
        String cmName = MeshInputs.injectorConfigMapName(revision == null ? "default" : revision);
        String expected = null;
        for (Resource cm : MeshInputs.injectorConfigMaps(index)) {
            if (cm.name().equals(cmName)) {
                expected = proxyImage(cm);
            }
        }
        if (expected == null) {
            return;
        }
        ProxyImageTypes types = null;
        Set<String> mismatched = new TreeSet<>();
        for (ResourceKey key : InjectionAnalyzer.podsIn(index, ns.name())) {
            Resource pod = index.get(key).orElse(null);
            String override = pod == null ? null : pod.annotation("sidecar.istio.io/proxyImage");
            if (pod == null || (override != null && !override.isEmpty())) {
                continue;
            }
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode c : pod.spec().path(list)) {
                    if (!InjectionAnalyzer.PROXY_CONTAINER.equals(c.path("name").asText())) {
                        continue;
                    }
                    types = types == null ? new ProxyImageTypes(index) : types;
                    String image = c.path("image").asText("");
                    if (!image.equals(expected) && !image.equals(expected + "-" + types.of(pod))) {
                        mismatched.add(pod.name());
                    }
                }
            }
        }
        if (!mismatched.isEmpty()) {
            Messages.report(sink, ns, "IST0158", FieldPath.of("metadata", "name"), new ArrayList<>(mismatched));
        }
    }

    /** The injector ConfigMap's proxy image, as Istio composes it from its {@code values}. */
    static String proxyImage(Resource cm) {
        JsonNode global = MeshInputs.value(cm, "values").path("global");
        if (global.isMissingNode()) {
            return "";
        }
        String image = global.path("proxy").path("image").asText("");
        if (image.contains("/")) {
            return image;
        }
        return global.path("hub").asText("") + "/" + image + ":" + global.path("tag").asText("");
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.POD, Kind.CONFIG_MAP, Kind.PROXY_CONFIG);
    }

    @Override
    public Object observed(Resource r) {
        if (r.is(Kind.POD)) {
            return List.of(r.annotations(), r.labels(), r.spec().path("containers"), r.spec().path("initContainers"));
        }
        if (r.is(Kind.CONFIG_MAP)) {
            return r.name().startsWith(MeshInputs.INJECTOR_CONFIG_MAP) || r.name().equals("istio") ? r.object() : null;
        }
        return r.is(Kind.PROXY_CONFIG) ? r.object() : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Resource r = after != null ? after : before;
        return r.is(Kind.POD) ? List.of(InjectionAnalyzer.namespaceKey(r.namespace())) : null;
    }
}
