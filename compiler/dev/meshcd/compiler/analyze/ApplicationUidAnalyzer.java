package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Set;

/**
 * Application containers running as UID 1337, which the sidecar proxy owns (IST0144 InvalidApplicationUID), as
 * istio's deployment.ApplicationUIDAnalyzer checks Pods and Deployments: the pod's {@code securityContext.runAsUser}
 * and each container's but {@code istio-proxy}'s and {@code istio-operator}'s. Istio's own workloads (an
 * {@code istio} label, or {@code release: istio}) are skipped.
 */
public final class ApplicationUidAnalyzer extends SubjectAnalyzer {
    private static final long PROXY_UID = 1337;
    private static final Set<String> ISTIO_CONTAINERS = Set.of(InMesh.PROXY, "istio-operator");

    public ApplicationUidAnalyzer() {
        super(Kind.POD, Kind.DEPLOYMENT);
    }

    @Override
    public String name() {
        return "deployment.applicationuid";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        if (r.labels().containsKey("istio") || "istio".equals(r.labels().get("release"))) {
            return;
        }
        FieldPath spec = r.is(Kind.POD) ? FieldPath.of("spec") : FieldPath.of("spec", "template", "spec");
        JsonNode pod = r.is(Kind.POD) ? r.spec() : r.spec().path("template").path("spec");
        if (pod.path("securityContext").path("runAsUser").asLong(-1) == PROXY_UID) {
            Messages.report(sink, r, "IST0144", spec.key("securityContext").key("runAsUser"));
        }
        JsonNode containers = pod.path("containers");
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.path(i);
            if (!ISTIO_CONTAINERS.contains(c.path("name").asText(""))
                    && c.path("securityContext").path("runAsUser").asLong(-1) == PROXY_UID) {
                Messages.report(sink, r, "IST0144",
                        spec.key("containers").index(i).key("securityContext").key("runAsUser"));
            }
        }
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
