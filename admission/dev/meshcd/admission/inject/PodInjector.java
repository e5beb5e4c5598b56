package dev.meshcd.admission.inject;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Sidecar injection as a pure function: a pod (and where it runs) in, the injected pod out.
 * The mutating webhook turns the difference into an RFC 6902 JSON Patch; {@code meshcd kube-inject}
 * applies it to manifests offline.
 */
public interface PodInjector {

    /**
     * @param pod             the Pod object as the API server sent it (not modified)
     * @param namespace       the pod's namespace
     * @param namespaceLabels labels of that namespace (injection is enabled per namespace)
     */
    Result inject(ObjectNode pod, String namespace, Map<String, String> namespaceLabels);

    /**
     * @param pod      the injected pod, or the input unchanged when {@code injected} is false
     * @param injected whether a sidecar was added
     * @param reason   why not, when not injected ("namespace not enabled", "hostNetwork pod", ...)
     * @param errors   problems with the pod's annotations that make injection refuse the pod (empty when fine)
     */
    record Result(ObjectNode pod, boolean injected, String reason, List<String> errors) {
        public boolean refused() {
            return !errors.isEmpty();
        }
    }
}
