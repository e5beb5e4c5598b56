package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Routing on JWT claims without a RequestAuthentication (Istio's virtualservice/jwtclaimroute.go, IST0149): a
 * VirtualService matching a header {@code @request.auth.claims.NAME} (or {@code @request.auth.claims[NAME]}) needs,
 * for every workload of each Gateway in its {@code spec.gateways}, a RequestAuthentication of istio-system or of
 * the workload's namespace whose selector matches it; without one no claims are available to route on.
 */
public final class JwtClaimRouteAnalyzer extends SubjectAnalyzer {
    static final String CLAIM_HEADER = "@request.auth.claims";

    public JwtClaimRouteAnalyzer() {
        super(Kind.VIRTUAL_SERVICE);
    }

    @Override
    public String name() {
        return "virtualservice.jwtclaimroute";
    }

    @Override
    protected void check(MeshIndex index, Resource vs, DiagnosticSink sink) {
        FieldPath at = claimHeader(vs);
        if (at == null) {
            return;
        }
        String key = String.valueOf(at.segment(at.size() - 1));
        for (JsonNode g : vs.spec().path("gateways")) {
            String name = g.asText("");
            if (name.isEmpty() || name.equals("mesh")) {
                continue;
            }
            int slash = name.indexOf('/');
            String gwNs = slash < 0 ? vs.namespace() : name.substring(0, slash);
            String gwName = slash < 0 ? name : name.substring(slash + 1);
            Resource gw = index.get(new ResourceKey(Kind.NETWORKING, "Gateway", gwNs, gwName)).orElse(null);
            if (gw == null) {
                continue;
            }
            for (Workload pod : index.workloadsMatchingAnywhere(MeshIndex.stringMap(gw.spec().path("selector")))) {
                if (!authenticated(index, pod)) {
                    Messages.report(sink, vs, "IST0149", at, key, gwNs + "/" + gwName, pod.name());
                }
            }
        }
    }

    /** Whether a RequestAuthentication of istio-system or of the pod's namespace selects the pod. */
    private static boolean authenticated(MeshIndex index, Workload pod) {
        for (Resource ra : index.ofKind(Kind.REQUEST_AUTHENTICATION)) {
            if ((ra.namespace().equals(InjectionAnalyzer.ISTIO_SYSTEM) || ra.namespace().equals(pod.namespace()))
                    && pod.matches(MeshIndex.stringMap(ra.spec().path("selector").path("matchLabels")))) {
                return true;
            }
        }
        return false;
    }

    /** The first header (or withoutHeaders) match on a JWT claim, in document order; null when there is none. */
    static FieldPath claimHeader(Resource vs) {
        JsonNode http = vs.spec().path("http");
        for (int i = 0; i < http.size(); i++) {
            JsonNode match = http.path(i).path("match");
            for (int j = 0; j < match.size(); j++) {
                for (String field : new String[]{"headers", "withoutHeaders"}) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = match.path(j).path(field).fields(); it.hasNext(); ) {
                        String key = it.next().getKey();
                        if (isClaim(key)) {
                            return FieldPath.of("spec", "http", i, "match", j, field, key);
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Istio's jwt.ToRoutingClaim(key).Match. */
    static boolean isClaim(String header) {
        if (!header.toLowerCase(Locale.ROOT).startsWith(CLAIM_HEADER)) {
            return false;
        }
        String name = header.substring(CLAIM_HEADER.length());
        return (name.startsWith(".") && name.length() > 1)
                || (name.startsWith("[") && name.endsWith("]") && name.length() > 2);
    }

    @Override
    public Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.GATEWAY, Kind.REQUEST_AUTHENTICATION);
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return null;
    }
}
