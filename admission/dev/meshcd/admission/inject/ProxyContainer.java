package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code istio-proxy} container of the sidecar and gateway templates: image, args, environment
 * (downward-API fields, {@code ISTIO_META_*}, {@code PROXY_CONFIG}, proxy metadata), ports, probes,
 * lifecycle, security context, resources and mounts. The downward-API env entries are built once.
 *
 * <p>In two steps: {@link #template} renders what the settings and the pod's annotations decide (everything
 * but four env entries), {@link Template#instantiate} copies that and adds the entries that come from the rest
 * of the pod: {@code ISTIO_META_POD_PORTS}, {@code ISTIO_META_APP_CONTAINERS}, {@code ISTIO_META_WORKLOAD_NAME}
 * and {@code ISTIO_META_OWNER}.
 */
final class ProxyContainer {
    private final InjectionSettings settings;
    private final SidecarVolumes volumes;
    /** PILOT_CERT_PROVIDER .. ISTIO_CPU_LIMIT: identical for every pod */
    private final ArrayNode envHead;
    private final ObjectNode goMemLimit;
    private final ObjectNode nodeName;
    private final ObjectNode promPort = obj("containerPort", 15090, "protocol", "TCP", "name", "http-envoy-prom");

    ProxyContainer(InjectionSettings settings, SidecarVolumes volumes) {
        this.settings = settings;
        this.volumes = volumes;
        InjectionSettings.Mesh m = settings.mesh();
        String caAddr = !m.caAddress().isEmpty() ? m.caAddress()
                : "istiod" + (m.revision().isEmpty() || m.revision().equals("default") ? "" : "-" + m.revision())
                + "." + m.istioNamespace() + ".svc:15012";
        envHead = arr(
                obj("name", "PILOT_CERT_PROVIDER", "value", m.pilotCertProvider()),
                obj("name", "CA_ADDR", "value", caAddr),
                fieldEnv("POD_NAME", "metadata.name"),
                fieldEnv("POD_NAMESPACE", "metadata.namespace"),
                fieldEnv("INSTANCE_IP", "status.podIP"),
                fieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
                fieldEnv("HOST_IP", "status.hostIP"),
                resourceEnv("ISTIO_CPU_LIMIT", "limits.cpu"));
        goMemLimit = resourceEnv("GOMEMLIMIT", "limits.memory");
        nodeName = fieldEnv("ISTIO_META_NODE_NAME", "spec.nodeName");
    }

    private static ObjectNode fieldEnv(String name, String path) {
        return obj("name", name, "valueFrom", obj("fieldRef", obj("fieldPath", path)));
    }

    private static ObjectNode resourceEnv(String name, String resource) {
        return obj("name", name, "valueFrom", obj("resourceFieldRef", obj("resource", resource, "divisor", "1")));
    }

    /**
     * @param ctx     an annotations-only context ({@link PodContext#ofAnnotations})
     * @param gateway the gateway template ({@code proxy router}) instead of the sidecar one
     */
    Template template(PodContext ctx, boolean gateway, List<String> errors) {
        InjectionSettings.Proxy p = settings.proxy();
        ObjectNode c = obj("name", PodContext.PROXY, "image", ctx.proxyImage(settings.images().proxyImage()));
        if (!gateway && ctx.nativeSidecar) {
            c.put("restartPolicy", "Always");
        }
        c.set("ports", arr(promPort.deepCopy()));
        List<String> args = new ArrayList<>(List.of("proxy", gateway ? "router" : "sidecar", "--domain",
                "$(POD_NAMESPACE).svc." + settings.mesh().clusterDomain(),
                "--proxyLogLevel=" + ctx.annotation("sidecar.istio.io/logLevel", p.logLevel()),
                "--proxyComponentLogLevel=" + ctx.annotation("sidecar.istio.io/componentLogLevel", p.componentLogLevel()),
                "--log_output_level=" + ctx.annotation("sidecar.istio.io/agentLogLevel", p.agentLogLevel())));
        if (settings.mesh().stsPort() != 0) {
            args.add("--stsPort=" + settings.mesh().stsPort());
        }
        if (settings.mesh().logAsJson()) {
            args.add("--log_as_json");
        }
        c.set("args", Json.strings(args));
        if (!gateway) {
            ObjectNode lifecycle = lifecycle(ctx);
            if (lifecycle != null) {
                c.set("lifecycle", lifecycle);
            }
        }
        if (gateway) {
            c.set("securityContext", obj("runAsUser", p.uid(), "runAsGroup", p.gid()));
        }
        c.set("env", Json.F.nullNode()); // the position of env: Template.instantiate sets it
        Template t = new Template(c, gateway, goMemLimit);
        env(ctx, gateway, t);
        if (!settings.images().imagePullPolicy().isEmpty()) {
            c.put("imagePullPolicy", settings.images().imagePullPolicy());
        }
        if (gateway) {
            c.set("readinessProbe", readiness(p.readinessInitialDelaySeconds(), p.readinessPeriodSeconds(),
                    p.readinessFailureThreshold()));
        } else if (!ctx.statusPort.equals("0")) {
            if (p.startupProbe()) {
                c.set("startupProbe", obj("httpGet", obj("path", "/healthz/ready", "port", 15021),
                        "periodSeconds", 1, "timeoutSeconds", 3, "failureThreshold", p.startupFailureThreshold()));
            }
            c.set("readinessProbe", readiness(
                    intAnnotation(ctx, "readiness.status.sidecar.istio.io/initialDelaySeconds",
                            p.readinessInitialDelaySeconds()),
                    intAnnotation(ctx, "readiness.status.sidecar.istio.io/periodSeconds", p.readinessPeriodSeconds()),
                    intAnnotation(ctx, "readiness.status.sidecar.istio.io/failureThreshold",
                            p.readinessFailureThreshold())));
        }
        if (!gateway) {
            c.set("securityContext", securityContext(ctx));
            c.set("resources", ctx.resources());
        }
        c.set("volumeMounts", volumes.mounts(ctx, gateway, errors));
        return t.freeze();
    }

    private static int intAnnotation(PodContext ctx, String name, int dflt) {
        String v = ctx.annotations.get(name);
        return v == null ? dflt : (int) Long.parseLong(v.trim()); // validated as uint32 before
    }

    /** Zero-valued fields are left out, as the Go types serialise them. */
    private static ObjectNode readiness(int initialDelay, int period, int failureThreshold) {
        ObjectNode r = obj("httpGet", obj("path", "/healthz/ready", "port", 15021));
        if (initialDelay != 0) {
            r.put("initialDelaySeconds", initialDelay);
        }
        if (period != 0) {
            r.put("periodSeconds", period);
        }
        r.put("timeoutSeconds", 3);
        if (failureThreshold != 0) {
            r.put("failureThreshold", failureThreshold);
        }
        return r;
    }

    private static ObjectNode lifecycle(PodContext ctx) {
        if (ctx.holdProxy) {
            return obj("postStart", obj("exec", obj("command", arr("pilot-agent", "wait"))));
        }
        if (ctx.nativeSidecar) {
            return obj("preStop", obj("exec", obj("command", arr("pilot-agent", "request",
                    "--debug-port=" + ctx.statusPort, "POST", "drain"))));
        }
        return null;
    }

    /** The env entries the annotations decide, in the template's order around the pod's own. */
    private void env(PodContext ctx, boolean gateway, Template t) {
        envHead.forEach(e -> t.head.add((ObjectNode) e));
        t.head.add(obj("name", "PROXY_CONFIG", "value", ctx.proxyConfig.toJson() + "\n"));
        // ISTIO_META_POD_PORTS, ISTIO_META_APP_CONTAINERS and GOMEMLIMIT: Template.instantiate
        InjectionSettings.Mesh m = settings.mesh();
        t.middle.add(obj("name", "ISTIO_META_CLUSTER_ID", "value", PodContext.orDefault(m.clusterName(), "Kubernetes")));
        t.middle.add(nodeName);
        String mode = gateway ? ctx.proxyConfig.interceptionMode(settings.traffic().interceptionMode())
                : PodContext.orDefault(ctx.annotations.get("sidecar.istio.io/interceptionMode"),
                        ctx.proxyConfig.interceptionMode(settings.traffic().interceptionMode()));
        t.middle.add(obj("name", "ISTIO_META_INTERCEPTION_MODE", "value", mode));
        if (!m.network().isEmpty()) {
            t.middle.add(obj("name", "ISTIO_META_NETWORK", "value", m.network()));
        }
        // ISTIO_META_WORKLOAD_NAME and ISTIO_META_OWNER: Template.instantiate
        if (ctx.hasAnnotation("sidecar.istio.io/bootstrapOverride")) {
            t.tail.add(obj("name", "ISTIO_BOOTSTRAP_OVERRIDE", "value", "/etc/istio/custom-bootstrap/custom_bootstrap.json"));
        }
        String meshId = PodContext.orDefault(m.meshId(), m.trustDomain());
        if (meshId != null && !meshId.isEmpty()) {
            t.tail.add(obj("name", "ISTIO_META_MESH_ID", "value", meshId));
        }
        if (m.trustDomain() != null && !m.trustDomain().isEmpty()) {
            t.tail.add(obj("name", "TRUST_DOMAIN", "value", m.trustDomain()));
        }
        for (Map.Entry<String, String> e : ctx.proxyConfig.proxyMetadata().entrySet()) {
            t.tail.add(obj("name", e.getKey(), "value", e.getValue()));
        }
    }

    /**
     * istio-proxy as the settings and a set of annotations render it. Shared by all pods with those annotations:
     * {@link #freeze} makes its parts immutable ({@link FrozenJson}), and {@link #instantiate} puts them into a
     * new container with the pod's own env entries.
     */
    static final class Template {
        private final ObjectNode container;
        private final boolean gateway;
        private JsonNode goMemLimit;
        /** PILOT_CERT_PROVIDER .. PROXY_CONFIG */
        private final List<JsonNode> head = new ArrayList<>();
        /** ISTIO_META_CLUSTER_ID .. ISTIO_META_NETWORK */
        private final List<JsonNode> middle = new ArrayList<>();
        /** ISTIO_BOOTSTRAP_OVERRIDE .. proxy metadata */
        private final List<JsonNode> tail = new ArrayList<>();

        private Template(ObjectNode container, boolean gateway, ObjectNode goMemLimit) {
            this.container = container;
            this.gateway = gateway;
            this.goMemLimit = goMemLimit;
        }

        /**
         * Freezes the container's fields (env, the position {@link #instantiate} fills, stays a null) and the env
         * entries; any of them with a null stays mutable and is copied for each pod ({@link FrozenJson#share}).
         */
        private Template freeze() {
            List<String> fields = new ArrayList<>();
            container.fieldNames().forEachRemaining(fields::add);
            fields.forEach(f -> container.set(f, FrozenJson.freeze(container.get(f))));
            for (List<JsonNode> entries : List.of(head, middle, tail)) {
                entries.replaceAll(FrozenJson::freeze);
            }
            goMemLimit = FrozenJson.freeze(goMemLimit);
            return this;
        }

        /** A new istio-proxy container for the pod of {@code ctx} (a full pod context); its frozen parts are shared. */
        ObjectNode instantiate(PodContext ctx) {
            ObjectNode c = Json.F.objectNode();
            container.fields().forEachRemaining(f -> c.set(f.getKey(), FrozenJson.share(f.getValue())));
            ArrayNode env = Json.F.arrayNode(head.size() + middle.size() + tail.size() + 6);
            head.forEach(e -> env.add(FrozenJson.share(e)));
            env.add(obj("name", "ISTIO_META_POD_PORTS", "value", podPorts(ctx.spec)));
            String apps = String.join(",", ctx.appContainers);
            if (!gateway) {
                env.add(valueEnv("ISTIO_META_APP_CONTAINERS", apps));
            }
            env.add(FrozenJson.share(goMemLimit));
            if (gateway) {
                env.add(valueEnv("ISTIO_META_APP_CONTAINERS", apps));
            }
            middle.forEach(e -> env.add(FrozenJson.share(e)));
            String workloadName = gateway ? ctx.workload.name()
                    : PodContext.orDefault(ctx.label("service.istio.io/workload-name"), ctx.workload.name());
            if (workloadName != null && !workloadName.isEmpty()) {
                env.add(obj("name", "ISTIO_META_WORKLOAD_NAME", "value", workloadName));
            }
            String owner = ctx.workload.ownerUri();
            if (owner != null) {
                env.add(obj("name", "ISTIO_META_OWNER", "value", owner));
            }
            tail.forEach(e -> env.add(FrozenJson.share(e)));
            c.set("env", env);
            return c;
        }
    }

    /** Go omits an empty EnvVar.value. */
    private static ObjectNode valueEnv(String name, String value) {
        return value.isEmpty() ? obj("name", name) : obj("name", name, "value", value);
    }

    /**
     * ISTIO_META_POD_PORTS: every container port as Go's JSON of ContainerPort (name, hostPort,
     * containerPort, protocol, hostIP; empty fields left out), one per line, as the template lays it out.
     */
    static String podPorts(JsonNode spec) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (JsonNode c : spec.path("containers")) {
            for (JsonNode port : c.path("ports")) {
                ObjectNode p = Json.obj();
                copyIfSet(port, p, "name");
                copyIfSet(port, p, "hostPort");
                copyIfSet(port, p, "containerPort");
                if (!p.has("containerPort")) {
                    p.put("containerPort", 0);
                }
                copyIfSet(port, p, "protocol");
                copyIfSet(port, p, "hostIP");
                sb.append("\n    ").append(first ? "" : ",").append(p);
                first = false;
            }
        }
        return sb.append("\n]").toString();
    }

    private static void copyIfSet(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty()) || (v.isNumber() && v.asLong() == 0)) {
            return;
        }
        to.set(field, v);
    }

    private ObjectNode securityContext(PodContext ctx) {
        InjectionSettings.Proxy p = settings.proxy();
        if ("true".equals(ctx.proxyConfig.proxyMetadata().get("IPTABLES_TRACE_LOGGING"))) {
            return obj("allowPrivilegeEscalation", true, "capabilities", obj("add", arr("NET_ADMIN"), "drop", arr("ALL")),
                    "privileged", true, "readOnlyRootFilesystem", true, "runAsGroup", p.gid(), "runAsNonRoot", false,
                    "runAsUser", 0);
        }
        ObjectNode sc = obj("allowPrivilegeEscalation", p.privileged());
        ObjectNode caps = sc.putObject("capabilities");
        if (ctx.tproxy || ctx.capNetBindService) {
            ArrayNode add = caps.putArray("add");
            if (ctx.tproxy) {
                add.add("NET_ADMIN");
            }
            if (ctx.capNetBindService) {
                add.add("NET_BIND_SERVICE");
            }
        }
        caps.set("drop", arr("ALL"));
        sc.put("privileged", p.privileged());
        sc.put("readOnlyRootFilesystem", true);
        if (ctx.tproxy || ctx.capNetBindService) {
            sc.put("runAsNonRoot", false);
            sc.put("runAsUser", 0);
            sc.put("runAsGroup", 1337);
        } else {
            sc.put("runAsNonRoot", true);
            sc.put("runAsUser", p.uid());
            sc.put("runAsGroup", p.gid());
        }
        return sc;
    }
}
