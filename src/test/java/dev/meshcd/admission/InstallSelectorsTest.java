package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.install.InstallManifests;
import dev.meshcd.admission.inject.InjectionSettings;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.Revisions;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code meshcd install --revision REV}'s injecting webhook sends meshcd exactly the pods its injector takes as
 * that revision's ({@link Revisions}, istiod's chart selectors): every combination of the namespace's and the pod's
 * injection labels, the webhook's label selectors evaluated as the API server does.
 */
class InstallSelectorsTest {
    static final List<Map<String, String>> NAMESPACES = List.of(Map.of(), Map.of("istio-injection", "enabled"),
            Map.of("istio-injection", "disabled"), Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "canary"),
            Map.of("istio.io/rev", "other"), Map.of("istio-injection", "enabled", "istio.io/rev", "canary"));
    static final List<Map<String, String>> PODS = List.of(Map.of(), Map.of("sidecar.istio.io/inject", "true"),
            Map.of("sidecar.istio.io/inject", "false"), Map.of("sidecar.istio.io/inject", "yes"),
            Map.of("istio.io/rev", "default"), Map.of("istio.io/rev", "canary"),
            Map.of("istio.io/rev", "canary", "sidecar.istio.io/inject", "true"),
            Map.of("istio.io/rev", "canary", "sidecar.istio.io/inject", "false"));

    @ParameterizedTest(name = "revision {0}")
    @ValueSource(strings = {"default", "canary"})
    void theWebhookSelectsExactlyThePodsTheInjectorTakes(String revision) {
        MutatingWebhookConfiguration m = InstallManifests.render(InstallManifests.Options.defaults()
                .withRevision(revision, "istio-system")).stream().filter(MutatingWebhookConfiguration.class::isInstance)
                .map(MutatingWebhookConfiguration.class::cast).findFirst().orElseThrow();
        InjectionSettings d = InjectionSettings.defaults();
        IstioSidecarInjector injector = new IstioSidecarInjector(d.withMesh(d.mesh().toBuilder().revision(revision)
                .build()), Revisions.of(revision));
        List<String> disagreements = new ArrayList<>();
        int selected = 0;
        for (Map<String, String> ns : NAMESPACES) {
            for (Map<String, String> podLabels : PODS) {
                Map<String, String> nsWithName = new LinkedHashMap<>(ns);
                nsWithName.put("kubernetes.io/metadata.name", "shop");
                boolean sent = m.getWebhooks().stream().anyMatch(w -> matches(w.getNamespaceSelector(), nsWithName)
                        && matches(w.getObjectSelector(), podLabels));
                boolean injected = injector.inject(pod(podLabels), "shop", ns).injected();
                selected += sent ? 1 : 0;
                if (sent != injected) {
                    disagreements.add("ns " + ns + " pod " + podLabels + ": webhook " + sent + ", injector " + injected);
                }
                // the system namespaces never reach meshcd, whatever their labels
                Map<String, String> system = new LinkedHashMap<>(ns);
                system.put("kubernetes.io/metadata.name", "kube-system");
                assertThat(m.getWebhooks()).noneMatch(w -> matches(w.getNamespaceSelector(), system)
                        && matches(w.getObjectSelector(), podLabels));
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(selected).isPositive();
        assertThat(m.getMetadata().getLabels()).containsEntry(InstallManifests.REVISION_LABEL, revision);
        if (!revision.equals("default")) {
            assertThat(m.getWebhooks()).extracting(MutatingWebhook::getName)
                    .containsExactly("rev.namespace.injection.meshcd.dev", "rev.object.injection.meshcd.dev");
        }
    }

    static ObjectNode pod(Map<String, String> labels) {
        ObjectNode pod = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode l = pod.putObject("metadata").put("name", "p").putObject("labels");
        labels.forEach(l::put);
        pod.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", "app");
        return pod;
    }

    /** Kubernetes' label selector semantics (matchLabels and In, NotIn, Exists, DoesNotExist). */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (selector.getMatchExpressions() == null) {
            return true;
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
            String v = labels.get(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> v != null && r.getValues().contains(v);
                case "NotIn" -> v == null || !r.getValues().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new IllegalArgumentException(r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
