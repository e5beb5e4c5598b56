package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What injection does given the settings and a pod's annotations alone: the verdict on the annotations, the
 * effective ProxyConfig and, per requested template, the rendered parts that nothing else about the pod
 * changes — istio-init (or istio-validation), istio-proxy but four env entries, the volumes but
 * {@code istio-certs}, the image pull secrets and the names the status annotation lists. {@link StaticParts#plan}
 * caches plans by annotation set: the pods of one workload share their annotations, so a plan is built once
 * per workload (and per distinct set of annotations), not once per pod.
 *
 * <p>The parts are built from an annotations-only {@link PodContext}, so they cannot depend on anything else
 * about a pod. They are shared between pods and threads, frozen ({@link FrozenJson}), and put as they are into
 * the new template pod {@link Part#instantiate} renders each time.
 */
final class InjectionPlan {
    static final String TEMPLATES = "inject.istio.io/templates";
    private static final List<String> RESOURCE_ANNOTATIONS = List.of("sidecar.istio.io/proxyCPU",
            "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemoryLimit");

    /** problems that make injection refuse the pod; empty when fine */
    final List<String> errors;
    /** the mesh default config overridden by {@code proxy.istio.io/config}; null when refused */
    final ProxyConfigs proxyConfig;
    /** one per template, in the order requested */
    final List<TemplatePart> parts;

    /** One requested template, rendered for a pod. */
    interface TemplatePart {
        /** The template rendered for the pod of {@code ctx} (a full pod context): a tree the caller may keep. */
        ObjectNode instantiate(PodContext ctx);

        /** The {@code sidecar.istio.io/status} value when this is the only template; null when it depends on the pod. */
        String status();
    }

    private InjectionPlan(List<String> errors, ProxyConfigs proxyConfig, List<? extends TemplatePart> parts) {
        this.errors = List.copyOf(errors);
        this.proxyConfig = proxyConfig;
        this.parts = List.copyOf(parts);
    }

    boolean refused() {
        return !errors.isEmpty();
    }

    /**
     * Plans injection for a pod with these (Istio) annotations; the map is not kept, the parts hold what they
     * need. Everything here reads annotations named {@code *istio.io/*} only ({@link StaticParts#plan}).
     */
    static InjectionPlan of(StaticParts statics, Map<String, String> annotations) {
        List<String> errors = TrafficRules.validate(annotations);
        for (String r : RESOURCE_ANNOTATIONS) {
            String v = annotations.get(r);
            if (v != null && !Quantities.isValid(v)) {
                // Istio fails later, when the rendered template does not parse as a Pod
                errors.add("invalid value '" + v + "' for annotation '" + r + "': not a resource quantity");
            }
        }
        if (!errors.isEmpty()) {
            return new InjectionPlan(errors, null, List.of());
        }
        ProxyConfigs proxyConfig = statics.meshProxyConfig;
        String pca = annotations.get("proxy.istio.io/config");
        if (pca != null) {
            proxyConfig = proxyConfig.withAnnotation(pca);
        }
        PodContext ctx = PodContext.ofAnnotations(statics, annotations, proxyConfig);
        List<TemplatePart> parts = new ArrayList<>();
        InjectionSettings.Policy policy = statics.settings.policy();
        for (String template : selectTemplates(policy, annotations)) {
            String problem = templateProblem(policy, template);
            if (problem != null) {
                errors.add(problem);
                return new InjectionPlan(errors, null, List.of());
            }
            TemplatePart part = switch (template) {
                case GrpcTemplates.AGENT -> GrpcTemplates.agent(ctx, errors);
                case GrpcTemplates.SIMPLE -> GrpcTemplates.simple();
                case "sidecar", "gateway" -> new Part(statics, ctx, template.equals("gateway"), errors);
                default -> staticPart(policy.staticTemplates().get(template));
            };
            if (!errors.isEmpty()) {
                return new InjectionPlan(errors, null, List.of());
            }
            parts.add(part);
        }
        return new InjectionPlan(errors, proxyConfig, parts);
    }

    /** Istio's selectTemplates: the annotation's names, else the default templates, aliases resolved. */
    private static List<String> selectTemplates(InjectionSettings.Policy policy, Map<String, String> annotations) {
        String names = annotations.get(TEMPLATES);
        List<String> requested = new ArrayList<>();
        if (names == null) {
            requested.addAll(policy.defaultTemplates());
        } else {
            for (String n : names.split(",", -1)) {
                requested.add(n.trim());
            }
        }
        List<String> out = new ArrayList<>();
        for (String n : requested) {
            out.addAll(policy.aliases().getOrDefault(n, List.of(n)));
        }
        return out;
    }

    /** A custom template without Go actions: its overlay, the same for every pod. */
    private static TemplatePart staticPart(com.fasterxml.jackson.databind.JsonNode overlay) {
        return new TemplatePart() {
            @Override
            public ObjectNode instantiate(PodContext ctx) {
                return (ObjectNode) overlay.deepCopy();
            }

            @Override
            public String status() {
                return null;
            }
        };
    }

    /** Why meshcd cannot render {@code template}, or null when it can. */
    private static String templateProblem(InjectionSettings.Policy policy, String template) {
        if (!policy.templates().contains(template)) {
            return "requested template \"" + template + "\" not found; have "
                    + String.join(", ", policy.templates().stream().sorted().toList());
        }
        if (!InjectionSettings.Policy.RENDERED_TEMPLATES.contains(template)
                && !policy.staticTemplates().containsKey(template)) {
            return "requested template \"" + template + "\" is a Go template of the injector config that meshcd"
                    + " cannot render; meshcd renders " + String.join(", ", InjectionSettings.Policy.RENDERED_TEMPLATES)
                    + " and custom templates without {{ }} actions";
        }
        return null;
    }

    /** The {@code sidecar} or {@code gateway} template, rendered as far as the annotations decide it. */
    static final class Part implements TemplatePart {
        private final boolean gateway;
        private final boolean nativeSidecar;
        /** istio-init / istio-validation, or null */
        private final ObjectNode init;
        private final ProxyContainer.Template proxy;
        private final SidecarVolumes.Rendered volumes;
        /** null when the settings name none */
        private final ArrayNode imagePullSecrets;
        /** the {@code sidecar.istio.io/status} value when this is the only template */
        private final String status;

        @Override
        public String status() {
            return status;
        }

        private Part(StaticParts statics, PodContext ctx, boolean gateway, List<String> errors) {
            this.gateway = gateway;
            this.nativeSidecar = ctx.nativeSidecar;
            this.proxy = statics.proxy.template(ctx, gateway, errors);
            this.init = gateway || ctx.interceptionMode.equals("NONE") && !ctx.nativeSidecar ? null
                    : (ObjectNode) FrozenJson.freeze(TrafficRules.initContainer(ctx)); // frozen unless it has a null
            this.volumes = statics.volumes.volumes(ctx, gateway, errors);
            ArrayNode secrets = statics.volumes.imagePullSecrets();
            this.imagePullSecrets = secrets == null ? null : (ArrayNode) FrozenJson.freeze(secrets);
            this.status = SidecarMetadata.status(names(), statics.settings.revisionOrDefault());
        }

        /**
         * The template rendered for the pod of {@code ctx} (a full pod context: labels, spec and workload
         * complete the cached parts): a new tree, the caller's to keep or change, whose cached parts are
         * shared and frozen ({@link FrozenJson}: copy before changing them).
         */
        @Override
        public ObjectNode instantiate(PodContext ctx) {
            ObjectNode spec = obj();
            if (gateway) {
                spec.set("securityContext",
                        obj("sysctls", arr(obj("name", "net.ipv4.ip_unprivileged_port_start", "value", "0"))));
                spec.set("containers", arr(proxy.instantiate(ctx)));
            } else {
                ArrayNode initContainers = spec.putArray("initContainers");
                if (init != null) {
                    initContainers.add(FrozenJson.share(init));
                }
                ObjectNode proxyContainer = proxy.instantiate(ctx);
                if (nativeSidecar) {
                    initContainers.add(proxyContainer);
                } else {
                    spec.set("containers", arr(proxyContainer));
                }
            }
            spec.set("volumes", volumes.instantiate(ctx.spec));
            if (imagePullSecrets != null) {
                spec.set("imagePullSecrets", FrozenJson.share(imagePullSecrets));
            }
            return obj("metadata", SidecarMetadata.templateMetadata(ctx, gateway), "spec", spec);
        }

        /** A spec with only the names of what {@link #instantiate} renders, for the status annotation. */
        private ObjectNode names() {
            ObjectNode spec = obj();
            ArrayNode initContainers = spec.putArray("initContainers");
            ArrayNode containers = spec.putArray("containers");
            if (init != null) {
                initContainers.add(obj("name", init.path("name").asText()));
            }
            (!gateway && nativeSidecar ? initContainers : containers).add(obj("name", PodContext.PROXY));
            ArrayNode volumeNames = spec.putArray("volumes");
            volumes.names().forEach(n -> volumeNames.add(obj("name", n)));
            if (imagePullSecrets != null) {
                spec.set("imagePullSecrets", imagePullSecrets);
            }
            return spec;
        }
    }
}
