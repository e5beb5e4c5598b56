package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Istio-compatible sidecar injection as a pure function. It reproduces what Istio's {@code sidecar} and
 * {@code gateway} injection templates produce for the same {@link InjectionSettings}: the template parts
 * ({@link TrafficRules} for istio-init, {@link ProxyContainer} for istio-proxy, {@link SidecarVolumes},
 * {@link SidecarMetadata}) are merged into the pod with strategic-merge semantics ({@link PodMerger}), then
 * Istio's post-processing runs: user overrides of istio-proxy, Prometheus merge, probe rewriting
 * ({@link ProbeRewriter}), the {@code sidecar.istio.io/status} annotation and container ordering.
 * Whether to inject is {@link InjectionPolicy}'s call. Thread-safe; the static parts are built once, and what
 * depends on a pod's annotations alone ({@link InjectionPlan}: validation, ProxyConfig, the rendered templates
 * but for the few pod-specific fields) once per distinct annotation set.
 */
public final class IstioSidecarInjector implements PodInjector {
    static final String OVERRIDES = "proxy.istio.io/overrides";
    /** corev1.Container's JSON field order, used for the overrides annotation. */
    private static final List<String> CONTAINER_FIELDS = List.of("name", "image", "command", "args", "workingDir",
            "ports", "envFrom", "env", "resources", "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices",
            "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
            "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty");

    private final StaticParts statics;
    private final Revisions revisions;

    public IstioSidecarInjector(InjectionSettings settings) {
        this(settings, Revisions.of(settings.revisionOrDefault()));
    }

    /** An injector for the pods of {@code revisions} (its revision and the tags pointing at it). */
    public IstioSidecarInjector(InjectionSettings settings, Revisions revisions) {
        this.statics = new StaticParts(settings);
        this.revisions = revisions;
    }

    public IstioSidecarInjector() {
        this(InjectionSettings.defaults());
    }

    public InjectionSettings settings() {
        return statics.settings;
    }

    /** How many annotation sets have a cached {@link InjectionPlan}. */
    int cachedPlans() {
        return statics.cachedPlans();
    }

    /** Webhook entry point: namespace selection, policy, then injection (the input is not modified). */
    @Override
    public Result inject(ObjectNode pod, String namespace, Map<String, String> namespaceLabels) {
        InjectionPolicy.Decision d = InjectionPolicy.forWebhook(statics.settings, revisions, pod, namespace,
                namespaceLabels);
        if (!d.inject()) {
            return new Result(pod, false, d.reason(), List.of());
        }
        return injectPod(pod, WorkloadMeta.fromPod(pod, namespace), true);
    }

    /**
     * kube-inject entry point: {@code pod} is a Pod or a workload's pod template (metadata + spec) and
     * {@code workload} the object that owns it. No namespace selection; the pod's own opt-out still counts.
     */
    public Result injectManually(ObjectNode pod, WorkloadMeta workload) {
        InjectionPolicy.Decision d = InjectionPolicy.forManual(statics.settings, pod);
        if (!d.inject()) {
            return new Result(pod, false, d.reason(), List.of());
        }
        return injectPod(pod, workload, false);
    }

    /** Injects as the webhook does, without asking the policy. */
    public Result injectPod(ObjectNode original, WorkloadMeta workload) {
        return injectPod(original, workload, true);
    }

    /**
     * @param webhook the webhook's injection rather than kube-inject's, which (as istioctl's) leaves out the
     *                config's {@code injectedAnnotations}
     */
    private Result injectPod(ObjectNode original, WorkloadMeta workload, boolean webhook) {
        // A pod injected before is re-rendered (Istio's stripPod): the templates see it without what the last
        // injection added, while the new template is merged over the pod as it is.
        JsonNode previous = previousStatus(original);
        ObjectNode templateInput = previous == null ? original : stripPod(original, previous);
        Map<String, String> annotations = Json.stringMap(templateInput.path("metadata").path("annotations"));
        InjectionPlan plan = statics.plan(annotations);
        if (plan.refused()) {
            return new Result(original, false, "refused: " + String.join("; ", plan.errors), plan.errors);
        }
        ProxyConfigs proxyConfig = plan.proxyConfig;
        PodContext ctx = new PodContext(statics, templateInput, annotations, workload, proxyConfig);
        ObjectNode merged = original.deepCopy();
        ObjectNode templatePod = null; // what the templates added; only its names are read afterwards
        int templates = plan.parts.size();
        for (InjectionPlan.TemplatePart part : plan.parts) {
            ObjectNode rendered = part.instantiate(ctx);
            if (templates == 1) {
                templatePod = rendered;
            } else {
                templatePod = templatePod == null ? obj() : templatePod;
                PodMerger.merge(templatePod, rendered);
            }
            moveUserProxyToInitContainers(merged, templatePod);
            PodMerger.merge(merged, rendered, templates > 1);
        }
        reapplyOverwrittenContainers(merged, original, templatePod, proxyConfig, previous);
        String status = templates == 1 && plan.parts.get(0).status() != null ? plan.parts.get(0).status()
                : SidecarMetadata.status((ObjectNode) templatePod.path("spec"), statics.settings.revisionOrDefault());
        String problem = postProcess(merged, status, proxyConfig, webhook);
        if (problem != null) {
            return new Result(original, false, "refused: " + problem, List.of(problem));
        }
        return new Result(merged, true, "injected", List.of());
    }

    /** The {@code sidecar.istio.io/status} of an earlier injection as JSON, or null (absent or not JSON). */
    private static JsonNode previousStatus(ObjectNode pod) {
        String status = pod.path("metadata").path("annotations").path(SidecarMetadata.STATUS).asText(null);
        if (status == null) {
            return null;
        }
        try {
            JsonNode parsed = ProxyConfigs.JSON.readTree(status);
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (JsonProcessingException e) {
            return null; // Istio treats an unparsable status as none
        }
    }

    /**
     * Istio's stripPod: the pod without the containers the earlier injection listed, without its status
     * annotation, and without the Prometheus annotations when they point at the agent already.
     */
    private ObjectNode stripPod(ObjectNode original, JsonNode previous) {
        ObjectNode pod = original.deepCopy();
        ObjectNode spec = Json.objectAt(pod, "spec");
        for (String list : List.of("containers", "initContainers")) {
            if (spec.get(list) instanceof ArrayNode containers) {
                for (JsonNode name : previous.path(list)) {
                    for (int i = containers.size() - 1; i >= 0; i--) {
                        if (name.asText().equals(containers.get(i).path("name").asText(null))) {
                            containers.remove(i);
                        }
                    }
                }
            }
        }
        ObjectNode annotations = Json.objectAt(Json.objectAt(pod, "metadata"), "annotations");
        String target = String.valueOf(statics.meshProxyConfig.statusPort(MESH_STATUS_PORT));
        SidecarMetadata.clearPrometheusIfAgent(annotations, target);
        annotations.remove(SidecarMetadata.STATUS);
        return pod;
    }

    /** Native sidecars: a user-defined istio-proxy in containers joins the template's one in initContainers. */
    private static void moveUserProxyToInitContainers(ObjectNode merged, ObjectNode templatePod) {
        if (Json.findByName(templatePod.path("spec").path("initContainers"), PodContext.PROXY) == null) {
            return;
        }
        ObjectNode spec = Json.objectAt(merged, "spec");
        ArrayNode containers = Json.arrayAt(spec, "containers");
        for (int i = 0; i < containers.size(); i++) {
            if (PodContext.PROXY.equals(containers.get(i).path("name").asText())) {
                JsonNode c = containers.remove(i);
                Json.arrayAt(spec, "initContainers").add(c);
                return;
            }
        }
    }

    /**
     * Istio's reapplyOverwrittenContainers: containers the user defined under a template container's name
     * (typically istio-proxy with {@code image: auto}) are merged back over the template's, and recorded in
     * {@code proxy.istio.io/overrides}.
     */
    private static void reapplyOverwrittenContainers(ObjectNode merged, ObjectNode original, ObjectNode templatePod,
                                                     ProxyConfigs proxyConfig, JsonNode previous) {
        JsonNode existing = Json.F.objectNode();
        String existingJson = original.path("metadata").path("annotations").path(OVERRIDES).asText(null);
        if (existingJson != null) {
            try {
                existing = ProxyConfigs.JSON.readTree(existingJson);
            } catch (JsonProcessingException e) {
                existing = Json.F.objectNode();
            }
        }
        JsonNode origSpec = original.path("spec");
        ObjectNode record = obj();
        for (String list : List.of("containers", "initContainers")) {
            // a template init container may match a user container of either list (native sidecars)
            List<String> lookIn = list.equals("containers") ? List.of("containers")
                    : List.of("containers", "initContainers");
            ArrayNode recorded = Json.F.arrayNode();
            for (JsonNode c : templatePod.path("spec").path(list)) {
                String name = c.path("name").asText();
                if (previous != null && contains(previous.path(list), name)) {
                    continue; // injected last time: the new template's container replaces it
                }
                ObjectNode match = Json.findByName(existing.path(list), name);
                for (String where : lookIn) {
                    match = match != null ? match : Json.findByName(origSpec.path(where), name);
                }
                if (match != null) {
                    ObjectNode overlay = overlay(match);
                    recorded.add(goOrder(overlay));
                    PodMerger.merge(merged, obj("spec", obj(list, arr(overlay))));
                }
            }
            if (!recorded.isEmpty()) {
                record.set(list, recorded);
            }
        }
        if (!record.isEmpty() && previous == null) { // re-injection keeps the overrides recorded first
            Json.objectAt(Json.objectAt(merged, "metadata"), "annotations").put(OVERRIDES, record.toString());
        }
        adjustInitContainerUser(merged, original, proxyConfig);
    }

    private static boolean contains(JsonNode names, String name) {
        for (JsonNode n : names) {
            if (name.equals(n.asText(null))) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode overlay(ObjectNode userContainer) {
        ObjectNode overlay = userContainer.deepCopy();
        if ("auto".equals(overlay.path("image").asText())) {
            overlay.remove("image");
        }
        return overlay;
    }

    private static ObjectNode goOrder(ObjectNode container) {
        ObjectNode out = obj();
        for (String f : CONTAINER_FIELDS) {
            JsonNode v = container.get(f);
            if (v != null) {
                out.set(f, v);
            } else if (f.equals("resources")) {
                out.set(f, obj());
            }
        }
        container.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /** A user istio-proxy with runAsUser/runAsGroup: the iptables owner uid follows it (Istio's adjustInitContainerUser). */
    private static void adjustInitContainerUser(ObjectNode merged, ObjectNode original, ProxyConfigs proxyConfig) {
        ObjectNode user = findSidecar(original);
        JsonNode sc = user == null ? null : user.get("securityContext");
        if (sc == null || !(sc.has("runAsUser") || sc.has("runAsGroup"))) {
            return;
        }
        if (!(merged.path("spec").get("initContainers") instanceof ArrayNode inits)) {
            return;
        }
        ObjectNode init = Json.elementByName(inits, "istio-init"); // the template's is frozen: this is a copy
        if (init == null) {
            init = Json.elementByName(inits, "istio-validation");
        }
        if (init == null) {
            return;
        }
        boolean tproxy = proxyConfig.interceptionMode("").equals("TPROXY")
                || "TPROXY".equals(merged.path("metadata").path("annotations")
                .path("sidecar.istio.io/interceptionMode").asText(null));
        if (tproxy && sc.has("runAsUser")) {
            ObjectNode sidecar = findSidecar(merged);
            if (sidecar != null) {
                Json.objectAt(sidecar, "securityContext").put("runAsUser", 0);
            }
        }
        if (!tproxy && init.path("name").asText().equals("istio-validation")) {
            ObjectNode isc = Json.objectAt(init, "securityContext");
            if (sc.has("runAsUser")) {
                isc.set("runAsUser", sc.get("runAsUser"));
            }
            if (sc.has("runAsGroup")) {
                isc.set("runAsGroup", sc.get("runAsGroup"));
            }
        }
        long uid = sc.path("runAsUser").asLong(0);
        if (uid == 0) {
            return;
        }
        if (init.get("args") instanceof ArrayNode) {
            ArrayNode a = Json.arrayAt(init, "args");
            for (int i = 0; i + 1 < a.size(); i++) {
                if (a.get(i).asText().equals("-u")) {
                    a.set(i + 1, Json.F.textNode(String.valueOf(uid)));
                    return;
                }
            }
        }
    }

    /** istio-proxy among containers, else among initContainers. */
    static ObjectNode findSidecar(JsonNode pod) {
        ObjectNode c = Json.findByName(pod.path("spec").path("containers"), PodContext.PROXY);
        return c != null ? c : Json.findByName(pod.path("spec").path("initContainers"), PodContext.PROXY);
    }

    /** Istio's postProcessPod; returns why the pod is refused, or null. */
    private String postProcess(ObjectNode merged, String status, ProxyConfigs proxyConfig, boolean webhook) {
        InjectionSettings s = statics.settings;
        ObjectNode metadata = Json.objectAt(merged, "metadata");
        ObjectNode annotations = Json.objectAt(metadata, "annotations");
        Json.objectAt(metadata, "labels");
        ObjectNode sidecar = findSidecar(merged);
        overwriteClusterInfo(metadata, sidecar); // before the probe rewrite adds ISTIO_KUBE_APP_PROBERS, as in Istio
        // Istio reads the mesh config's defaultConfig.statusPort here, not the pod's proxy.istio.io/config
        int statusPort = statics.meshProxyConfig.statusPort(MESH_STATUS_PORT);
        String problem = SidecarMetadata.prometheusMerge(merged, sidecar, s.mesh().enablePrometheusMerge(),
                statusPort);
        if (problem != null) {
            return problem;
        }
        if (sidecar != null && ProbeRewriter.enabled(Json.stringMap(annotations), s.mesh().rewriteAppHTTPProbe())) {
            // the status annotation of an earlier injection is still there: its probers are merged, not replaced
            ProbeRewriter.rewrite(merged, sidecar, statusPort, annotations.has(SidecarMetadata.STATUS));
        }
        annotations.put(SidecarMetadata.STATUS, status);
        if (webhook) { // istioctl kube-inject passes no injectedAnnotations
            s.mesh().injectedAnnotations().forEach(annotations::put);
        }
        reorder(merged, proxyConfig);
        return null;
    }

    /** MeshConfig's default defaultConfig.statusPort (mesh.DefaultProxyConfig). */
    private static final int MESH_STATUS_PORT = 15020;

    /**
     * Istio's extractClusterAndNetwork + overwriteClusterInfo + applyMetadata: the cluster name and the network
     * ({@code global.network}, overridden by the pod's {@code topology.istio.io/network} label) move to the end of
     * istio-proxy's env, sorted by name, and the network becomes the pod's {@code topology.istio.io/network} label.
     */
    private void overwriteClusterInfo(ObjectNode metadata, ObjectNode sidecar) {
        InjectionSettings.Mesh m = statics.settings.mesh();
        ObjectNode labels = Json.objectAt(metadata, "labels");
        String network = labels.has(NETWORK_LABEL) ? labels.path(NETWORK_LABEL).asText() : m.network();
        Map<String, String> envs = new java.util.TreeMap<>();
        if (!m.clusterName().isEmpty()) {
            envs.put("ISTIO_META_CLUSTER_ID", m.clusterName());
        }
        if (!network.isEmpty()) {
            envs.put("ISTIO_META_NETWORK", network);
            labels.put(NETWORK_LABEL, network);
        }
        if (envs.isEmpty() || sidecar == null || !(sidecar.get("env") instanceof ArrayNode env)) {
            return;
        }
        for (int i = env.size() - 1; i >= 0; i--) {
            if (envs.containsKey(env.get(i).path("name").asText())) {
                env.remove(i);
            }
        }
        envs.forEach((k, v) -> env.add(Json.obj("name", k, "value", v)));
    }

    private static final String NETWORK_LABEL = "topology.istio.io/network";

    /**
     * Istio's reorderPod: istio-proxy last among containers (first when the app must wait for it); with native
     * sidecars the init containers run istio-init/istio-validation, then any containers named in
     * {@code sidecar.istio.io/init-containers-before-proxy}, then istio-proxy, then the rest; without, istio-init
     * runs last so that it does not black-hole the other init containers.
     */
    private void reorder(ObjectNode pod, ProxyConfigs proxyConfig) {
        ObjectNode spec = Json.objectAt(pod, "spec");
        boolean hold = proxyConfig.holdApplicationUntilProxyStarts()
                || statics.settings.proxy().holdApplicationUntilProxyStarts();
        if (spec.get("containers") instanceof ArrayNode containers) {
            move(containers, PodContext.PROXY, hold);
        }
        if (!(spec.get("initContainers") instanceof ArrayNode init)) {
            return;
        }
        if (Json.findByName(init, PodContext.PROXY) != null) {
            move(init, "enable-core-dump", true);
            move(init, PodContext.PROXY, true);
            String before = Json.stringMap(pod.path("metadata").path("annotations"))
                    .getOrDefault("sidecar.istio.io/init-containers-before-proxy", "");
            List<String> names = new ArrayList<>();
            for (String n : before.split(",")) {
                if (!n.isEmpty() && !names.contains(n)) {
                    names.add(n);
                }
            }
            for (int i = names.size() - 1; i >= 0; i--) {
                move(init, names.get(i), true);
            }
            move(init, "istio-validation", true);
            move(init, "istio-init", true);
        } else {
            move(init, "istio-validation", true);
            move(init, "istio-init", false);
            move(init, "enable-core-dump", false);
        }
    }

    private static void move(ArrayNode list, String name, boolean first) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.get(i).path("name").asText(null))) {
                JsonNode c = list.remove(i);
                if (first) {
                    list.insert(0, c);
                } else {
                    list.add(c);
                }
                return;
            }
        }
    }
}
