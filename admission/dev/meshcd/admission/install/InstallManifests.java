package dev.meshcd.admission.install;

import dev.meshcd.admission.webhook.OwnershipGuard;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What {@code meshcd install} puts into a cluster: namespace, service account, least-privilege RBAC,
 * the webhook Deployment (2 replicas) with its Service and PodDisruptionBudget, and the validating and
 * mutating webhook configurations. With a webhook URL (a meshcd running outside the cluster, e.g. on
 * 127.0.0.1 next to a local API server) only the namespace and the webhook configurations are rendered.
 */
public final class InstallManifests {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InstallManifests.class);
    public static final String VALIDATING_NAME = "meshcd-validation";
    public static final String MUTATING_NAME = "meshcd-injection";
    public static final String SERVICE = "meshcd-webhook";
    public static final String TLS_SECRET = "meshcd-webhook-tls";
    public static final List<String> ISTIO_GROUPS = List.of("networking.istio.io", "security.istio.io",
            "telemetry.istio.io", "extensions.istio.io");
    /** The groups of the kinds meshcd validates and applies: Istio's and the Kubernetes Gateway API's. */
    public static final List<String> MANAGED_GROUPS = List.of("networking.istio.io", "security.istio.io",
            "telemetry.istio.io", "extensions.istio.io", "gateway.networking.k8s.io", "gateway.networking.x-k8s.io");

    /**
     * @param webhookUrl base URL of a meshcd outside the cluster ({@code https://127.0.0.1:8443}), or null
     * @param caBundlePem PEM of the webhook CA, or null (meshcd fills it in when it starts)
     */
    public record Options(String namespace, String image, String webhookUrl, String caBundlePem, Sync sync,
                          String revision, String istioNamespace) {
        public Options {
            revision = revision == null || revision.isEmpty() ? "default" : revision;
            istioNamespace = istioNamespace == null ? "istio-system" : istioNamespace;
        }

        public Options(String namespace, String image, String webhookUrl, String caBundlePem, Sync sync) {
            this(namespace, image, webhookUrl, caBundlePem, sync, null, null);
        }

        public Options(String namespace, String image, String webhookUrl, String caBundlePem) {
            this(namespace, image, webhookUrl, caBundlePem, null);
        }

        /**
         * meshcd injects the pods of Istio revision {@code rev} (its webhook selects them as istiod's does) and reads
         * that revision's ConfigMaps in {@code istioNs}.
         */
        public Options withRevision(String rev, String istioNs) {
            return new Options(namespace, image, webhookUrl, caBundlePem, sync, rev, istioNs);
        }

        public static Options defaults() {
            return new Options("meshcd-system", defaultImage(), null, null);
        }

        /** meshcd's image at this build's version (the jar's), never {@code :latest}; "dev" when run from classes. */
        public static String defaultImage() {
            String v = InstallManifests.class.getPackage().getImplementationVersion();
            return "ghcr.io/meshcd/meshcd:" + (v == null ? "dev" : v);
        }

        public Options withWebhookUrl(String url) {
            return new Options(namespace, image, url, caBundlePem, sync, revision, istioNamespace);
        }

        public Options withCaBundle(String pem) {
            return new Options(namespace, image, webhookUrl, pem, sync, revision, istioNamespace);
        }

        public Options withImage(String img) {
            return new Options(namespace, img, webhookUrl, caBundlePem, sync, revision, istioNamespace);
        }

        /** The Deployment also runs the GitOps loop (leader-elected among its replicas). */
        public Options withSync(Sync s) {
            return new Options(namespace, image, webhookUrl, caBundlePem, s, revision, istioNamespace);
        }

        public String serviceAccountUser() {
            return "system:serviceaccount:" + namespace + ":meshcd";
        }
    }

    /**
     * The GitOps loop inside the cluster: the repository to follow, its branch and sub-path, the sync's name, and
     * optionally a Secret (in meshcd's namespace) whose key {@code token} authenticates https Git.
     */
    public record Sync(String repo, String branch, String path, String name, String gitSecret) {
    }

    public static final String SYNC_ROLE = "meshcd-sync";
    /** Where the Git mirror lives in the pod (the root filesystem is read-only). */
    static final String CACHE_DIR = "/var/cache/meshcd";

    private InstallManifests() {
    }

    public static List<HasMetadata> render(Options o) {
        List<HasMetadata> out = new ArrayList<>();
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "meshcd", "app.kubernetes.io/part-of", "meshcd");
        out.add(new NamespaceBuilder().withNewMetadata().withName(o.namespace()).withLabels(labels).endMetadata().build());
        if (o.webhookUrl() == null) {
            out.add(new ServiceAccountBuilder().withNewMetadata().withName("meshcd").withNamespace(o.namespace())
                    .withLabels(labels).endMetadata().build());
            out.addAll(rbac(o, labels));
            if (o.sync() != null) {
                out.addAll(syncRbac(o.namespace(), labels));
            }
            out.add(deployment(o, labels));
            out.add(new ServiceBuilder().withNewMetadata().withName(SERVICE).withNamespace(o.namespace())
                    .withLabels(labels).endMetadata().withNewSpec().withSelector(Map.of("app.kubernetes.io/name", "meshcd"))
                    .addNewPort().withName("https-webhook").withPort(443).withProtocol("TCP")
                    .withTargetPort(new IntOrString(8443)).endPort().endSpec().build());
            out.add(new PodDisruptionBudgetBuilder().withNewMetadata().withName("meshcd").withNamespace(o.namespace())
                    .withLabels(labels).endMetadata().withNewSpec().withMinAvailable(new IntOrString(1))
                    .withNewSelector().withMatchLabels(Map.of("app.kubernetes.io/name", "meshcd")).endSelector()
                    .endSpec().build());
            out.add(networkPolicy(o, labels));
        }
        out.add(validating(o, labels));
        out.add(mutating(o, labels));
        return out;
    }

    /** Only webhook (and probe) traffic reaches meshcd's pods: TCP 8443, from anywhere (the API server's address is not known). */
    private static HasMetadata networkPolicy(Options o, Map<String, String> labels) {
        return new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder().withNewMetadata()
                .withName("meshcd-webhook").withNamespace(o.namespace()).withLabels(labels).endMetadata().withNewSpec()
                .withNewPodSelector().withMatchLabels(Map.of("app.kubernetes.io/name", "meshcd")).endPodSelector()
                .withPolicyTypes("Ingress").addNewIngress().addNewPort().withProtocol("TCP").withPort(new IntOrString(8443))
                .endPort().endIngress().endSpec().build();
    }

    private static WebhookClientConfig client(Options o, String path) {
        WebhookClientConfigBuilder b = new WebhookClientConfigBuilder();
        if (o.webhookUrl() != null) {
            b.withUrl(o.webhookUrl().replaceAll("/+$", "") + path);
        } else {
            b.withNewService().withName(SERVICE).withNamespace(o.namespace()).withPath(path).withPort(443).endService();
        }
        if (o.caBundlePem() != null) {
            b.withCaBundle(Base64.getEncoder().encodeToString(o.caBundlePem().getBytes(StandardCharsets.UTF_8)));
        }
        return b.build();
    }

    private static HasMetadata validating(Options o, Map<String, String> labels) {
        return new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(VALIDATING_NAME)
                .withLabels(labels).endMetadata()
                .addNewWebhook().withName("validation.meshcd.dev")
                .withClientConfig(client(o, "/validate"))
                .withRules(new RuleWithOperationsBuilder().withApiGroups(MANAGED_GROUPS).withApiVersions("*")
                        .withResources("*").withOperations("CREATE", "UPDATE", "DELETE").withScope("*").build())
                .withNamespaceSelector(notSystem(o))
                // Ignore until the caBundle is written (istiod starts its webhook the same way): a Fail webhook
                // nobody can reach yet would deny every Istio write. patchCaBundle switches it to Fail.
                .withFailurePolicy(o.caBundlePem() == null ? "Ignore" : "Fail").withSideEffects("None").withTimeoutSeconds(5)
                .withAdmissionReviewVersions("v1").withMatchPolicy("Equivalent")
                .endWebhook().build();
    }

    /** Namespaces never sent to meshcd's webhooks: Kubernetes' own and meshcd's (label set by Kubernetes 1.21+). */
    static List<String> excludedNamespaces(Options o) {
        return List.of("kube-system", "kube-public", "kube-node-lease", o.namespace());
    }

    private static LabelSelectorRequirement notSystemRequirement(Options o) {
        return new LabelSelectorRequirementBuilder().withKey("kubernetes.io/metadata.name").withOperator("NotIn")
                .withValues(excludedNamespaces(o)).build();
    }

    private static io.fabric8.kubernetes.api.model.LabelSelector notSystem(Options o) {
        return new LabelSelectorBuilder().withMatchExpressions(notSystemRequirement(o)).build();
    }

    /**
     * The injecting webhooks, with the selectors of istiod's chart for the revision meshcd serves (its
     * mutatingwebhook.yaml, as {@code istioctl manifest generate} renders it): {@code istio.io/rev=REV} on the
     * namespace, or on the pod in a namespace without either injection label; for the default revision also
     * {@code istio-injection=enabled} and, in an unlabelled namespace, {@code sidecar.istio.io/inject=true}. Each
     * lets a pod opt out with {@code sidecar.istio.io/inject=false}. Another revision's pods never reach meshcd, so
     * meshcd and istiod for another revision never inject the same pod.
     */
    private static HasMetadata mutating(Options o, Map<String, String> labels) {
        String rev = o.revision();
        LabelSelectorRequirement notOptedOut = req("sidecar.istio.io/inject", "NotIn", "false");
        LabelSelectorRequirement noInjectionLabel = req("istio-injection", "DoesNotExist");
        LabelSelectorRequirement noRevLabel = req("istio.io/rev", "DoesNotExist");
        MutatingWebhook base = new MutatingWebhookBuilder().withClientConfig(client(o, "/inject"))
                .withRules(new RuleWithOperationsBuilder().withApiGroups("").withApiVersions("v1")
                        .withResources("pods").withOperations("CREATE").build())
                .withFailurePolicy("Fail").withSideEffects("None").withTimeoutSeconds(5)
                .withAdmissionReviewVersions("v1").withReinvocationPolicy("Never").build();
        List<MutatingWebhook> hooks = new ArrayList<>();
        hooks.add(new MutatingWebhookBuilder(base).withName("rev.namespace.injection.meshcd.dev")
                .withNamespaceSelector(selector(req("istio.io/rev", "In", rev), noInjectionLabel,
                        notSystemRequirement(o)))
                .withObjectSelector(selector(notOptedOut)).build());
        hooks.add(new MutatingWebhookBuilder(base).withName("rev.object.injection.meshcd.dev")
                .withNamespaceSelector(selector(noRevLabel, noInjectionLabel, notSystemRequirement(o)))
                .withObjectSelector(selector(notOptedOut, req("istio.io/rev", "In", rev))).build());
        if (rev.equals("default")) {
            hooks.add(new MutatingWebhookBuilder(base).withName("namespace.injection.meshcd.dev")
                    .withNamespaceSelector(selector(req("istio-injection", "In", "enabled"), notSystemRequirement(o)))
                    .withObjectSelector(selector(notOptedOut)).build());
            hooks.add(new MutatingWebhookBuilder(base).withName("object.injection.meshcd.dev")
                    .withNamespaceSelector(selector(noInjectionLabel, noRevLabel, notSystemRequirement(o)))
                    .withObjectSelector(selector(req("sidecar.istio.io/inject", "In", "true"), noRevLabel)).build());
        }
        Map<String, String> withRevision = new java.util.LinkedHashMap<>(labels);
        withRevision.put(REVISION_LABEL, rev);
        return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(MUTATING_NAME)
                .withLabels(withRevision).endMetadata().withWebhooks(hooks).build();
    }

    /** The revision meshcd's injecting webhook serves (not istio.io/rev: istioctl would take it for istiod's). */
    public static final String REVISION_LABEL = "meshcd.dev/revision";

    private static LabelSelectorRequirement req(String key, String operator, String... values) {
        return new LabelSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(values).build();
    }

    private static io.fabric8.kubernetes.api.model.LabelSelector selector(LabelSelectorRequirement... reqs) {
        return new LabelSelectorBuilder().withMatchExpressions(reqs).build();
    }

    private static List<HasMetadata> rbac(Options o, Map<String, String> labels) {
        List<PolicyRule> rules = new ArrayList<>();
        rules.add(rule(MANAGED_GROUPS, List.of("*"), List.of("get", "list", "watch")));
        rules.add(rule(List.of(""), List.of("services", "namespaces"), List.of("get", "list", "watch")));
        rules.add(rule(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets"), List.of("get", "list", "watch")));
        rules.add(rule(List.of("apiextensions.k8s.io"), List.of("customresourcedefinitions"), List.of("get", "list", "watch")));
        // istio-ca-root-cert in injection-enabled namespaces: that name only (create cannot be limited by name)
        PolicyRule rootCert = rule(List.of(""), List.of("configmaps"), List.of("get", "update", "patch"));
        rootCert.setResourceNames(List.of(dev.meshcd.admission.cluster.RootCertPublisher.NAME));
        rules.add(rootCert);
        rules.add(rule(List.of(""), List.of("configmaps"), List.of("create")));
        PolicyRule webhooks = rule(List.of("admissionregistration.k8s.io"),
                List.of("validatingwebhookconfigurations", "mutatingwebhookconfigurations"), List.of("get", "update", "patch"));
        webhooks.setResourceNames(List.of(VALIDATING_NAME, MUTATING_NAME));
        rules.add(webhooks);
        // revision tags: the injecting webhook configurations labelled istio.io/tag (read only)
        rules.add(rule(List.of("admissionregistration.k8s.io"), List.of("mutatingwebhookconfigurations"),
                List.of("get", "list", "watch")));
        List<HasMetadata> out = new ArrayList<>();
        out.add(new ClusterRoleBuilder().withNewMetadata().withName("meshcd").withLabels(labels).endMetadata()
                .withRules(rules).build());
        out.add(new ClusterRoleBindingBuilder().withNewMetadata().withName("meshcd").withLabels(labels).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("meshcd").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName("meshcd").withNamespace(o.namespace()).endSubject().build());
        PolicyRule secretRw = rule(List.of(""), List.of("secrets"), List.of("get", "update", "patch"));
        secretRw.setResourceNames(List.of(TLS_SECRET));
        out.add(new RoleBuilder().withNewMetadata().withName("meshcd").withNamespace(o.namespace()).withLabels(labels)
                .endMetadata().withRules(secretRw, rule(List.of(""), List.of("secrets"), List.of("create"))).build());
        out.add(new RoleBindingBuilder().withNewMetadata().withName("meshcd").withNamespace(o.namespace()).withLabels(labels)
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("meshcd")
                .endRoleRef().addNewSubject().withKind("ServiceAccount").withName("meshcd").withNamespace(o.namespace())
                .endSubject().build());
        // istiod's injector ConfigMaps, read and watched in Istio's namespace only
        Map<String, String> istioLabels = new java.util.LinkedHashMap<>(labels);
        istioLabels.put(NEEDS_ISTIO_NAMESPACE, "true");
        out.add(new RoleBuilder().withNewMetadata().withName(ISTIO_CONFIG_ROLE).withNamespace(o.istioNamespace())
                .withLabels(istioLabels).endMetadata()
                .withRules(rule(List.of(""), List.of("configmaps"), List.of("get", "list", "watch"))).build());
        out.add(new RoleBindingBuilder().withNewMetadata().withName(ISTIO_CONFIG_ROLE).withNamespace(o.istioNamespace())
                .withLabels(istioLabels).endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role").withName(ISTIO_CONFIG_ROLE).endRoleRef().addNewSubject().withKind("ServiceAccount")
                .withName("meshcd").withNamespace(o.namespace()).endSubject().build());
        return out;
    }

    /** The Role (and binding) in Istio's namespace letting meshcd read istiod's injector ConfigMaps. */
    public static final String ISTIO_CONFIG_ROLE = "meshcd-injector-config";
    /** Marks objects that live in Istio's namespace: applied only when it exists (Istio installed). */
    static final String NEEDS_ISTIO_NAMESPACE = "meshcd.dev/in-istio-namespace";

    /**
     * What the sync loop may do, bound to meshcd's service account: write Istio's kinds everywhere (apply,
     * prune), keep its record (ConfigMap {@code meshcd-sync-NAME}) and create the namespaces Git names, and hold
     * its Lease. Shared by {@code meshcd install --repo} and {@code meshcd up}.
     */
    public static List<HasMetadata> syncRbac(String namespace, Map<String, String> labels) {
        var role = new ClusterRoleBuilder().withNewMetadata().withName(SYNC_ROLE).withLabels(labels).endMetadata()
                .addToRules(rule(MANAGED_GROUPS, List.of("*"), List.of("*")))
                .addToRules(rule(List.of(""), List.of("namespaces"), List.of("get", "list", "watch", "create", "update", "patch")))
                .build();
        var binding = new ClusterRoleBindingBuilder().withNewMetadata().withName(SYNC_ROLE).withLabels(labels)
                .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(SYNC_ROLE).endRoleRef().addNewSubject().withKind("ServiceAccount").withName("meshcd")
                .withNamespace(namespace).endSubject().build();
        // Its record (ConfigMap meshcd-sync-NAME) and its Lease live in meshcd's own namespace: nowhere else.
        var local = new RoleBuilder().withNewMetadata().withName(SYNC_ROLE).withNamespace(namespace).withLabels(labels)
                .endMetadata()
                .addToRules(rule(List.of(""), List.of("configmaps"), List.of("get", "list", "watch", "create", "update", "patch")))
                .addToRules(rule(List.of("coordination.k8s.io"), List.of("leases"), List.of("*")))
                .build();
        var localBinding = new RoleBindingBuilder().withNewMetadata().withName(SYNC_ROLE).withNamespace(namespace)
                .withLabels(labels).endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role").withName(SYNC_ROLE).endRoleRef().addNewSubject().withKind("ServiceAccount")
                .withName("meshcd").withNamespace(namespace).endSubject().build();
        return List.of(role, binding, local, localBinding);
    }

    private static PolicyRule rule(List<String> groups, List<String> resources, List<String> verbs) {
        return new PolicyRuleBuilder().withApiGroups(groups).withResources(resources).withVerbs(verbs).build();
    }

    private static HasMetadata deployment(Options o, Map<String, String> labels) {
        Map<String, String> selector = Map.of("app.kubernetes.io/name", "meshcd");
        return new DeploymentBuilder().withNewMetadata().withName("meshcd").withNamespace(o.namespace()).withLabels(labels)
                .endMetadata().withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels)
                .addToLabels("sidecar.istio.io/inject", "false").endMetadata()
                .withNewSpec().withServiceAccountName("meshcd")
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withNewAffinity().withNewPodAntiAffinity().addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100).withNewPodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().withMatchLabels(selector).endLabelSelector().endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity()
                .addNewContainer().withName("meshcd").withImage(o.image())
                .withArgs(args(o))
                .withEnv(env(o)).withVolumeMounts(o.sync() == null ? List.of()
                        : List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("git-cache")
                                .withMountPath(CACHE_DIR).build()))
                .addNewPort().withName("https-webhook").withContainerPort(8443).withProtocol("TCP").endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString(8443))
                .withScheme("HTTPS").endHttpGet().withPeriodSeconds(5).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString(8443))
                .withScheme("HTTPS").endHttpGet().withPeriodSeconds(10).endLivenessProbe()
                .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources()
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .endContainer()
                .withVolumes(o.sync() == null ? List.of() : List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                        .withName("git-cache").withNewEmptyDir().endEmptyDir().build()))
                .endSpec().endTemplate().endSpec().build();
    }

    private static List<String> args(Options o) {
        List<String> args = new ArrayList<>(List.of("run", "--port=8443", "--tls-secret=" + o.namespace() + "/" + TLS_SECRET,
                "--service=" + SERVICE + "." + o.namespace()));
        if (!o.revision().equals("default")) {
            args.add("--revision=" + o.revision());
        }
        if (!o.istioNamespace().equals("istio-system")) {
            args.add("--istio-namespace=" + o.istioNamespace());
        }
        Sync s = o.sync();
        if (s != null) {
            // every replica serves the webhooks; the one holding the Lease syncs, as this service account, which
            // is the identity the ownership guard lets change Git-managed objects
            args.addAll(List.of("--repo=" + s.repo(), "--branch=" + s.branch(), "--name=" + s.name(),
                    "--leader-elect", "--state-namespace=" + o.namespace(), "--cache-dir=" + CACHE_DIR + "/" + s.name(),
                    "--sync-identity=" + o.serviceAccountUser()));
            if (s.path() != null && !s.path().isEmpty()) {
                args.add("--path=" + s.path());
            }
        }
        return args;
    }

    private static List<io.fabric8.kubernetes.api.model.EnvVar> env(Options o) {
        if (o.sync() == null) {
            return List.of();
        }
        List<io.fabric8.kubernetes.api.model.EnvVar> env = new ArrayList<>();
        env.add(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("POD_NAME").withNewValueFrom()
                .withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build());
        if (o.sync().gitSecret() != null) {
            env.add(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("MESHCD_GIT_TOKEN").withNewValueFrom()
                    .withNewSecretKeyRef().withName(o.sync().gitSecret()).withKey("token").endSecretKeyRef()
                    .endValueFrom().build());
        }
        return env;
    }

    /** Multi-document YAML. */
    public static String yaml(List<HasMetadata> objects) {
        StringBuilder sb = new StringBuilder();
        for (HasMetadata h : objects) {
            String y = Serialization.asYaml(h);
            sb.append(y.startsWith("---") ? y : "---\n" + y);
        }
        return sb.toString();
    }

    /** Applies (creates or replaces) every object, in order. */
    public static void apply(KubernetesClient client, List<HasMetadata> objects) {
        apply(client, objects, false);
    }

    /**
     * Applies every object, in order ({@code dryRun}: server-side dry run). A PodDisruptionBudget goes in as
     * {@code policy/v1beta1} on servers older than 1.21, which do not serve {@code policy/v1}.
     */
    public static void apply(KubernetesClient client, List<HasMetadata> objects, boolean dryRun) {
        for (HasMetadata h : objects) {
            HasMetadata obj = h;
            if (h.getMetadata().getLabels() != null && h.getMetadata().getLabels().containsKey(NEEDS_ISTIO_NAMESPACE)
                    && client.namespaces().withName(h.getMetadata().getNamespace()).get() == null) {
                LOG.warn("{} {}/{} not applied: Istio's namespace {} does not exist (meshcd injects with its defaults "
                        + "until Istio is installed and `meshcd install` runs again)", h.getKind(),
                        h.getMetadata().getNamespace(), h.getMetadata().getName(), h.getMetadata().getNamespace());
                continue;
            }
            if (h instanceof io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget
                    && !client.supports("policy/v1", "PodDisruptionBudget")) {
                io.fabric8.kubernetes.api.model.GenericKubernetesResource old = Serialization.jsonMapper()
                        .convertValue(h, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
                old.setApiVersion("policy/v1beta1");
                obj = old;
            }
            client.resource(obj).dryRun(dryRun).createOr(existing -> existing.update());
        }
    }

    /**
     * The cluster's injecting webhook configurations (other than meshcd's) that select pods meshcd's would, for
     * the revision it serves: istiod's own for that revision ({@code istio.io/rev=REV}, no {@code istio.io/tag}), a
     * revision tag named like it, and for {@code default} the {@code default} tag (it answers
     * {@code istio-injection=enabled}). Configurations istioctl deactivated (every webhook selecting
     * {@code istio.io/deactivated}) do not count. Each entry says which and why.
     */
    public static List<String> conflictingInjectors(KubernetesClient client, Options o) {
        List<String> out = new ArrayList<>();
        String rev = o.revision();
        for (var m : client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems()) {
            String name = m.getMetadata().getName();
            Map<String, String> l = m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels();
            if (name.equals(MUTATING_NAME) || deactivated(m)) {
                continue;
            }
            String tag = l.get("istio.io/tag");
            String itsRev = l.getOrDefault("istio.io/rev", "");
            if (tag == null && rev.equals(itsRev.isEmpty() ? null : itsRev)) {
                out.add(name + " (istiod's injector for revision " + rev + ")");
            } else if (rev.equals(tag)) {
                out.add(name + " (revision tag " + tag + ", pointing at revision " + itsRev + ")");
            } else if (rev.equals("default") && "default".equals(tag)) {
                out.add(name + " (the default tag, pointing at revision " + itsRev
                        + ": it injects istio-injection=enabled namespaces)");
            }
        }
        return out;
    }

    private static boolean deactivated(io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration m) {
        return m.getWebhooks() != null && !m.getWebhooks().isEmpty() && m.getWebhooks().stream().allMatch(w ->
                java.util.stream.Stream.of(w.getNamespaceSelector(), w.getObjectSelector())
                        .filter(java.util.Objects::nonNull)
                        .anyMatch(sel -> sel.getMatchExpressions() != null && sel.getMatchExpressions().stream()
                                .anyMatch(e -> "istio.io/deactivated".equals(e.getKey()))));
    }

    /** Writes the CA into the caBundle of meshcd's webhook configurations (those that exist). */
    public static void patchCaBundle(KubernetesClient client, String caPem) {
        String b64 = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        var v = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VALIDATING_NAME);
        if (v.get() != null) {
            v.edit(c -> {
                c.getWebhooks().forEach(w -> {
                    w.getClientConfig().setCaBundle(b64);
                    w.setFailurePolicy("Fail"); // reachable now: from here on a request it cannot check is denied
                });
                return c;
            });
        }
        var m = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MUTATING_NAME);
        if (m.get() != null) {
            m.edit(c -> {
                c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(b64));
                return c;
            });
        }
    }

    /** The identity the sync loop runs as (allowed to change Git-managed objects). */
    public static String syncIdentity(Options o) {
        return o.namespace().equals("meshcd-system") ? OwnershipGuard.DEFAULT_SYNC_IDENTITY : o.serviceAccountUser();
    }
}
