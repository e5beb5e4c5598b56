package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.admission.cluster.InjectorConfigWatch;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.tls.CertStore;
import dev.meshcd.cli.Main;
import dev.meshcd.testing.Await;
import dev.meshcd.testing.LocalCluster;
import dev.meshcd.testing.LocalCluster.Kubectl;
import dev.meshcd.testing.LocalClusterExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Injection that follows the cluster's Istio installation, against the real API server: istiod's
 * {@code istio-sidecar-injector} and {@code istio} ConfigMaps as an Istio install renders them (istioctl manifest
 * generate from the chart, hub and tag pinned; the committed rendering in src/test/resources/inject/istio-rendered
 * when the oracle's istioctl is not installed), created, changed and broken while meshcd serves; pods created with
 * kubectl through meshcd's webhook.
 */
@Tag("cluster")
@ExtendWith(LocalClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InjectionFollowsClusterTest {
    static final String ISTIO_NS = "istio-system";
    static final String INJECTED_NS = "injcluster-enabled";
    static final String CANARY_NS = "injcluster-canary";
    /** Only this test's namespaces reach its webhook (other test classes label namespaces for injection too). */
    static final String SCOPE_LABEL = "meshcd.dev/injcluster-e2e";
    static final String HOOK_NAME = "meshcd-injection-injcluster-e2e";
    static final String HUB = "docker.io/istio";
    static final ObjectMapper JSON = new ObjectMapper();

    LocalCluster cluster;
    KubernetesClient client;
    AdmissionRuntime runtime;
    InjectorConfigWatch watch;
    HttpClient http;
    boolean createdIstioNamespace;

    @TempDir
    Path tmp;

    @BeforeAll
    void start(LocalCluster cluster) throws Exception {
        this.cluster = cluster;
        this.client = cluster.client();
        if (client.namespaces().withName(ISTIO_NS).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ISTIO_NS).endMetadata()
                    .build()).create();
            createdIstioNamespace = true;
        }
        namespace(INJECTED_NS, Map.of("istio-injection", "enabled", SCOPE_LABEL, "true"));
        namespace(CANARY_NS, Map.of("istio.io/rev", "canary", SCOPE_LABEL, "true"));
        // Kubernetes 1.20 here: regular sidecars (a native one would be an init container that never ends)
        watch = new InjectorConfigWatch(client, new InjectorConfigWatch.Options(ISTIO_NS, "default", null,
                s -> s.withNativeSidecars(false)));
        runtime = new AdmissionRuntime(AdmissionRuntime.Config.builder().listen("127.0.0.1", 0)
                .certificates(CertStore.memory(), List.of("localhost", "127.0.0.1")).client(client)
                .compiler(TestValidators::compiler).injectorConfig(watch).build()).start();
        http = Reviews.client(runtime.certificates().current().ca().cert());
        // meshcd's injecting webhook as `meshcd install --revision default` renders it, limited to this test's namespaces
        MutatingWebhookConfiguration hook = InstallManifests.render(InstallManifests.Options.defaults()
                        .withWebhookUrl("https://127.0.0.1:" + runtime.port())
                        .withCaBundle(runtime.certificates().current().ca().certPem())).stream()
                .filter(MutatingWebhookConfiguration.class::isInstance).map(MutatingWebhookConfiguration.class::cast)
                .findFirst().orElseThrow();
        hook = new MutatingWebhookConfigurationBuilder(hook).editMetadata().withName(HOOK_NAME).endMetadata().build();
        hook.getWebhooks().forEach(w -> w.getNamespaceSelector().getMatchExpressions().add(
                new LabelSelectorRequirementBuilder().withKey(SCOPE_LABEL).withOperator("Exists").build()));
        client.resource(hook).createOr(existing -> existing.update());
        Await.until(Duration.ofSeconds(60), "meshcd ready", () ->
                Reviews.get(http, runtime.port(), "/readyz").statusCode() == 200
                        && runtime.snapshot().namespaceLabels(INJECTED_NS).containsKey("istio-injection"));
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(HOOK_NAME).delete();
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("istio-sidecar-injector")
                    .delete();
            // later tests (meshcd up) would read them
            client.configMaps().inNamespace(ISTIO_NS).withName("istio-sidecar-injector").delete();
            client.configMaps().inNamespace(ISTIO_NS).withName("istio").delete();
            client.namespaces().withName(INJECTED_NS).delete();
            client.namespaces().withName(CANARY_NS).delete();
            if (createdIstioNamespace) {
                client.namespaces().withName(ISTIO_NS).delete();
            }
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    void namespace(String name, Map<String, String> labels) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).createOr(existing -> existing.update());
    }

    @Test
    void podsFollowTheConfigMapsAsTheyAreCreatedChangedAndBroken() throws Exception {
        // before Istio's ConfigMaps exist: meshcd's defaults, and /readyz says so
        String readyz = Reviews.get(http, runtime.port(), "/readyz").body();
        assertThat(readyz).contains("no ConfigMap istio-system/istio-sidecar-injector: values and config from "
                + "meshcd's defaults");

        Map<String, String> rendered = renderedConfigMaps("1.28.0", "istiod-e2e.istio-system.svc:15012");
        apply(rendered, "1");
        Pod first = createPod(INJECTED_NS, "first");
        Container proxy = proxy(first);
        assertThat(proxy.getImage()).isEqualTo(HUB + "/proxyv2:1.28.0");
        assertThat(env(proxy, "PROXY_CONFIG")).contains("\"discoveryAddress\":\"istiod-e2e.istio-system.svc:15012\"")
                .contains("\"E2E_STEP\":\"1\"");
        assertThat(first.getSpec().getInitContainers()).extracting(Container::getImage)
                .containsExactly(HUB + "/proxyv2:1.28.0");
        assertThat(Reviews.get(http, runtime.port(), "/readyz").body()).isEqualTo("ok");

        // a new tag and discovery address: the next pod has them, without a restart
        apply(renderedConfigMaps("1.28.1", "istiod-e2e-2.istio-system.svc:15012"), "2");
        Pod second = createPod(INJECTED_NS, "second");
        assertThat(proxy(second).getImage()).isEqualTo(HUB + "/proxyv2:1.28.1");
        assertThat(env(proxy(second), "PROXY_CONFIG"))
                .contains("\"discoveryAddress\":\"istiod-e2e-2.istio-system.svc:15012\"").contains("\"E2E_STEP\":\"2\"");

        // another revision's namespace is left alone: the pod is created unchanged
        Pod canary = createPod(CANARY_NS, "canary");
        assertThat(canary.getSpec().getContainers()).extracting(Container::getName).containsExactly("app");
        assertThat(canary.getMetadata().getAnnotations() == null ? Map.of() : canary.getMetadata().getAnnotations())
                .doesNotContainKey("sidecar.istio.io/status");

        // offline, from the same ConfigMaps: kube-inject --kubeconfig injects what the webhook does
        Path deploy = Files.writeString(tmp.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: offline, namespace: default}
                spec:
                  containers: [{name: app, image: example.invalid/app:1}]
                """);
        Path out = tmp.resolve("injected.yaml");
        Path kubeconfig = cluster.kubeconfig();
        assertThat(runCli("kube-inject", "-f", deploy.toString(), "-o", out.toString(), "--kubeconfig",
                kubeconfig.toString(), "--no-native-sidecars")).isZero();
        assertThat(Files.readString(out)).contains("image: " + HUB + "/proxyv2:1.28.1")
                .contains("istiod-e2e-2.istio-system.svc:15012");

        // a mesh config that does not parse: the last good settings stay, /readyz and /metrics name it
        client.configMaps().inNamespace(ISTIO_NS).withName("istio").edit(cm -> {
            cm.getData().put("mesh", "defaultConfig:\n  statusPort: high\n");
            return cm;
        });
        Await.until(Duration.ofSeconds(30), "the broken ConfigMap noticed", () -> watch.status().problem() != null);
        var ready = Reviews.get(http, runtime.port(), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("istio-system/istio[mesh]:2:3: defaultConfig.statusPort: expected an integer,"
                + " found a string; serving the last good settings");
        assertThat(Reviews.get(http, runtime.port(), "/metrics").body())
                .contains("meshcd_injection_config_rejected_total{configmap=\"istio\"} 1.0");
        Pod third = createPod(INJECTED_NS, "third");
        assertThat(proxy(third).getImage()).isEqualTo(HUB + "/proxyv2:1.28.1");
        assertThat(env(proxy(third), "PROXY_CONFIG")).contains("istiod-e2e-2.istio-system.svc:15012");
    }

    @Test
    void withoutTheRbacToReadThemMeshcdServesTheFallbackAndSaysWhy() {
        // an install from before meshcd read the ConfigMaps: its service account may not list them
        try (KubernetesClient nobody = cluster.client(c -> c.setImpersonateUsername("injcluster-nobody"));
             InjectorConfigWatch w = new InjectorConfigWatch(nobody, new InjectorConfigWatch.Options(ISTIO_NS,
                     "default", null, null))) {
            w.start();
            Await.until(Duration.ofSeconds(60), "the watch gives up on what it may not read", w::synced);
            assertThat(w.note()).hasValueSatisfying(n -> assertThat(n).startsWith(
                    "injection settings: not allowed to read ConfigMaps in istio-system, no ConfigMap"));
            assertThat(w.injector().settings().images().hub()).isEqualTo("registry.istio.io/testing");
        }
    }

    @Test
    void installRefusesWhileIstiodsInjectorServesTheSameRevision() throws Exception {
        // istiod's webhook configuration for the default revision (selecting nothing here: it points nowhere)
        client.resource(new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("istio-sidecar-injector")
                .withLabels(Map.of("istio.io/rev", "default", "app", "sidecar-injector")).endMetadata()
                .addNewWebhook().withName("rev.namespace.sidecar-injector.istio.io").withNewClientConfig()
                .withUrl("https://127.0.0.1:1/inject").endClientConfig().addNewRule().withApiGroups("")
                .withApiVersions("v1").withResources("pods").withOperations("CREATE").endRule()
                .withNewNamespaceSelector().addToMatchLabels("meshcd.dev/never", "true").endNamespaceSelector()
                .withFailurePolicy("Ignore").withSideEffects("None").withAdmissionReviewVersions("v1").endWebhook()
                .build()).createOr(existing -> existing.update());
        try {
            List<String> conflicts = InstallManifests.conflictingInjectors(client, InstallManifests.Options.defaults());
            assertThat(conflicts).containsExactly("istio-sidecar-injector (istiod's injector for revision default)");
            assertThat(InstallManifests.conflictingInjectors(client, InstallManifests.Options.defaults()
                    .withRevision("canary", ISTIO_NS))).isEmpty();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = runCli(err, "install", "--apply", "--kubeconfig", cluster.kubeconfig().toString(),
                    "--webhook-url", "https://127.0.0.1:1");
            assertThat(exit).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("istio-sidecar-injector (istiod's injector for "
                    + "revision default)").contains("Two injectors must not inject the same pod");
            assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(InstallManifests.MUTATING_NAME).get()).as("nothing applied").isNull();
        } finally {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("istio-sidecar-injector")
                    .delete();
        }
    }

    /**
     * The two ConfigMaps' data as {@code istioctl manifest generate} renders them for an install with this tag,
     * discovery address and a proxyMetadata marker ({@code E2E_STEP}), keyed "values", "config", "mesh".
     */
    Map<String, String> renderedConfigMaps(String tag, String discoveryAddress) throws Exception {
        Path bin = istioctl();
        String step = tag.endsWith(".0") ? "1" : "2";
        if (bin != null) {
            List<String> args = new ArrayList<>(List.of(bin.toString(), "manifest", "generate", "--set",
                    "profile=empty", "--set", "components.pilot.enabled=true", "--set", "hub=" + HUB, "--set",
                    "tag=" + tag, "--set", "meshConfig.defaultConfig.discoveryAddress=" + discoveryAddress, "--set",
                    "meshConfig.defaultConfig.proxyMetadata.E2E_STEP=" + step));
            Process p = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("istioctl manifest generate").isZero();
            Map<String, String> data = new java.util.HashMap<>();
            try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc == null || !"ConfigMap".equals(doc.path("kind").asText())) {
                        continue;
                    }
                    String name = doc.path("metadata").path("name").asText();
                    if (name.equals("istio-sidecar-injector")) {
                        data.put("values", doc.path("data").path("values").asText());
                        data.put("config", doc.path("data").path("config").asText());
                    } else if (name.equals("istio")) {
                        data.put("mesh", doc.path("data").path("mesh").asText());
                    }
                }
            }
            assertThat(data).containsOnlyKeys("values", "config", "mesh");
            return data;
        }
        // the committed rendering of the same chart, with the same settings written in
        Path dir = Path.of("src/test/resources/inject/istio-rendered");
        ObjectNode values = (ObjectNode) JSON.readTree(Files.readString(dir.resolve("values.json")));
        values.with("global").put("hub", HUB).put("tag", tag);
        YAMLMapper yaml = new YAMLMapper();
        ObjectNode mesh = (ObjectNode) yaml.readTree(Files.readString(dir.resolve("mesh.yaml")));
        mesh.with("defaultConfig").put("discoveryAddress", discoveryAddress).with("proxyMetadata").put("E2E_STEP", step);
        return Map.of("values", JSON.writeValueAsString(values), "config", Files.readString(dir.resolve("config.yaml")),
                "mesh", yaml.writeValueAsString(mesh));
    }

    static Path istioctl() throws Exception {
        Process p = new ProcessBuilder(Path.of("scripts", "istio-oracle.sh").toAbsolutePath().toString(), "bin-dir")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor() == 0 && !out.isEmpty() ? Path.of(out, "istioctl") : null;
    }

    /** Creates or replaces both ConfigMaps and waits until meshcd injects with them (the tag in the values). */
    void apply(Map<String, String> data, String step) {
        ConfigMap injector = new ConfigMapBuilder().withNewMetadata().withName("istio-sidecar-injector")
                .withNamespace(ISTIO_NS).endMetadata()
                .withData(Map.of("values", data.get("values"), "config", data.get("config"))).build();
        ConfigMap mesh = new ConfigMapBuilder().withNewMetadata().withName("istio").withNamespace(ISTIO_NS)
                .endMetadata().withData(Map.of("mesh", data.get("mesh"))).build();
        client.resource(mesh).createOr(existing -> existing.update());
        client.resource(injector).createOr(existing -> existing.update());
        Await.until(Duration.ofSeconds(30), "meshcd follows step " + step, () -> watch.status().problem() == null
                && String.valueOf(watch.injector().settings().mesh().proxyConfig().get("proxyMetadata"))
                .contains("E2E_STEP=" + step)
                && watch.injector().settings().images().tag().equals(step.equals("1") ? "1.28.0" : "1.28.1"));
    }

    Pod createPod(String namespace, String name) {
        Kubectl.Result r = cluster.kubectl("""
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: %s}
                spec:
                  serviceAccountName: default
                  containers:
                  - {name: app, image: example.invalid/app:1}
                """.formatted(name, namespace), "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    static Container proxy(Pod pod) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals("istio-proxy")).findFirst()
                .orElseThrow(() -> new AssertionError("no istio-proxy in " + pod.getSpec().getContainers()));
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(e -> e.getValue()).findFirst().orElse("");
    }

    static int runCli(String... args) {
        return runCli(new ByteArrayOutputStream(), args);
    }

    static synchronized int runCli(ByteArrayOutputStream err, String... args) {
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(oldErr);
        }
    }
}
