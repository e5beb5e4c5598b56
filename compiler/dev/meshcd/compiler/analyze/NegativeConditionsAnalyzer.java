package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Map;
import java.util.Set;

/**
 * Status conditions that say the control plane rejected or could not program a resource (IST0171
 * NegativeConditionStatus), as istio's conditions.ConditionAnalyzer picks them: {@code istio.io/WaypointBound}
 * False on Services, ServiceEntries and WorkloadEntries; {@code ZtunnelAccepted} or {@code WaypointAccepted} False on
 * AuthorizationPolicies (and WaypointAccepted with reason PartiallyInvalid, whatever its status); {@code Accepted},
 * {@code Programmed} or {@code ResolvedRefs} False on Gateway API Gateways, and on HTTPRoutes and GRPCRoutes per parent.
 * Statuses come from a cluster dump or a live cluster ({@code --kubeconfig}); repositories rarely hold them.
 */
public final class NegativeConditionsAnalyzer extends SubjectAnalyzer {
    private static final String GATEWAY_API = "gateway.networking.k8s.io";
    static final Kind K8S_GATEWAY = new Kind(GATEWAY_API, "Gateway");
    static final Kind HTTP_ROUTE = new Kind(GATEWAY_API, "HTTPRoute");
    static final Kind GRPC_ROUTE = new Kind(GATEWAY_API, "GRPCRoute");

    private static final Set<String> WAYPOINT_BOUND = Set.of("istio.io/WaypointBound");
    private static final Set<String> GATEWAY_API_TYPES = Set.of("Accepted", "Programmed", "ResolvedRefs");
    /** Condition types reported when False, by kind. */
    private static final Map<Kind, Set<String>> NEGATIVE = Map.of(
            Kind.SERVICE, WAYPOINT_BOUND,
            Kind.SERVICE_ENTRY, WAYPOINT_BOUND,
            Kind.WORKLOAD_ENTRY, WAYPOINT_BOUND,
            Kind.AUTHORIZATION_POLICY, Set.of("ZtunnelAccepted", "WaypointAccepted"),
            K8S_GATEWAY, GATEWAY_API_TYPES,
            HTTP_ROUTE, GATEWAY_API_TYPES,
            GRPC_ROUTE, GATEWAY_API_TYPES);

    public NegativeConditionsAnalyzer() {
        super(Kind.SERVICE, Kind.SERVICE_ENTRY, Kind.WORKLOAD_ENTRY, Kind.AUTHORIZATION_POLICY, K8S_GATEWAY,
                HTTP_ROUTE, GRPC_ROUTE);
    }

    @Override
    public String name() {
        return "conditions.negative";
    }

    @Override
    protected void check(MeshIndex index, Resource r, DiagnosticSink sink) {
        JsonNode status = r.object().path("status");
        if (!status.isObject()) {
            return;
        }
        Set<String> negative = NEGATIVE.getOrDefault(r.kind(), Set.of());
        if (r.is(HTTP_ROUTE) || r.is(GRPC_ROUTE)) {
            JsonNode parents = status.path("parents");
            for (int p = 0; p < parents.size(); p++) {
                conditions(r, parents.path(p).path("conditions"), FieldPath.of("status", "parents", p, "conditions"),
                        negative, sink);
            }
        } else {
            conditions(r, status.path("conditions"), FieldPath.of("status", "conditions"), negative, sink);
        }
    }

    private static void conditions(Resource r, JsonNode conditions, FieldPath path, Set<String> negative,
                                   DiagnosticSink sink) {
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode c = conditions.path(i);
            String type = c.path("type").asText("");
            String reason = c.path("reason").asText("");
            String message = c.path("message").asText("");
            if (negative.contains(type) && c.path("status").asText("").equals("False")) {
                Messages.report(sink, r, "IST0171", path.index(i), type, reason, message);
            }
            if (r.is(Kind.AUTHORIZATION_POLICY) && type.equals("WaypointAccepted") && reason.equals("PartiallyInvalid")) {
                Messages.report(sink, r, "IST0171", path.index(i), type, reason, message);
            }
        }
    }

    @Override
    public Set<Kind> reads() {
        return Set.of();
    }
}
