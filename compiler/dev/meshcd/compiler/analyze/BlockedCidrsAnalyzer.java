package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * RequestAuthentications make istiod fetch JWKS URIs; without {@code BLOCKED_CIDRS_IN_JWKS_URIS} on istiod those
 * fetches may reach any address (IST0175 JwksUriFetchUnrestricted), as istio's authn.BlockedCIDRsAnalyzer checks it:
 * on every istiod Deployment (label {@code app: istiod}) none of whose containers sets the variable, when the snapshot
 * holds a RequestAuthentication. Like Istio, meshcd resolves no JWKS URI: the finding is about the missing setting.
 */
public final class BlockedCidrsAnalyzer extends SubjectAnalyzer {
    private static final String ENV = "BLOCKED_CIDRS_IN_JWKS_URIS";
    private static final int SHOWN = 5;

    public BlockedCidrsAnalyzer() {
        super(Kind.DEPLOYMENT);
    }

    @Override
    public String name() {
        return "authn.blockedcidrs";
    }

    @Override
    protected void check(MeshIndex index, Resource d, DiagnosticSink sink) {
        if (!"istiod".equals(d.labels().get("app"))) {
            return;
        }
        List<Resource> ras = index.ofKind(Kind.REQUEST_AUTHENTICATION);
        if (ras.isEmpty()) {
            return;
        }
        JsonNode containers = d.spec().path("template").path("spec").path("containers");
        for (JsonNode c : containers) {
            for (JsonNode e : c.path("env")) {
                if (e.path("name").asText("").equals(ENV) && !e.path("value").asText("").isEmpty()) {
                    return;
                }
            }
        }
        List<String> names = new ArrayList<>();
        ras.forEach(r -> names.add(r.key().namespacedName()));
        names.sort(null);
        String shown = names.size() <= SHOWN ? String.join(", ", names)
                : String.join(", ", names.subList(0, SHOWN)) + ", and " + (names.size() - SHOWN) + " more";
        Messages.report(sink, d, "IST0175", FieldPath.of("spec", "template", "spec", "containers"), names.size(), shown);
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.REQUEST_AUTHENTICATION);
    }

    /** istiod's finding names the RequestAuthentications: their keys matter, not their contents. */
    @Override
    public Object observed(Resource r) {
        return r.is(Kind.REQUEST_AUTHENTICATION) ? r.key() : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return afterIndex.ofKind(Kind.DEPLOYMENT).stream().filter(d -> "istiod".equals(d.labels().get("app")))
                .map(Resource::key).toList();
    }
}
