package dev.meshcd.admission.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.inject.JsonPatches;
import dev.meshcd.admission.inject.PodInjector;
import java.util.List;
import java.util.Map;

/**
 * {@code /inject}: hands Pods to a {@link PodInjector} and answers with the JSON Patch from the original to
 * the injected pod ({@link JsonPatches#diff}). Namespace labels come from the snapshot, not from an API call.
 */
public final class InjectHandler implements AdmissionHandler {
    private final PodInjector injector;
    private final Snapshot snapshot;

    public InjectHandler(PodInjector injector, Snapshot snapshot) {
        this.injector = injector;
        this.snapshot = snapshot;
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest req) {
        if (!"Pod".equals(req.kind()) || !req.group().isEmpty() || !"CREATE".equals(req.operation())
                || !req.subResource().isEmpty()) {
            return AdmissionResponse.allow("not-handled");
        }
        ObjectNode pod = req.object();
        if (pod == null) {
            return AdmissionResponse.deny(400, "undecodable", "meshcd cannot inject " + req.display() + ": no object");
        }
        String ns = req.namespace();
        Map<String, String> labels = snapshot.namespaceLabels(ns);
        // injectors leave their input alone (PodInjector's contract), so the request's pod is the diff's base
        PodInjector.Result result = injector.inject(pod, ns, labels);
        if (result.refused()) {
            return AdmissionResponse.deny(400, "injection-refused", "meshcd cannot inject a sidecar into "
                    + req.display() + ": " + String.join("; ", result.errors()));
        }
        if (!result.injected()) {
            return AdmissionResponse.allow("not-injected: " + result.reason());
        }
        return AdmissionResponse.patch("injected", JsonPatches.diffAsJson(pod, result.pod()), List.of());
    }
}
