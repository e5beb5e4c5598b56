package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The istio-discovery chart's proxyless gRPC templates ({@code files/grpc-agent.yaml},
 * {@code files/grpc-simple.yaml}), in Java as the sidecar and gateway ones are:
 * <ul>
 *   <li>{@code grpc-agent}: istio-proxy as a regular container running pilot-agent only ({@code DISABLE_ENVOY}),
 *       which writes the gRPC bootstrap and certificates into volumes the app containers mount;</li>
 *   <li>{@code grpc-simple}: no agent, a busybox init container writes a plaintext bootstrap pointing at istiod.</li>
 * </ul>
 * Both add env and mounts to every app container and turn off probe rewriting
 * ({@code sidecar.istio.io/rewriteAppHTTPProbers: "false"}). They depend on the pod's containers, so they are
 * rendered per pod; the status annotation is computed from what they render.
 */
final class GrpcTemplates {
    static final String AGENT = "grpc-agent";
    static final String SIMPLE = "grpc-simple";

    private GrpcTemplates() {
    }

    /** grpc-agent, validated against the pod's annotations (user volumes) at plan time. */
    static InjectionPlan.TemplatePart agent(PodContext annotationsOnly, List<String> errors) {
        SidecarVolumes.userEntries(annotationsOnly, "sidecar.istio.io/userVolume", errors);
        SidecarVolumes.userEntries(annotationsOnly, "sidecar.istio.io/userVolumeMount", errors);
        return new InjectionPlan.TemplatePart() {
            @Override
            public ObjectNode instantiate(PodContext ctx) {
                return renderAgent(ctx);
            }

            @Override
            public String status() {
                return null;
            }
        };
    }

    static InjectionPlan.TemplatePart simple() {
        return new InjectionPlan.TemplatePart() {
            @Override
            public ObjectNode instantiate(PodContext ctx) {
                return renderSimple(ctx);
            }

            @Override
            public String status() {
                return null;
            }
        };
    }

    private static ObjectNode renderAgent(PodContext ctx) {
        InjectionSettings s = ctx.settings;
        InjectionSettings.Mesh m = s.mesh();
        InjectionSettings.Proxy p = s.proxy();
        List<String> errors = new ArrayList<>(); // validated at plan time

        ObjectNode labels = obj("service.istio.io/canonical-name", first(ctx.label("service.istio.io/canonical-name"),
                ctx.label("app.kubernetes.io/name"), ctx.label("app"), ctx.workload.name()),
                "service.istio.io/canonical-revision", first(ctx.label("service.istio.io/canonical-revision"),
                        ctx.label("app.kubernetes.io/version"), ctx.label("version"), "latest"));
        ObjectNode annotations = obj("istio.io/rev", s.revisionOrDefault());
        if (!ctx.appContainers.isEmpty()) {
            if (!ctx.hasAnnotation("kubectl.kubernetes.io/default-logs-container")) {
                annotations.put("kubectl.kubernetes.io/default-logs-container", ctx.appContainers.get(0));
            }
            if (!ctx.hasAnnotation("kubectl.kubernetes.io/default-container")) {
                annotations.put("kubectl.kubernetes.io/default-container", ctx.appContainers.get(0));
            }
        }
        annotations.put("sidecar.istio.io/rewriteAppHTTPProbers", "false");

        ObjectNode proxy = obj("name", PodContext.PROXY, "image", ctx.proxyImage(s.images().proxyImage()));
        proxy.set("ports", arr(obj("containerPort", 15020, "protocol", "TCP", "name", "mesh-metrics")));
        List<String> args = new ArrayList<>(List.of("proxy", "sidecar", "--domain",
                "$(POD_NAMESPACE).svc." + m.clusterDomain(),
                "--proxyLogLevel=" + ctx.annotation("sidecar.istio.io/logLevel", p.logLevel()),
                "--proxyComponentLogLevel=" + ctx.annotation("sidecar.istio.io/componentLogLevel", p.componentLogLevel()),
                "--log_output_level=" + ctx.annotation("sidecar.istio.io/agentLogLevel", p.agentLogLevel())));
        if (m.stsPort() != 0) {
            args.add("--stsPort=" + m.stsPort());
        }
        if (m.logAsJson()) {
            args.add("--log_as_json");
        }
        proxy.set("args", Json.strings(args));
        proxy.set("lifecycle", obj("postStart", obj("exec", obj("command",
                arr("pilot-agent", "wait", "--url=http://localhost:15020/healthz/ready")))));
        proxy.set("env", agentEnv(ctx));
        if (!s.images().imagePullPolicy().isEmpty()) {
            proxy.put("imagePullPolicy", s.images().imagePullPolicy());
        }
        boolean istiodCerts = m.pilotCertProvider().equals("istiod");
        // the chart's readinessProbe condition also encloses resources and volumeMounts
        if (!ctx.statusPort.equals("0")) {
            ObjectNode readiness = obj("httpGet", obj("path", "/healthz/ready", "port", 15020));
            putNonZero(readiness, "initialDelaySeconds", intAnnotation(ctx,
                    "readiness.status.sidecar.istio.io/initialDelaySeconds", p.readinessInitialDelaySeconds()));
            putNonZero(readiness, "periodSeconds", intAnnotation(ctx,
                    "readiness.status.sidecar.istio.io/periodSeconds", p.readinessPeriodSeconds()));
            readiness.put("timeoutSeconds", 3);
            putNonZero(readiness, "failureThreshold", intAnnotation(ctx,
                    "readiness.status.sidecar.istio.io/failureThreshold", p.readinessFailureThreshold()));
            proxy.set("readinessProbe", readiness);
            proxy.set("resources", ctx.resources());
            ArrayNode mounts = arr(obj("name", "workload-socket", "mountPath", "/var/run/secrets/workload-spiffe-uds"),
                    obj("name", "workload-certs", "mountPath", "/var/run/secrets/workload-spiffe-credentials"));
            if (istiodCerts) {
                mounts.add(obj("mountPath", "/var/run/secrets/istio", "name", "istiod-ca-cert"));
            }
            mounts.add(obj("mountPath", "/var/lib/istio/data", "name", "istio-data"));
            mounts.add(obj("mountPath", "/etc/istio/proxy", "name", "istio-xds"));
            mounts.add(obj("mountPath", "/var/run/secrets/tokens", "name", "istio-token"));
            if (m.mountMtlsCerts()) {
                mounts.add(obj("mountPath", "/etc/certs/", "name", "istio-certs", "readOnly", true));
            }
            mounts.add(obj("name", "istio-podinfo", "mountPath", "/etc/istio/pod"));
            SidecarVolumes.userEntries(ctx, "sidecar.istio.io/userVolumeMount", errors).forEach(mounts::add);
            proxy.set("volumeMounts", mounts);
        }

        ArrayNode containers = arr(proxy);
        for (String app : ctx.appContainers) {
            containers.add(obj("name", app,
                    "env", arr(obj("name", "GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT", "value", "true"),
                            obj("name", "GRPC_XDS_BOOTSTRAP", "value", "/etc/istio/proxy/grpc-bootstrap.json")),
                    "volumeMounts", arr(obj("mountPath", "/var/lib/istio/data", "name", "istio-data"),
                            obj("mountPath", "/etc/istio/proxy", "name", "istio-xds"),
                            obj("name", "workload-certs", "mountPath", "/var/run/secrets/workload-spiffe-credentials"))));
        }

        ArrayNode volumes = arr(obj("name", "workload-socket"), obj("name", "workload-certs"));
        if (ctx.hasAnnotation("sidecar.istio.io/bootstrapOverride")) {
            volumes.add(obj("name", "custom-bootstrap-volume", "configMap",
                    obj("name", ctx.annotation("sidecar.istio.io/bootstrapOverride", ""))));
        }
        volumes.add(obj("emptyDir", obj("medium", "Memory"), "name", "istio-xds"));
        volumes.add(obj("name", "istio-data", "emptyDir", obj()));
        volumes.add(obj("name", "istio-podinfo", "downwardAPI", obj("items", arr(
                obj("path", "labels", "fieldRef", obj("fieldPath", "metadata.labels")),
                obj("path", "annotations", "fieldRef", obj("fieldPath", "metadata.annotations"))))));
        volumes.add(obj("name", "istio-token", "projected", obj("sources", arr(obj("serviceAccountToken",
                obj("path", "istio-token", "expirationSeconds", 43200, "audience", m.tokenAudience()))))));
        if (istiodCerts) {
            volumes.add(obj("name", "istiod-ca-cert", "configMap",
                    obj("name", PodContext.orDefault(m.trustBundleName(), "istio-ca-root-cert"))));
        }
        if (m.mountMtlsCerts()) {
            volumes.add(SidecarVolumes.certs(ctx.spec));
        }
        SidecarVolumes.userEntries(ctx, "sidecar.istio.io/userVolume", errors).forEach(volumes::add);

        ObjectNode spec = obj("containers", containers, "volumes", volumes);
        if (!s.images().imagePullSecrets().isEmpty()) {
            ArrayNode secrets = spec.putArray("imagePullSecrets");
            s.images().imagePullSecrets().forEach(n -> secrets.add(obj("name", n)));
        }
        return obj("metadata", obj("labels", labels, "annotations", annotations), "spec", spec);
    }

    /** istio-proxy's env in the grpc-agent template's order. */
    private static ArrayNode agentEnv(PodContext ctx) {
        InjectionSettings.Mesh m = ctx.settings.mesh();
        String caAddr = !m.caAddress().isEmpty() ? m.caAddress()
                : "istiod" + (m.revision().isEmpty() || m.revision().equals("default") ? "" : "-" + m.revision())
                + "." + m.istioNamespace() + ".svc:15012";
        ArrayNode env = arr(obj("name", "ISTIO_META_GENERATOR", "value", "grpc"),
                obj("name", "OUTPUT_CERTS", "value", "/var/lib/istio/data"),
                obj("name", "PILOT_CERT_PROVIDER", "value", m.pilotCertProvider()),
                obj("name", "CA_ADDR", "value", caAddr),
                fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"),
                fieldEnv("INSTANCE_IP", "status.podIP"), fieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
                fieldEnv("HOST_IP", "status.hostIP"),
                obj("name", "PROXY_CONFIG", "value", ctx.proxyConfig.toJson() + "\n"),
                obj("name", "ISTIO_META_POD_PORTS", "value", ProxyContainer.podPorts(ctx.spec)));
        String apps = String.join(",", ctx.appContainers);
        env.add(apps.isEmpty() ? obj("name", "ISTIO_META_APP_CONTAINERS")
                : obj("name", "ISTIO_META_APP_CONTAINERS", "value", apps));
        env.add(obj("name", "ISTIO_META_CLUSTER_ID", "value", PodContext.orDefault(m.clusterName(), "Kubernetes")));
        env.add(fieldEnv("ISTIO_META_NODE_NAME", "spec.nodeName"));
        if (!m.network().isEmpty()) {
            env.add(obj("name", "ISTIO_META_NETWORK", "value", m.network()));
        }
        String workload = ctx.workload.name();
        if (workload != null && !workload.isEmpty()) {
            env.add(obj("name", "ISTIO_META_WORKLOAD_NAME", "value", workload));
        }
        String owner = ctx.workload.ownerUri();
        if (owner != null) {
            env.add(obj("name", "ISTIO_META_OWNER", "value", owner));
        }
        String meshId = PodContext.orDefault(m.meshId(), m.trustDomain());
        if (meshId != null && !meshId.isEmpty()) {
            env.add(obj("name", "ISTIO_META_MESH_ID", "value", meshId));
        }
        if (m.trustDomain() != null && !m.trustDomain().isEmpty()) {
            env.add(obj("name", "TRUST_DOMAIN", "value", m.trustDomain()));
        }
        for (Map.Entry<String, String> e : ctx.proxyConfig.proxyMetadata().entrySet()) {
            env.add(obj("name", e.getKey(), "value", e.getValue()));
        }
        env.add(obj("name", "ISTIO_META_DNS_CAPTURE", "value", "false"));
        env.add(obj("name", "DISABLE_ENVOY", "value", "true"));
        return env;
    }

    /** The bootstrap grpc-simple's init container writes: plaintext xDS from istiod on 15010. */
    private static final String SIMPLE_BOOTSTRAP = String.join("\n",
            "NODE_ID=\"sidecar~${INSTANCE_IP}~${POD_NAME}.${POD_NAMESPACE}~cluster.local\"",
            "SERVER_URI=\"dns:///istiod.${ISTIO_NAMESPACE}.svc:15010\"",
            "echo '",
            "{",
            "  \"xds_servers\": [",
            "    {",
            "      \"server_uri\": \"'${SERVER_URI}'\",",
            "      \"channel_creds\": [{\"type\": \"insecure\"}],",
            "      \"server_features\" : [\"xds_v3\"]",
            "    }",
            "  ],",
            "  \"node\": {",
            "    \"id\": \"'${NODE_ID}'\",",
            "    \"metadata\": {",
            "      \"GENERATOR\": \"grpc\"",
            "    }",
            "  }",
            "}' > /var/lib/grpc/data/bootstrap.json");

    private static ObjectNode renderSimple(PodContext ctx) {
        ObjectNode bootstrapMount = obj("mountPath", "/var/lib/grpc/data/", "name", "grpc-io-proxyless-bootstrap");
        ObjectNode init = obj("name", "grpc-bootstrap-init", "image", "busybox:1.28",
                "volumeMounts", arr(bootstrapMount.deepCopy()),
                "env", arr(fieldEnv("INSTANCE_IP", "status.podIP"), fieldEnv("POD_NAME", "metadata.name"),
                        fieldEnv("POD_NAMESPACE", "metadata.namespace"),
                        obj("name", "ISTIO_NAMESPACE", "value", ctx.settings.mesh().istioNamespace() + "\n")),
                "command", arr("sh", "-c", SIMPLE_BOOTSTRAP));
        ArrayNode containers = Json.F.arrayNode();
        for (var c : ctx.spec.path("containers")) { // every container, as the chart ranges over .Spec.Containers
            containers.add(obj("name", c.path("name").asText(""),
                    "env", arr(obj("name", "GRPC_XDS_BOOTSTRAP", "value", "/var/lib/grpc/data/bootstrap.json"),
                            obj("name", "GRPC_GO_LOG_VERBOSITY_LEVEL", "value", "99"),
                            obj("name", "GRPC_GO_LOG_SEVERITY_LEVEL", "value", "info")),
                    "volumeMounts", arr(bootstrapMount.deepCopy())));
        }
        ObjectNode spec = obj("initContainers", arr(init), "containers", containers,
                "volumes", arr(obj("name", "grpc-io-proxyless-bootstrap", "emptyDir", obj())));
        return obj("metadata", obj("annotations", obj("sidecar.istio.io/rewriteAppHTTPProbers", "false")),
                "spec", spec);
    }

    private static ObjectNode fieldEnv(String name, String path) {
        return obj("name", name, "valueFrom", obj("fieldRef", obj("fieldPath", path)));
    }

    private static int intAnnotation(PodContext ctx, String name, int dflt) {
        String v = ctx.annotations.get(name);
        return v == null ? dflt : (int) Long.parseLong(v.trim()); // validated as uint32 before
    }

    private static void putNonZero(ObjectNode o, String field, int value) {
        if (value != 0) {
            o.put(field, value);
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }
}
