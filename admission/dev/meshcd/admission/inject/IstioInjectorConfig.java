package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads what istiod's injector reads into {@link InjectionSettings}: the {@code istio-sidecar-injector}
 * ConfigMap's {@code values} (the chart values, JSON) and {@code config} (policy, selectors, templates,
 * defaultTemplates, aliases, injectedAnnotations), and the {@code istio} ConfigMap's {@code mesh} (MeshConfig with
 * {@code defaultConfig}). These are the files {@code istioctl kube-inject} takes as {@code --valuesFile},
 * {@code --injectConfigFile} and {@code --meshConfigFile}.
 *
 * <p>A field meshcd does not know, or one of the wrong type, is an error at its position: meshcd never injects
 * with a default where the cluster's injector would use something else. Fields Istio knows but injection does not
 * read (the chart's deployment settings) are accepted and ignored.
 */
public final class IstioInjectorConfig {
    /** The three inputs; a null one leaves the base settings' part as it is. */
    public record Inputs(SourceFile values, SourceFile config, SourceFile mesh) {
    }

    private static final Set<String> VALUES_TOP = Set.of("base", "cni", "compatibilityVersion", "defaultRevision",
            "experimental", "gatewayClasses", "gateways", "global", "istio_cni", "istiodRemote", "meshConfig",
            "ownerName", "pilot", "profile", "revision", "revisionTags", "sidecarInjectorWebhook", "telemetry",
            "ztunnel",
            // the istio-discovery chart's flattened pilot settings
            "affinity", "autoscaleBehavior", "autoscaleEnabled", "autoscaleMax", "autoscaleMin", "configMap", "cpu",
            "deploymentAnnotations", "deploymentLabels", "env", "envVarFrom", "extraContainerArgs", "hub", "image",
            "initContainers", "ipFamilies", "ipFamilyPolicy", "jwksResolverExtraRootCA",
            "keepaliveMaxServerConnectionAge", "memory", "nodeSelector", "pdb", "podAnnotations", "podLabels",
            "replicaCount", "resources", "rollingMaxSurge", "rollingMaxUnavailable", "seccompProfile",
            "serviceAccountAnnotations", "serviceAnnotations", "sidecarInjectorWebhookAnnotations", "tag", "taint",
            "tolerations", "topologySpreadConstraints", "traceSampling", "trustedZtunnelName",
            "trustedZtunnelNamespace", "variant", "volumeMounts", "volumes", "enabled", "crlConfigMapName");
    private static final Set<String> VALUES_GLOBAL = Set.of("agentgateway", "arch", "caAddress", "caName",
            "certSigners", "configCluster", "configValidation", "defaultNodeSelector", "defaultPodDisruptionBudget",
            "defaultResources", "defaultTolerations", "enableReaderRBAC", "externalIstiod", "hub", "imagePullPolicy",
            "imagePullSecrets", "ipFamilies", "ipFamilyPolicy", "istioNamespace", "istiod", "jwtPolicy", "logAsJson",
            "logging", "meshID", "meshNetworks", "mountMtlsCerts", "multiCluster", "nativeNftables", "network",
            "networkPolicy", "omitSidecarInjectorConfigMap", "operatorManageWebhooks", "pilotCertProvider", "platform",
            "podDNSSearchNamespaces", "priorityClassName", "proxy", "proxy_init", "readerServiceAccount",
            "remotePilotAddress", "resourceScope", "revision", "sds", "sts", "tag", "tracer", "trustBundleName",
            "variant", "waypoint");
    private static final Set<String> VALUES_PROXY = Set.of("autoInject", "clusterDomain", "componentLogLevel",
            "enableCoreDump", "excludeIPRanges", "excludeInboundPorts", "excludeOutboundPorts",
            "holdApplicationUntilProxyStarts", "image", "includeIPRanges", "includeInboundPorts",
            "includeOutboundPorts", "lifecycle", "logLevel", "outlierLogPath", "privileged",
            "readinessFailureThreshold", "readinessInitialDelaySeconds", "readinessPeriodSeconds", "resources",
            "seccompProfile", "startupProbe", "statusPort", "tracer");
    private static final Set<String> VALUES_PROXY_INIT = Set.of("image", "resources", "forceApplyIptables");
    private static final Set<String> VALUES_INJECTOR = Set.of("alwaysInjectSelector", "defaultTemplates",
            "enableNamespacesByDefault", "injectedAnnotations", "injectionURL", "neverInjectSelector",
            "reinvocationPolicy", "rewriteAppHTTPProbe", "templates");
    /** Chart values injection does not implement: accepted only at their chart default (empty, false). */
    private static final List<String> VALUES_UNSUPPORTED = List.of("global.proxy.lifecycle",
            "global.proxy.enableCoreDump", "global.proxy.outlierLogPath", "global.proxy.seccompProfile");

    private static final Set<String> CONFIG_KEYS = Set.of("policy", "alwaysInjectSelector", "neverInjectSelector",
            "injectedAnnotations", "template", "templates", "defaultTemplates", "aliases");

    private static final Set<String> MESH_KEYS = Set.of("accessLogEncoding", "accessLogFile", "accessLogFormat",
            "ca", "caCertificates", "certificates", "configSources", "connectTimeout", "defaultConfig",
            "defaultDestinationRuleExportTo", "defaultHttpRetryPolicy", "defaultProviders", "defaultServiceExportTo",
            "defaultTrafficPolicy", "defaultVirtualServiceExportTo", "disableEnvoyListenerLog", "discoverySelectors",
            "dnsRefreshRate", "enableAutoMtls", "enableEnvoyAccessLogService", "enablePrometheusMerge",
            "enableTracing", "extensionProviders", "h2UpgradePolicy", "hboneIdleTimeout", "inboundClusterStatName",
            "inboundTrafficPolicy", "ingressClass", "ingressControllerMode", "ingressSelector", "ingressService",
            "localityLbSetting", "meshMTLS", "outboundClusterStatName", "outboundTrafficPolicy", "pathNormalization",
            "protocolDetectionTimeout", "proxyHttpPort", "proxyInboundListenPort", "proxyListenPort",
            "rootNamespace", "serviceEntryVisibility", "serviceScopeConfigs", "serviceSettings", "tcpKeepalive",
            "tlsDefaults", "trustDomain", "trustDomainAliases", "verifyCertificateAtClient", "zoneAwareLbSetting",
            "meshNetworks");
    private static final Set<String> PROXY_CONFIG_KEYS = Set.of("availabilityZone", "binaryPath",
            "caCertificatesPem", "concurrency", "configPath", "connectionSettings", "controlPlaneAuthPolicy",
            "customConfigFile", "discoveryAddress", "discoveryRefreshDelay", "drainDuration",
            "envoyAccessLogService", "envoyMetricsService", "envoyMetricsServiceAddress", "extraStatTags",
            "fileFlushInterval", "fileFlushMinSizeKb", "gatewayTopology", "holdApplicationUntilProxyStarts", "image",
            "interceptionMode", "meshId", "privateKeyProvider", "proxyAdminPort", "proxyBootstrapTemplatePath",
            "proxyHeaders", "proxyMetadata", "proxyStatsMatcher", "readinessProbe", "runtimeValues", "sds",
            "statNameLength", "statsCompression", "statsdUdpAddress", "statusPort", "terminationDrainDuration",
            "tracing", "zipkinAddress", "parentShutdownDuration", "serviceCluster", "startupProbe",
            "agentDrainDuration", "minimumDrainDuration", "trustDomainAliases", "caCertificatePem");

    private IstioInjectorConfig() {
    }

    /**
     * The settings the cluster's injector would use, starting from {@code base} (for what the inputs cannot say:
     * native sidecars, ignored namespaces).
     *
     * @throws InjectionConfigException at the first field meshcd cannot read, with its position
     */
    public static InjectionSettings read(Inputs inputs, InjectionSettings base) throws InjectionConfigException {
        InjectionSettings s = base;
        if (inputs.values() != null) {
            s = values(ConfigTree.parse(inputs.values()), s);
        }
        if (inputs.config() != null) {
            s = config(ConfigTree.parse(inputs.config()), s);
        }
        if (inputs.mesh() != null) {
            s = mesh(ConfigTree.parse(inputs.mesh()), s);
        }
        return s;
    }

    /** The largest input file read: a ConfigMap holds at most 1 MiB. */
    static final int MAX_FILE_BYTES = 4 << 20;

    /**
     * {@link #read} on files ({@code istioctl kube-inject}'s {@code --valuesFile}, {@code --injectConfigFile},
     * {@code --meshConfigFile}); a null path leaves that part of {@code base} as it is.
     *
     * @throws IOException when a file cannot be read or is larger than {@link #MAX_FILE_BYTES}
     */
    public static InjectionSettings readFiles(Path values, Path config, Path mesh, InjectionSettings base)
            throws IOException, InjectionConfigException {
        return read(readInputs(values, config, mesh), base);
    }

    /** The files as {@link Inputs} (a null path gives a null part), each read up to {@link #MAX_FILE_BYTES}. */
    public static Inputs readInputs(Path values, Path config, Path mesh) throws IOException {
        return new Inputs(readBounded(values), readBounded(config), readBounded(mesh));
    }

    private static SourceFile readBounded(Path path) throws IOException {
        if (path == null) {
            return null;
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException(path + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
            }
            return new SourceFile(path.toString(), bytes);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        }
    }

    static InjectionSettings values(ConfigTree t, InjectionSettings base) throws InjectionConfigException {
        FieldPath global = FieldPath.of("global");
        FieldPath proxy = global.key("proxy");
        FieldPath proxyInit = global.key("proxy_init");
        FieldPath webhook = FieldPath.of("sidecarInjectorWebhook");
        t.requireKnownKeys(FieldPath.ROOT, VALUES_TOP);
        t.requireKnownKeys(global, VALUES_GLOBAL);
        t.requireKnownKeys(proxy, VALUES_PROXY);
        t.requireKnownKeys(proxyInit, VALUES_PROXY_INIT);
        t.requireKnownKeys(webhook, VALUES_INJECTOR);
        for (String unsupported : VALUES_UNSUPPORTED) {
            FieldPath p = FieldPath.parse(unsupported);
            JsonNode n = t.at(p);
            if (n != null && !(n.isContainerNode() && n.isEmpty()) && !(n.isBoolean() && !n.booleanValue())
                    && !(n.isTextual() && n.textValue().isEmpty())) {
                throw t.error(p, "not supported by meshcd's injection (only its chart default is)");
            }
        }

        InjectionSettings.Images bi = base.images();
        InjectionSettings.Images images = new InjectionSettings.Images(
                t.string(global.key("hub"), bi.hub()), t.string(global.key("tag"), bi.tag()),
                nonEmpty(t.string(proxy.key("image"), bi.proxyImage()), "proxyv2"),
                nonEmpty(t.string(proxyInit.key("image"), bi.proxyInitImage()), "proxyv2"),
                bi.imageType(), t.string(global.key("imagePullPolicy"), bi.imagePullPolicy()),
                t.strings(global.key("imagePullSecrets"), bi.imagePullSecrets()));

        InjectionSettings.Mesh bm = base.mesh();
        String revision = t.string(FieldPath.of("revision"), bm.revision());
        InjectionSettings.Mesh mesh = bm.toBuilder()
                .revision(revision.isEmpty() ? "default" : revision)
                .istioNamespace(t.string(global.key("istioNamespace"), bm.istioNamespace()))
                .clusterDomain(t.string(proxy.key("clusterDomain"), bm.clusterDomain()))
                .meshId(t.string(global.key("meshID"), bm.meshId()))
                .clusterName(t.string(global.key("multiCluster").key("clusterName"), bm.clusterName()))
                .network(t.string(global.key("network"), bm.network()))
                .caAddress(t.string(global.key("caAddress"), bm.caAddress()))
                .pilotCertProvider(t.string(global.key("pilotCertProvider"), bm.pilotCertProvider()))
                .tokenAudience(t.string(global.key("sds").key("token").key("aud"), bm.tokenAudience()))
                .trustBundleName(t.string(global.key("trustBundleName"), bm.trustBundleName()))
                .crlConfigMapName(t.string(FieldPath.of("pilot", "crlConfigMapName"), bm.crlConfigMapName()))
                .rewriteAppHTTPProbe(t.bool(webhook.key("rewriteAppHTTPProbe"), bm.rewriteAppHTTPProbe()))
                .cniEnabled(t.bool(FieldPath.of("pilot", "cni", "enabled"), bm.cniEnabled())
                        || t.bool(FieldPath.of("istio_cni", "enabled"), false))
                .mountMtlsCerts(t.bool(global.key("mountMtlsCerts"), bm.mountMtlsCerts()))
                .logAsJson(t.bool(global.key("logAsJson"), bm.logAsJson()))
                .stsPort(t.integer(global.key("sts").key("servicePort"), bm.stsPort(), 0, 65535))
                .build();

        InjectionSettings.Proxy bp = base.proxy();
        FieldPath res = proxy.key("resources");
        t.requireKnownKeys(res, Set.of("requests", "limits", "claims"));
        InjectionSettings.Proxy p = new InjectionSettings.Proxy(
                t.string(proxy.key("logLevel"), bp.logLevel()),
                t.string(proxy.key("componentLogLevel"), bp.componentLogLevel()),
                t.string(global.key("logging").key("level"), bp.agentLogLevel()),
                t.integer(proxy.key("statusPort"), bp.statusPort(), 0, 65535),
                t.integer(proxy.key("readinessInitialDelaySeconds"), bp.readinessInitialDelaySeconds(), 0,
                        Integer.MAX_VALUE),
                t.integer(proxy.key("readinessPeriodSeconds"), bp.readinessPeriodSeconds(), 0, Integer.MAX_VALUE),
                t.integer(proxy.key("readinessFailureThreshold"), bp.readinessFailureThreshold(), 0,
                        Integer.MAX_VALUE),
                t.bool(proxy.key("startupProbe").key("enabled"), bp.startupProbe()),
                t.integer(proxy.key("startupProbe").key("failureThreshold"), bp.startupFailureThreshold(), 0,
                        Integer.MAX_VALUE),
                quantities(t, res.key("requests"), bp.requests()), quantities(t, res.key("limits"), bp.limits()),
                t.bool(proxy.key("privileged"), bp.privileged()), bp.capNetBindService(),
                t.bool(proxy.key("holdApplicationUntilProxyStarts"), bp.holdApplicationUntilProxyStarts()),
                bp.uid(), bp.gid());

        InjectionSettings.Traffic bt = base.traffic();
        InjectionSettings.Traffic traffic = new InjectionSettings.Traffic(bt.interceptionMode(),
                t.string(proxy.key("includeIPRanges"), bt.includeIPRanges()),
                t.string(proxy.key("excludeIPRanges"), bt.excludeIPRanges()),
                t.string(proxy.key("includeInboundPorts"), bt.includeInboundPorts()),
                t.string(proxy.key("excludeInboundPorts"), bt.excludeInboundPorts()),
                t.string(proxy.key("includeOutboundPorts"), bt.includeOutboundPorts()),
                t.string(proxy.key("excludeOutboundPorts"), bt.excludeOutboundPorts()),
                bt.proxyListenPort(), bt.proxyInboundListenPort());

        InjectionSettings.Policy bpol = base.policy();
        InjectionSettings.Policy policy = new InjectionSettings.Policy(bpol.autoInject(),
                t.bool(webhook.key("enableNamespacesByDefault"), bpol.enableNamespacesByDefault()),
                bpol.ignoredNamespaces(), bpol.templates(), bpol.defaultTemplates(), bpol.aliases(),
                bpol.neverInjectSelector(), bpol.alwaysInjectSelector(), bpol.staticTemplates());
        return new InjectionSettings(images, mesh, p, traffic, policy);
    }

    static InjectionSettings config(ConfigTree t, InjectionSettings base) throws InjectionConfigException {
        t.requireKnownKeys(FieldPath.ROOT, CONFIG_KEYS);
        FieldPath policyPath = FieldPath.of("policy");
        String policy = t.string(policyPath, "enabled");
        boolean autoInject = switch (policy) {
            case "enabled" -> true;
            case "disabled" -> false;
            default -> throw t.error(policyPath, "expected enabled or disabled, found \"" + policy + "\"");
        };
        List<LabelSelector> never = selectors(t, FieldPath.of("neverInjectSelector"));
        List<LabelSelector> always = selectors(t, FieldPath.of("alwaysInjectSelector"));
        JsonNode templates = t.object(FieldPath.of("templates"));
        List<String> names = new ArrayList<>();
        Map<String, JsonNode> staticTemplates = new TreeMap<>();
        if (templates != null) {
            for (Iterator<String> it = templates.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                String text = t.string(FieldPath.of("templates", name), "");
                names.add(name);
                if (!InjectionSettings.Policy.RENDERED_TEMPLATES.contains(name) && !text.contains("{{")) {
                    staticTemplates.put(name, staticTemplate(t, name, text));
                }
            }
        } else {
            names.addAll(base.policy().templates());
            staticTemplates.putAll(base.policy().staticTemplates());
        }
        List<String> defaults = t.strings(FieldPath.of("defaultTemplates"), List.of("sidecar"));
        Map<String, List<String>> aliases = new TreeMap<>();
        JsonNode a = t.object(FieldPath.of("aliases"));
        if (a != null) {
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                aliases.put(name, t.strings(FieldPath.of("aliases", name), List.of()));
            }
        }
        InjectionSettings.Policy bp = base.policy();
        InjectionSettings s = base.withPolicy(new InjectionSettings.Policy(autoInject, bp.enableNamespacesByDefault(),
                bp.ignoredNamespaces(), names, defaults, aliases, never, always, staticTemplates));
        Map<String, String> injected = t.stringMap(FieldPath.of("injectedAnnotations"), Map.of());
        return s.withMesh(s.mesh().toBuilder().injectedAnnotations(injected).build());
    }

    static InjectionSettings mesh(ConfigTree t, InjectionSettings base) throws InjectionConfigException {
        t.requireKnownKeys(FieldPath.ROOT, MESH_KEYS);
        FieldPath dc = FieldPath.of("defaultConfig");
        t.requireKnownKeys(dc, PROXY_CONFIG_KEYS);
        Map<String, Object> proxyConfig = new LinkedHashMap<>();
        JsonNode defaultConfig = t.object(dc);
        if (defaultConfig != null) {
            // typed checks for the fields injection reads; the rest goes to PROXY_CONFIG as written
            t.integer(dc.key("statusPort"), 0, 0, 65535);
            t.integer(dc.key("concurrency"), 0, 0, Integer.MAX_VALUE);
            t.bool(dc.key("holdApplicationUntilProxyStarts"), false);
            t.stringMap(dc.key("proxyMetadata"), Map.of());
            t.requireKnownKeys(dc.key("image"), Set.of("imageType"));
            String mode = t.string(dc.key("interceptionMode"), "REDIRECT");
            if (!List.of("REDIRECT", "TPROXY", "NONE").contains(mode)) {
                throw t.error(dc.key("interceptionMode"), "expected REDIRECT, TPROXY or NONE, found \"" + mode + "\"");
            }
            String imageType = t.string(dc.key("image").key("imageType"), "");
            if (!List.of("", "default", "debug", "distroless").contains(imageType)) {
                throw t.error(dc.key("image").key("imageType"),
                        "expected default, debug or distroless, found \"" + imageType + "\"");
            }
            ProxyConfigs.JSON.convertValue(defaultConfig, Map.class)
                    .forEach((k, v) -> proxyConfig.put((String) k, v));
        }
        InjectionSettings.Mesh bm = base.mesh();
        InjectionSettings.Mesh mesh = bm.toBuilder()
                .trustDomain(t.string(FieldPath.of("trustDomain"), "cluster.local"))
                .enablePrometheusMerge(t.bool(FieldPath.of("enablePrometheusMerge"), true))
                .proxyConfig(proxyConfig)
                .build();
        InjectionSettings.Traffic bt = base.traffic();
        InjectionSettings.Traffic traffic = new InjectionSettings.Traffic(
                t.string(dc.key("interceptionMode"), "REDIRECT"), bt.includeIPRanges(), bt.excludeIPRanges(),
                bt.includeInboundPorts(), bt.excludeInboundPorts(), bt.includeOutboundPorts(),
                bt.excludeOutboundPorts(), t.integer(FieldPath.of("proxyListenPort"), 15001, 0, 65535),
                t.integer(FieldPath.of("proxyInboundListenPort"), 15006, 0, 65535));
        InjectionSettings.Images bi = base.images();
        InjectionSettings.Images images = new InjectionSettings.Images(bi.hub(), bi.tag(), bi.proxyImage(),
                bi.proxyInitImage(), t.string(dc.key("image").key("imageType"), ""), bi.imagePullPolicy(),
                bi.imagePullSecrets());
        return new InjectionSettings(images, mesh, base.proxy(), traffic, base.policy());
    }

    /** A custom template without Go actions: its text is the pod overlay itself (metadata, spec). */
    private static JsonNode staticTemplate(ConfigTree t, String name, String text) throws InjectionConfigException {
        FieldPath path = FieldPath.of("templates", name);
        JsonNode overlay;
        try {
            overlay = text.isBlank() ? ProxyConfigs.JSON.createObjectNode() : STATIC_TEMPLATE_YAML.readTree(text);
        } catch (java.io.IOException e) {
            throw t.error(path, "template \"" + name + "\" is not YAML: " + firstLine(e.getMessage()));
        }
        if (overlay == null || overlay.isNull()) {
            overlay = ProxyConfigs.JSON.createObjectNode();
        }
        if (!overlay.isObject()) {
            throw t.error(path, "template \"" + name + "\" must render a pod (metadata, spec)");
        }
        for (Iterator<String> it = overlay.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("metadata") && !key.equals("spec")) {
                throw t.error(path, "template \"" + name + "\" has \"" + key + "\"; a template renders a pod's"
                        + " metadata and spec");
            }
        }
        return overlay;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper STATIC_TEMPLATE_YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * A list of metav1.LabelSelector. Istio logs an invalid one and skips it; meshcd refuses the config instead,
     * so that a typo cannot silently inject (or not) pods istiod would treat otherwise.
     */
    private static List<LabelSelector> selectors(ConfigTree t, FieldPath path) throws InjectionConfigException {
        JsonNode list = t.at(path);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw t.error(path, "expected a list of label selectors");
        }
        List<LabelSelector> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            FieldPath sp = path.index(i);
            t.requireKnownKeys(sp, Set.of("matchLabels", "matchExpressions"));
            if (!list.get(i).isObject()) {
                throw t.error(sp, "expected a label selector (matchLabels, matchExpressions)");
            }
            Map<String, String> labels = t.stringMap(sp.key("matchLabels"), Map.of());
            List<LabelSelector.Requirement> reqs = new ArrayList<>();
            JsonNode exprs = t.at(sp.key("matchExpressions"));
            if (exprs != null && !exprs.isNull()) {
                if (!exprs.isArray()) {
                    throw t.error(sp.key("matchExpressions"), "expected a list");
                }
                for (int j = 0; j < exprs.size(); j++) {
                    FieldPath ep = sp.key("matchExpressions").index(j);
                    t.requireKnownKeys(ep, Set.of("key", "operator", "values"));
                    String key = t.string(ep.key("key"), "");
                    String op = t.string(ep.key("operator"), "");
                    List<String> values = t.strings(ep.key("values"), List.of());
                    if (key.isEmpty()) {
                        throw t.error(ep, "a requirement needs a key");
                    }
                    if (!LabelSelector.Requirement.OPERATORS.contains(op)) {
                        throw t.error(ep.key("operator"), "expected In, NotIn, Exists or DoesNotExist, found \""
                                + op + "\"");
                    }
                    boolean needsValues = op.equals("In") || op.equals("NotIn");
                    if (needsValues == values.isEmpty()) {
                        throw t.error(ep.key("values"), needsValues ? "must be non-empty for " + op
                                : "must be empty for " + op);
                    }
                    reqs.add(new LabelSelector.Requirement(key, op, values));
                }
            }
            out.add(new LabelSelector(labels, reqs));
        }
        return out;
    }

    private static Map<String, String> quantities(ConfigTree t, FieldPath path, Map<String, String> dflt)
            throws InjectionConfigException {
        Map<String, String> m = t.stringMap(path, dflt);
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!Quantities.isValid(e.getValue())) {
                throw t.error(path.key(e.getKey()), "not a resource quantity: \"" + e.getValue() + "\"");
            }
        }
        return m;
    }

    private static String nonEmpty(String v, String dflt) {
        return v.isEmpty() ? dflt : v;
    }
}
