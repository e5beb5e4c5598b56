package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Should this pod get a sidecar? Istio splits the answer between the MutatingWebhookConfiguration's
 * selectors ({@link Revisions}) and the injector's {@code injectRequired}; both are asked here:
 * <ol>
 *   <li>hostNetwork pods and pods in system namespaces are never injected (a pod that already carries
 *       {@code sidecar.istio.io/status} is re-injected, as istiod does);</li>
 *   <li>namespace selection (webhook only): {@code istio-injection=enabled} selects the default revision,
 *       {@code istio.io/rev=<rev>} selects a revision (the label {@code istio-injection} wins when both are set);
 *       in an unlabelled namespace the pod itself may select: label {@code istio.io/rev=<rev>}, or label
 *       {@code sidecar.istio.io/inject=true} for the default revision; a pod label
 *       {@code sidecar.istio.io/inject=false} opts out;</li>
 *   <li>the pod's opt-in/out: label {@code sidecar.istio.io/inject} (preferred) or the annotation of the same name,
 *       {@code true} or {@code false}; otherwise the injector config's {@code neverInjectSelector}, then its
 *       {@code alwaysInjectSelector}, then the global policy ({@code autoInject}: enabled → inject, disabled → only
 *       opt-ins).</li>
 * </ol>
 * {@code kube-inject} skips step 2, as {@code istioctl kube-inject} does.
 */
public final class InjectionPolicy {
    static final String INJECT = "sidecar.istio.io/inject";

    /** @param inject whether to inject; @param reason why not (or "injected") */
    public record Decision(boolean inject, String reason) {
        static Decision yes() {
            return new Decision(true, "injected");
        }

        static Decision no(String reason) {
            return new Decision(false, reason);
        }
    }

    private InjectionPolicy() {
    }

    /** The webhook's decision for a pod in {@code namespace} labelled {@code namespaceLabels}. */
    public static Decision forWebhook(InjectionSettings settings, JsonNode pod, String namespace,
                                      Map<String, String> namespaceLabels) {
        return forWebhook(settings, Revisions.of(settings.revisionOrDefault()), pod, namespace, namespaceLabels);
    }

    /** Likewise, for an injector serving {@code revisions} (its revision and the tags pointing at it). */
    public static Decision forWebhook(InjectionSettings settings, Revisions revisions, JsonNode pod, String namespace,
                                      Map<String, String> namespaceLabels) {
        Decision basic = basics(settings, pod, namespace);
        if (basic != null) {
            return basic;
        }
        Decision ns = revisions.select(pod, namespace, namespaceLabels == null ? Map.of() : namespaceLabels,
                settings.policy().enableNamespacesByDefault());
        if (ns != null) {
            return ns;
        }
        return podChoice(settings, pod, false);
    }

    /**
     * kube-inject's decision: no namespace selection, and, as istioctl's kube-inject, policy "enabled" without the
     * config's inject selectors.
     */
    public static Decision forManual(InjectionSettings settings, JsonNode pod) {
        Decision basic = basics(settings, pod, pod.path("metadata").path("namespace").asText(""));
        return basic != null ? basic : podChoice(settings, pod, true);
    }

    private static Decision basics(InjectionSettings settings, JsonNode pod, String namespace) {
        if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
            return Decision.no("hostNetwork pod");
        }
        if (namespace != null && settings.policy().ignoredNamespaces().contains(namespace)) {
            return Decision.no("system namespace " + namespace);
        }
        return null;
    }

    /**
     * Istio's injectRequired: the pod's own label/annotation ({@code true} or {@code false}; another value is
     * ignored, as istiod ignores it with a warning), else the first {@code neverInjectSelector} its labels match
     * (no), else the first {@code alwaysInjectSelector} (yes), else the global policy.
     */
    private static Decision podChoice(InjectionSettings settings, JsonNode pod, boolean manual) {
        JsonNode meta = pod.path("metadata");
        String selector = meta.path("annotations").path(INJECT).asText("");
        String source = "annotation";
        if (meta.path("labels").has(INJECT)) {
            selector = meta.path("labels").path(INJECT).asText("");
            source = "label";
        }
        switch (selector) {
            case "true":
                return Decision.yes();
            case "false":
                return Decision.no("pod " + source + " " + INJECT + "=false");
            default:
                break; // "" or a value istiod ignores: the selectors and the policy decide
        }
        if (manual) {
            return Decision.yes();
        }
        InjectionSettings.Policy policy = settings.policy();
        Map<String, String> labels = policy.neverInjectSelector().isEmpty() && policy.alwaysInjectSelector().isEmpty()
                ? Map.of() : Json.stringMap(meta.path("labels")); // no copy per pod when there are no selectors
        for (LabelSelector never : policy.neverInjectSelector()) {
            if (never.matches(labels)) {
                return Decision.no("pod labels match the injector config's neverInjectSelector");
            }
        }
        for (LabelSelector always : policy.alwaysInjectSelector()) {
            if (always.matches(labels)) {
                return Decision.yes();
            }
        }
        return policy.autoInject() ? Decision.yes()
                : Decision.no("injection policy is disabled and the pod does not opt in");
    }
}
