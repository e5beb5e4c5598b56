package dev.meshcd.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.inject.PodInjector;
import java.util.List;
import java.util.Map;

/**
 * A trivial stand-in for the real sidecar injector: adds an {@code istio-proxy} container and a status
 * annotation to every pod it is given; refuses pods annotated {@code test.meshcd.dev/refuse}. It ignores
 * the opt-out label on purpose, so tests see that the webhook's objectSelector does that job.
 */
public final class TestInjector implements PodInjector {
    @Override
    public Result inject(ObjectNode pod, String namespace, Map<String, String> namespaceLabels) {
        String refuse = pod.path("metadata").path("annotations").path("test.meshcd.dev/refuse").asText(null);
        if (refuse != null) {
            return new Result(pod, false, "refused", List.of("bad annotation: " + refuse));
        }
        if (!"enabled".equals(namespaceLabels.get("istio-injection")) && !namespaceLabels.containsKey("istio.io/rev")) {
            return new Result(pod, false, "namespace not enabled", List.of());
        }
        ObjectNode out = pod.deepCopy();
        out.withObject("metadata").withObject("annotations").put("sidecar.istio.io/status", "{\"containers\":[\"istio-proxy\"]}");
        ArrayNode containers = out.withObject("spec").withArray("containers");
        ObjectNode proxy = containers.addObject();
        proxy.put("name", "istio-proxy");
        proxy.put("image", "example.invalid/proxyv2:test");
        proxy.putArray("args").add("proxy").add("sidecar");
        return new Result(out, true, "", List.of());
    }
}
