package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * Should this pod get a sidecar? Istio splits the answer between the MutatingWebhookConfiguration's
 * selectors ({@link Revisions}) and the injector's {@code injectRequired}; both are asked here:
 * <ol>
 *   <li>hostNetwork pods, pods in system namespaces and pods that already carry
 *       {@code sidecar.istio.io/status} are never injected;</li>
 *   <li>namespace selection (webhook only): {@code istio-injection=enabled} selects the default revision,
 *       {@code istio.io/rev=<rev>} selects a revision (the label {@code istio-injection} wins when both are set);
 *       in an unlabelled namespace the pod itself may select: label {@code istio.io/rev=<rev>}, or label
 *       {@code sidecar.istio.io/inject=true} for the default revision; a pod label
 *       {@code sidecar.istio.io/inject=false} opts out;</li>
 *   <li>the pod's opt-in/out: label {@code sidecar.istio.io/inject} (preferred) or the annotation of the same name;
 *       {@code y|yes|true|on} (any case) opt in, any other non-empty value opts out, absent follows the
 *       global policy ({@code autoInject}: enabled → inject, disabled → only explicit opt-ins).</li>
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
        return podChoice(settings, pod);
    }

    /** kube-inject's decision: no namespace selection, policy "enabled". */
    public static Decision forManual(InjectionSettings settings, JsonNode pod) {
        Decision basic = basics(settings, pod, pod.path("metadata").path("namespace").asText(""));
        return basic != null ? basic : podChoice(settings, pod);
    }

    private static Decision basics(InjectionSettings settings, JsonNode pod, String namespace) {
        if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
            return Decision.no("hostNetwork pod");
        }
        if (namespace != null && settings.policy().ignoredNamespaces().contains(namespace)) {
            return Decision.no("system namespace " + namespace);
        }
        if (pod.path("metadata").path("annotations").has(SidecarMetadata.STATUS)) {
            return Decision.no("already injected (has " + SidecarMetadata.STATUS + ")");
        }
        return null;
    }

    /** Istio's injectRequired for the pod's own label/annotation under the global policy. */
    private static Decision podChoice(InjectionSettings settings, JsonNode pod) {
        JsonNode meta = pod.path("metadata");
        String selector = meta.path("annotations").path(INJECT).asText("");
        String source = "annotation";
        if (meta.path("labels").has(INJECT)) {
            selector = meta.path("labels").path(INJECT).asText("");
            source = "label";
        }
        String value = selector.toLowerCase(Locale.ROOT);
        boolean useDefault = value.isEmpty();
        boolean inject = switch (value) {
            case "y", "yes", "true", "on" -> true;
            default -> false;
        };
        if (useDefault) {
            return settings.policy().autoInject() ? Decision.yes()
                    : Decision.no("injection policy is disabled and the pod does not opt in");
        }
        return inject ? Decision.yes() : Decision.no("pod " + source + " " + INJECT + "=" + selector);
    }
}
