package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.Comparator;
import java.util.List;

/**
 * The effective PeerAuthentication mode of a workload port: a workload-selected policy (with its
 * portLevelMtls), else the namespace policy, else the mesh policy in the root namespace; UNSET
 * inherits from the next level up; the mesh default is PERMISSIVE.
 */
final class Mtls {
    enum Mode { STRICT, PERMISSIVE, DISABLE }

    record Effective(Resource workloadPolicy, Resource namespacePolicy, Resource meshPolicy) {
        Mode mode(int port) {
            if (workloadPolicy != null) {
                JsonNode pl = workloadPolicy.spec().path("portLevelMtls").path(String.valueOf(port));
                Mode m = parse(pl.path("mode").asText(""));
                if (m != null) {
                    return m;
                }
            }
            for (Resource r : new Resource[]{workloadPolicy, namespacePolicy, meshPolicy}) {
                if (r != null) {
                    Mode m = parse(r.spec().path("mtls").path("mode").asText(""));
                    if (m != null) {
                        return m;
                    }
                }
            }
            return Mode.PERMISSIVE;
        }

        /** The policy that decided the mode of a port (for provenance), or null for the default. */
        Resource source(int port) {
            if (workloadPolicy != null && parse(workloadPolicy.spec().path("portLevelMtls").path(String.valueOf(port))
                    .path("mode").asText("")) != null) {
                return workloadPolicy;
            }
            for (Resource r : new Resource[]{workloadPolicy, namespacePolicy, meshPolicy}) {
                if (r != null && parse(r.spec().path("mtls").path("mode").asText("")) != null) {
                    return r;
                }
            }
            return null;
        }
    }

    private Mtls() {
    }

    static Mode parse(String s) {
        return switch (s) {
            case "STRICT" -> Mode.STRICT;
            case "PERMISSIVE" -> Mode.PERMISSIVE;
            case "DISABLE" -> Mode.DISABLE;
            default -> null;
        };
    }

    static Effective of(MeshIndex index, Workload w) {
        List<Resource> pas = index.ofKind(Kind.PEER_AUTHENTICATION).stream()
                .sorted(Comparator.comparing(Resource::key)).toList();
        Resource wl = null;
        Resource ns = null;
        Resource mesh = null;
        for (Resource r : pas) {
            JsonNode sel = r.spec().path("selector").path("matchLabels");
            boolean hasSel = sel.isObject() && !sel.isEmpty();
            if (r.namespace().equals(w.namespace())) {
                if (hasSel && wl == null && w.matches(MeshIndex.stringMap(sel))) {
                    wl = r;
                } else if (!hasSel && ns == null) {
                    ns = r;
                }
            }
            if (r.namespace().equals(index.rootNamespace()) && !hasSel && mesh == null) {
                mesh = r;
            }
        }
        return new Effective(wl, ns, mesh);
    }
}
