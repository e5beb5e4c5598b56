package dev.meshcd.admission.inject;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything Istio's injection template reads from Helm values, mesh config and the injector's
 * environment. {@link #defaults()} equals the settings the conformance goldens were rendered with
 * (istio-discovery chart defaults, profile {@code empty}, hub {@code registry.istio.io/testing}, tag
 * {@code latest}, revision {@code default}, native sidecars on). See docs/injection.md.
 *
 * @param images  proxy images and pull settings ({@code .Values.global.hub/tag/proxy.image/...})
 * @param mesh    mesh-wide identity and control-plane settings
 * @param proxy   sidecar proxy defaults ({@code .Values.global.proxy.*})
 * @param traffic interception defaults ({@code .Values.global.proxy.include.../exclude...}, mesh listen ports)
 * @param policy  which pods get injected
 */
public record InjectionSettings(Images images, Mesh mesh, Proxy proxy, Traffic traffic, Policy policy) {

    /**
     * @param hub              image registry, e.g. {@code docker.io/istio}
     * @param tag              image tag
     * @param proxyImage       {@code global.proxy.image}: a name ({@code proxyv2}) or a full reference (contains '/')
     * @param proxyInitImage   {@code global.proxy_init.image}
     * @param imageType        {@code ProxyConfig.image.imageType} ("", "distroless", "debug")
     * @param imagePullPolicy  {@code global.imagePullPolicy}, empty for none
     * @param imagePullSecrets {@code global.imagePullSecrets}
     */
    public record Images(String hub, String tag, String proxyImage, String proxyInitImage, String imageType,
                         String imagePullPolicy, List<String> imagePullSecrets) {
        public Images {
            imagePullSecrets = List.copyOf(imagePullSecrets);
        }
    }

    /**
     * @param revision           this injector's revision ({@code istio.io/rev}); "default" for the default revision
     * @param istioNamespace     {@code global.istioNamespace}
     * @param clusterDomain      {@code global.proxy.clusterDomain}
     * @param trustDomain        {@code meshConfig.trustDomain}
     * @param meshId             {@code global.meshID}, empty for trust domain
     * @param clusterName        {@code global.multiCluster.clusterName}, empty for "Kubernetes"
     * @param network            {@code global.network}
     * @param caAddress          {@code global.caAddress}, empty for istiod[-rev].ns.svc:15012
     * @param pilotCertProvider  {@code global.pilotCertProvider}
     * @param tokenAudience      {@code global.sds.token.aud}
     * @param trustBundleName    {@code global.trustBundleName}, empty for istio-ca-root-cert
     * @param crlConfigMapName   {@code pilot.crlConfigMapName}, empty for istio-ca-crl
     * @param enablePrometheusMerge {@code meshConfig.enablePrometheusMerge}
     * @param rewriteAppHTTPProbe   {@code sidecarInjectorWebhook.rewriteAppHTTPProbe}
     * @param nativeSidecars     kubelet supports sidecar init containers (istio-proxy becomes an initContainer)
     * @param cniEnabled         {@code pilot.cni.enabled} (istio-validation instead of istio-init)
     * @param mountMtlsCerts     {@code global.mountMtlsCerts}
     * @param logAsJson          {@code global.logAsJson}
     * @param stsPort            {@code global.sts.servicePort}, 0 for none
     * @param proxyConfig        mesh {@code defaultConfig} fields that differ from Istio's defaults (camelCase JSON
     *                           field name to value; e.g. {@code proxyMetadata}, {@code holdApplicationUntilProxyStarts})
     * @param injectedAnnotations {@code sidecarInjectorWebhook.injectedAnnotations}
     */
    public record Mesh(String revision, String istioNamespace, String clusterDomain, String trustDomain, String meshId,
                       String clusterName, String network, String caAddress, String pilotCertProvider,
                       String tokenAudience, String trustBundleName, String crlConfigMapName,
                       boolean enablePrometheusMerge, boolean rewriteAppHTTPProbe, boolean nativeSidecars,
                       boolean cniEnabled, boolean mountMtlsCerts, boolean logAsJson, int stsPort,
                       Map<String, Object> proxyConfig, Map<String, String> injectedAnnotations) {
        public Mesh {
            proxyConfig = Map.copyOf(proxyConfig);
            injectedAnnotations = new TreeMap<>(injectedAnnotations);
        }

        /** The goldens' mesh: revision {@code default} in {@code istio-system}, {@code cluster.local}, native sidecars on. */
        public static Mesh defaults() {
            return new Mesh("default", "istio-system", "cluster.local", "cluster.local", "", "", "", "", "istiod",
                    "istio-ca", "", "", true, true, true, false, false, false, 0, Map.of(), Map.of());
        }

        /** A builder holding this mesh's settings, to derive another mesh: {@code m.toBuilder().revision("canary").build()}. */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.revision = revision;
            b.istioNamespace = istioNamespace;
            b.clusterDomain = clusterDomain;
            b.trustDomain = trustDomain;
            b.meshId = meshId;
            b.clusterName = clusterName;
            b.network = network;
            b.caAddress = caAddress;
            b.pilotCertProvider = pilotCertProvider;
            b.tokenAudience = tokenAudience;
            b.trustBundleName = trustBundleName;
            b.crlConfigMapName = crlConfigMapName;
            b.enablePrometheusMerge = enablePrometheusMerge;
            b.rewriteAppHTTPProbe = rewriteAppHTTPProbe;
            b.nativeSidecars = nativeSidecars;
            b.cniEnabled = cniEnabled;
            b.mountMtlsCerts = mountMtlsCerts;
            b.logAsJson = logAsJson;
            b.stsPort = stsPort;
            b.proxyConfig = proxyConfig;
            b.injectedAnnotations = injectedAnnotations;
            return b;
        }

        /** Builds a {@link Mesh}; start from one with {@link Mesh#toBuilder} ({@code Mesh.defaults().toBuilder()}). */
        public static final class Builder {
            private String revision;
            private String istioNamespace;
            private String clusterDomain;
            private String trustDomain;
            private String meshId;
            private String clusterName;
            private String network;
            private String caAddress;
            private String pilotCertProvider;
            private String tokenAudience;
            private String trustBundleName;
            private String crlConfigMapName;
            private boolean enablePrometheusMerge;
            private boolean rewriteAppHTTPProbe;
            private boolean nativeSidecars;
            private boolean cniEnabled;
            private boolean mountMtlsCerts;
            private boolean logAsJson;
            private int stsPort;
            private Map<String, Object> proxyConfig;
            private Map<String, String> injectedAnnotations;

            private Builder() {
            }

            public Builder revision(String value) {
                this.revision = value;
                return this;
            }

            public Builder istioNamespace(String value) {
                this.istioNamespace = value;
                return this;
            }

            public Builder clusterDomain(String value) {
                this.clusterDomain = value;
                return this;
            }

            public Builder trustDomain(String value) {
                this.trustDomain = value;
                return this;
            }

            public Builder meshId(String value) {
                this.meshId = value;
                return this;
            }

            public Builder clusterName(String value) {
                this.clusterName = value;
                return this;
            }

            public Builder network(String value) {
                this.network = value;
                return this;
            }

            public Builder caAddress(String value) {
                this.caAddress = value;
                return this;
            }

            public Builder pilotCertProvider(String value) {
                this.pilotCertProvider = value;
                return this;
            }

            public Builder tokenAudience(String value) {
                this.tokenAudience = value;
                return this;
            }

            public Builder trustBundleName(String value) {
                this.trustBundleName = value;
                return this;
            }

            public Builder crlConfigMapName(String value) {
                this.crlConfigMapName = value;
                return this;
            }

            public Builder enablePrometheusMerge(boolean value) {
                this.enablePrometheusMerge = value;
                return this;
            }

            public Builder rewriteAppHTTPProbe(boolean value) {
                this.rewriteAppHTTPProbe = value;
                return this;
            }

            public Builder nativeSidecars(boolean value) {
                this.nativeSidecars = value;
                return this;
            }

            public Builder cniEnabled(boolean value) {
                this.cniEnabled = value;
                return this;
            }

            public Builder mountMtlsCerts(boolean value) {
                this.mountMtlsCerts = value;
                return this;
            }

            public Builder logAsJson(boolean value) {
                this.logAsJson = value;
                return this;
            }

            public Builder stsPort(int value) {
                this.stsPort = value;
                return this;
            }

            public Builder proxyConfig(Map<String, Object> value) {
                this.proxyConfig = value;
                return this;
            }

            public Builder injectedAnnotations(Map<String, String> value) {
                this.injectedAnnotations = value;
                return this;
            }

            public Mesh build() {
                return new Mesh(revision, istioNamespace, clusterDomain, trustDomain, meshId, clusterName, network,
                        caAddress, pilotCertProvider, tokenAudience, trustBundleName, crlConfigMapName,
                        enablePrometheusMerge, rewriteAppHTTPProbe, nativeSidecars, cniEnabled, mountMtlsCerts,
                        logAsJson, stsPort, proxyConfig, injectedAnnotations);
            }
        }
    }

    /**
     * @param logLevel          {@code global.proxy.logLevel}
     * @param componentLogLevel {@code global.proxy.componentLogLevel}
     * @param agentLogLevel     {@code global.logging.level}
     * @param statusPort        {@code global.proxy.statusPort} (pilot-agent status port)
     * @param readinessInitialDelaySeconds {@code global.proxy.readinessInitialDelaySeconds}
     * @param readinessPeriodSeconds       {@code global.proxy.readinessPeriodSeconds}
     * @param readinessFailureThreshold    {@code global.proxy.readinessFailureThreshold}
     * @param startupProbe                 {@code global.proxy.startupProbe.enabled}
     * @param startupFailureThreshold      {@code global.proxy.startupProbe.failureThreshold}
     * @param requests          {@code global.proxy.resources.requests} (cpu, memory)
     * @param limits            {@code global.proxy.resources.limits}
     * @param privileged        {@code global.proxy.privileged}
     * @param capNetBindService {@code global.proxy.capNetBindService}
     * @param holdApplicationUntilProxyStarts {@code global.proxy.holdApplicationUntilProxyStarts}
     * @param uid               proxy UID ({@code .ProxyUID})
     * @param gid               proxy GID ({@code .ProxyGID})
     */
    public record Proxy(String logLevel, String componentLogLevel, String agentLogLevel, int statusPort,
                        int readinessInitialDelaySeconds, int readinessPeriodSeconds, int readinessFailureThreshold,
                        boolean startupProbe, int startupFailureThreshold, Map<String, String> requests,
                        Map<String, String> limits, boolean privileged, boolean capNetBindService,
                        boolean holdApplicationUntilProxyStarts, long uid, long gid) {
        public Proxy {
            requests = new TreeMap<>(requests);
            limits = new TreeMap<>(limits);
        }
    }

    /**
     * @param interceptionMode      {@code ProxyConfig.interceptionMode}: REDIRECT, TPROXY or NONE
     * @param includeIPRanges       {@code global.proxy.includeIPRanges}
     * @param excludeIPRanges       {@code global.proxy.excludeIPRanges}
     * @param includeInboundPorts   {@code global.proxy.includeInboundPorts}
     * @param excludeInboundPorts   {@code global.proxy.excludeInboundPorts}
     * @param includeOutboundPorts  {@code global.proxy.includeOutboundPorts}
     * @param excludeOutboundPorts  {@code global.proxy.excludeOutboundPorts}
     * @param proxyListenPort       {@code meshConfig.proxyListenPort}
     * @param proxyInboundListenPort {@code meshConfig.proxyInboundListenPort}
     */
    public record Traffic(String interceptionMode, String includeIPRanges, String excludeIPRanges,
                          String includeInboundPorts, String excludeInboundPorts, String includeOutboundPorts,
                          String excludeOutboundPorts, int proxyListenPort, int proxyInboundListenPort) {
    }

    /**
     * @param autoInject                {@code global.proxy.autoInject}: true = "enabled" (inject unless opted out),
     *                                  false = "disabled" (only pods that opt in)
     * @param enableNamespacesByDefault {@code sidecarInjectorWebhook.enableNamespacesByDefault}
     * @param ignoredNamespaces         namespaces never injected
     * @param templates                 the template names the injector config defines ({@code config.templates});
     *                                  meshcd renders only {@link #RENDERED_TEMPLATES}, a pod asking for another is refused
     * @param defaultTemplates          {@code config.defaultTemplates}: templates for pods that name none
     * @param aliases                   {@code config.aliases}: a template name standing for several
     * @param neverInjectSelector       {@code config.neverInjectSelector}: pods whose labels match one are not
     *                                  injected unless they opt in themselves
     * @param alwaysInjectSelector      {@code config.alwaysInjectSelector}: pods whose labels match one (and no
     *                                  never selector) are injected unless they opt out themselves
     * @param staticTemplates           custom templates of {@code config.templates} without Go template actions,
     *                                  parsed (a pod overlay: metadata, spec); rendered as they are
     */
    public record Policy(boolean autoInject, boolean enableNamespacesByDefault, List<String> ignoredNamespaces,
                         List<String> templates, List<String> defaultTemplates, Map<String, List<String>> aliases,
                         List<LabelSelector> neverInjectSelector, List<LabelSelector> alwaysInjectSelector,
                         Map<String, com.fasterxml.jackson.databind.JsonNode> staticTemplates) {
        /** The templates meshcd implements (in Java: it cannot run Istio's Go templates). */
        public static final List<String> RENDERED_TEMPLATES = List.of("sidecar", "gateway", "grpc-agent",
                "grpc-simple");

        public Policy {
            ignoredNamespaces = List.copyOf(ignoredNamespaces);
            templates = List.copyOf(templates);
            defaultTemplates = List.copyOf(defaultTemplates);
            Map<String, List<String>> a = new TreeMap<>();
            aliases.forEach((k, v) -> a.put(k, List.copyOf(v)));
            aliases = java.util.Collections.unmodifiableMap(a);
            neverInjectSelector = List.copyOf(neverInjectSelector);
            alwaysInjectSelector = List.copyOf(alwaysInjectSelector);
            Map<String, com.fasterxml.jackson.databind.JsonNode> t = new TreeMap<>();
            staticTemplates.forEach((k, v) -> t.put(k, v.deepCopy()));
            staticTemplates = java.util.Collections.unmodifiableMap(t);
        }

        /** No inject selectors. */
        public Policy(boolean autoInject, boolean enableNamespacesByDefault, List<String> ignoredNamespaces,
                      List<String> templates, List<String> defaultTemplates, Map<String, List<String>> aliases) {
            this(autoInject, enableNamespacesByDefault, ignoredNamespaces, templates, defaultTemplates, aliases,
                    List.of(), List.of(), Map.of());
        }

        /** The chart's templates and default ({@code sidecar}), no aliases. */
        public Policy(boolean autoInject, boolean enableNamespacesByDefault, List<String> ignoredNamespaces) {
            this(autoInject, enableNamespacesByDefault, ignoredNamespaces, RENDERED_TEMPLATES, List.of("sidecar"),
                    Map.of());
        }
    }

    /** The goldens' render settings. */
    public static InjectionSettings defaults() {
        return new InjectionSettings(
                new Images("registry.istio.io/testing", "latest", "proxyv2", "proxyv2", "", "", List.of()),
                Mesh.defaults(),
                new Proxy("warning", "misc:error", "default:info", 15020, 0, 15, 4, true, 600,
                        Map.of("cpu", "100m", "memory", "128Mi"), Map.of("cpu", "2000m", "memory", "1024Mi"),
                        false, false, false, 1337, 1337),
                new Traffic("REDIRECT", "*", "", "*", "", "", "", 15001, 15006),
                new Policy(true, false, List.of("kube-system", "kube-public", "kube-node-lease", "local-path-storage")));
    }

    public InjectionSettings withImages(String hub, String tag) {
        return new InjectionSettings(new Images(hub, tag, images.proxyImage(), images.proxyInitImage(),
                images.imageType(), images.imagePullPolicy(), images.imagePullSecrets()), mesh, proxy, traffic, policy);
    }

    public InjectionSettings withMesh(Mesh newMesh) {
        return new InjectionSettings(images, newMesh, proxy, traffic, policy);
    }

    /** These settings with command-line overrides; a null hub, tag or revision keeps this one's. */
    public InjectionSettings withOverrides(String hub, String tag, String revision, boolean nativeSidecars) {
        InjectionSettings s = withImages(hub != null ? hub : images.hub(), tag != null ? tag : images.tag());
        Mesh.Builder m = s.mesh.toBuilder().nativeSidecars(nativeSidecars);
        if (revision != null) {
            m.revision(revision);
        }
        return s.withMesh(m.build());
    }

    /** Whether istio-proxy is injected as a native sidecar (an init container with restartPolicy Always). */
    public InjectionSettings withNativeSidecars(boolean on) {
        return withMesh(mesh.toBuilder().nativeSidecars(on).build());
    }

    public InjectionSettings withProxy(Proxy newProxy) {
        return new InjectionSettings(images, mesh, newProxy, traffic, policy);
    }

    public InjectionSettings withTraffic(Traffic newTraffic) {
        return new InjectionSettings(images, mesh, proxy, newTraffic, policy);
    }

    public InjectionSettings withPolicy(Policy newPolicy) {
        return new InjectionSettings(images, mesh, proxy, traffic, newPolicy);
    }

    /** Revision for templates and the status annotation ("default" when empty). */
    String revisionOrDefault() {
        return mesh.revision() == null || mesh.revision().isEmpty() ? "default" : mesh.revision();
    }
}
