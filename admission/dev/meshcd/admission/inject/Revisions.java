package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which pods are this injector's, by revision: what the MutatingWebhookConfigurations of istiod's chart select for
 * the revision it serves ({@code istio-sidecar-injector[-REV]}) and for the revision tags pointing at it
 * ({@code istio-revision-tag-TAG}, labelled {@code istio.io/tag}), evaluated here as the API server would. Istio's
 * injector leaves this to those selectors; meshcd evaluates them again, so that a broader webhook configuration (or
 * one left over) never makes it inject another revision's pods.
 *
 * <p>The chart's webhooks (namespace preference), for each name N of the revision (itself and its tags):
 * <ul>
 *   <li>{@code rev.namespace}: the namespace has {@code istio.io/rev=N} and no {@code istio-injection};</li>
 *   <li>{@code rev.object}: the namespace has neither label, the pod has {@code istio.io/rev=N};</li>
 * </ul>
 * and for the default revision (revision {@code default} while no {@code default} tag points elsewhere, or the
 * revision the {@code default} tag points at):
 * <ul>
 *   <li>{@code namespace}: the namespace has {@code istio-injection=enabled};</li>
 *   <li>{@code object}: the namespace has neither label, the pod has {@code sidecar.istio.io/inject=true} and no
 *       {@code istio.io/rev};</li>
 *   <li>{@code auto} (with {@code enableNamespacesByDefault}): neither the namespace nor the pod has either label.</li>
 * </ul>
 * Every one of them also needs the pod label {@code sidecar.istio.io/inject} not to be {@code false}.
 *
 * <p>A {@code default} tag pointing at another revision takes over everything the revision {@code default} answered
 * ({@code istioctl tag set default} deactivates that revision's own webhooks).
 *
 * @param served  the revision this injector serves
 * @param names   the {@code istio.io/rev} values that select it: the revision (unless a {@code default} tag took
 *                its name over) and the tags pointing at it
 * @param legacy  whether this is the default revision (answers {@code istio-injection=enabled} and
 *                {@code sidecar.istio.io/inject=true})
 */
public record Revisions(String served, Set<String> names, boolean legacy) {
    static final String REV = "istio.io/rev";
    static final String INJECTION = "istio-injection";

    public Revisions {
        served = served == null || served.isEmpty() ? "default" : served;
        names = java.util.Collections.unmodifiableSet(new TreeSet<>(names));
    }

    /** The revision alone, without tags: istiod's own webhook configuration. */
    public static Revisions of(String served) {
        return of(served, Map.of());
    }

    /**
     * The revision with the cluster's tags ({@code tag → revision}, from the {@code istio.io/tag} and
     * {@code istio.io/rev} labels of their webhook configurations).
     */
    public static Revisions of(String served, Map<String, String> tagToRevision) {
        String s = served == null || served.isEmpty() ? "default" : served;
        Set<String> names = new TreeSet<>();
        tagToRevision.forEach((tag, rev) -> {
            if (s.equals(rev == null || rev.isEmpty() ? "default" : rev)) {
                names.add(tag);
            }
        });
        String defaultTag = tagToRevision.get("default");
        boolean displaced = s.equals("default") && defaultTag != null && !names.contains("default");
        if (!displaced) {
            names.add(s);
        }
        return new Revisions(s, names, names.contains("default"));
    }

    /** The tags pointing at the served revision. */
    public Set<String> tags() {
        Set<String> tags = new TreeSet<>(names);
        tags.remove(served);
        return tags;
    }

    /** Whether {@code name} (an {@code istio.io/rev} value) selects this revision. */
    public boolean names(String name) {
        return names.contains(name);
    }

    /** Null when one of the revision's webhooks selects the pod, else why none does. */
    InjectionPolicy.Decision select(JsonNode pod, String namespace, Map<String, String> nsLabels,
                                    boolean enableNamespacesByDefault) {
        JsonNode labels = pod.path("metadata").path("labels");
        String podInject = labels.path(InjectionPolicy.INJECT).asText(null);
        String podRev = labels.path(REV).asText(null);
        String nsInjection = nsLabels.get(INJECTION);
        String nsRev = nsLabels.get(REV);
        boolean optedOut = "false".equals(podInject);
        boolean unlabelled = nsInjection == null && nsRev == null;
        boolean selected = !optedOut && (
                nsRev != null && nsInjection == null && names(nsRev)
                        || unlabelled && podRev != null && names(podRev)
                        || legacy && "enabled".equals(nsInjection)
                        || legacy && unlabelled && "true".equals(podInject) && podRev == null
                        || legacy && enableNamespacesByDefault && unlabelled && podInject == null && podRev == null);
        if (selected) {
            return null;
        }
        return InjectionPolicy.Decision.no(whyNot(namespace, podInject, podRev, nsInjection, nsRev));
    }

    private String whyNot(String namespace, String podInject, String podRev, String nsInjection, String nsRev) {
        if (nsInjection != null && !nsInjection.equals("enabled")) {
            return "namespace " + namespace + " has " + INJECTION + "=" + nsInjection;
        }
        if ("false".equals(podInject)) {
            return "pod label " + InjectionPolicy.INJECT + "=false";
        }
        if (nsInjection != null) {
            return "namespace " + namespace + " selects the default revision (" + INJECTION + "=enabled), " + serving();
        }
        if (nsRev != null) {
            return "namespace " + namespace + " selects revision " + nsRev + ", " + serving();
        }
        if (podRev != null) {
            return "pod selects revision " + podRev + ", " + serving();
        }
        if ("true".equals(podInject)) {
            return "pod opts in to the default revision (" + InjectionPolicy.INJECT + "=true), " + serving();
        }
        return "namespace " + namespace + " is not enabled for injection (label it " + REV + "=" + served
                + (legacy ? " or " + INJECTION + "=enabled" : "") + ")";
    }

    private String serving() {
        Set<String> tags = tags();
        return "this injector serves revision " + served + (tags.isEmpty() ? "" : " (tags " + String.join(", ", tags)
                + ")") + (names.contains(served) ? "" : ", whose name the default tag took over");
    }
}
