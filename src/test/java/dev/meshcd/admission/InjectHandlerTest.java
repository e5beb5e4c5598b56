package dev.meshcd.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.inject.IstioSidecarInjector;
import dev.meshcd.admission.inject.JsonPatches;
import dev.meshcd.admission.inject.PodInjector;
import dev.meshcd.admission.webhook.AdmissionRequest;
import dev.meshcd.admission.webhook.AdmissionResponse;
import dev.meshcd.admission.webhook.AdmissionReviews;
import dev.meshcd.admission.webhook.InjectHandler;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /inject} with the real injector, without HTTP: the request's pod is left as it came, and the patch
 * (as it travels: bytes in the AdmissionReview, base64) turns it into what the injector makes of it.
 */
class InjectHandlerTest {
    static final Snapshot SNAPSHOT = Snapshot.of(List.of(), Map.of("shop", Map.of("istio-injection", "enabled")));
    final IstioSidecarInjector injector = new IstioSidecarInjector();
    final InjectHandler handler = new InjectHandler(injector, SNAPSHOT);

    static ObjectNode pod(String namespace, String... annotations) {
        ObjectNode pod = Reviews.yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  generateName: web-5d8f9c7b6-
                  labels: {app: web, pod-template-hash: 5d8f9c7b6}
                  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f9c7b6, controller: true}]
                spec:
                  serviceAccountName: web
                  initContainers: [{name: migrate, image: busybox}]
                  containers:
                  - name: web
                    image: nginx
                    ports: [{name: http, containerPort: 8080}]
                    readinessProbe: {httpGet: {path: /ready, port: http}}
                  volumes: [{name: cfg, configMap: {name: web}}]
                """);
        pod.withObject("metadata").put("namespace", namespace);
        for (int i = 0; i < annotations.length; i += 2) {
            pod.withObject("metadata").withObject("annotations").put(annotations[i], annotations[i + 1]);
        }
        return pod;
    }

    AdmissionResponse handle(ObjectNode pod) throws Exception {
        byte[] review = Reviews.review("CREATE", "system:serviceaccount:kube-system:replicaset-controller", pod, null,
                false);
        AdmissionRequest req = AdmissionReviews.parse(review);
        ObjectNode sent = req.object().deepCopy();
        AdmissionResponse resp = handler.handle(req);
        assertThat(req.object()).as("the request's pod is not modified").isEqualTo(sent);
        return resp;
    }

    @Test
    void thePatchTurnsTheSentPodIntoTheInjectedOne() throws Exception {
        for (String[] annotations : List.of(new String[0], new String[] {"sidecar.istio.io/nativeSidecar", "false"},
                new String[] {"sidecar.istio.io/proxyCPU", "1", "prometheus.io/port", "9090"},
                new String[] {"inject.istio.io/templates", "gateway"})) {
            ObjectNode pod = pod("shop", annotations);
            AdmissionResponse resp = handle(pod);
            assertThat(resp.allowed()).isTrue();
            assertThat(resp.reason()).isEqualTo("injected");
            byte[] wire = AdmissionReviews.write("u", resp);
            JsonNode response = Reviews.JSON.readTree(wire).path("response");
            assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
            JsonNode patch = Reviews.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
            for (JsonNode op : patch) {
                assertThat(op.path("op").asText()).isIn("add", "remove", "replace");
            }
            PodInjector.Result expected = new IstioSidecarInjector().inject(pod.deepCopy(), "shop",
                    Map.of("istio-injection", "enabled"));
            JsonNode injected = roundTrip(expected.pod());
            assertThat(roundTrip(JsonPatches.apply(patch, pod))).isEqualTo(injected);
            assertThat(roundTrip(JsonPatches.apply(JsonPatches.diff(pod, expected.pod()), pod))).isEqualTo(injected);
        }
    }

    /** numbers as they come out of JSON text */
    static JsonNode roundTrip(JsonNode n) throws Exception {
        return Reviews.JSON.readTree(Reviews.JSON.writeValueAsBytes(n));
    }

    @Test
    void notEnabledRefusedAndNotPods() throws Exception {
        AdmissionResponse plain = handle(pod("plain"));
        assertThat(plain.allowed()).isTrue();
        assertThat(plain.patch()).isNull();
        assertThat(plain.reason()).startsWith("not-injected: namespace plain is not enabled");

        AdmissionResponse refused = handle(pod("shop", "sidecar.istio.io/proxyMemory", "lots"));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.code()).isEqualTo(400);
        assertThat(refused.message()).contains("'sidecar.istio.io/proxyMemory': not a resource quantity");

        ObjectNode service = Reviews.yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{port: 80}]}
                """);
        AdmissionResponse other = handler.handle(AdmissionReviews.parse(
                Reviews.review("CREATE", "u", service, null, false)));
        assertThat(other.allowed()).isTrue();
        assertThat(other.reason()).isEqualTo("not-handled");
    }
}
