package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cross-file part of lowering: decides which generated resources join the snapshot. A policy
 * loses all its outputs (with an error on the policy) when it is the second ServicePolicy for a
 * service, or when one of its outputs would replace a hand-written resource (same kind and name) or
 * claim a host a hand-written VirtualService or DestinationRule already configures. Raw resources
 * always win; nothing is overwritten silently.
 */
public final class PolicyConflicts {
    private PolicyConflicts() {
    }

    /** What one policy lowered to. */
    public record Lowered(Resource policy, List<Resource> outputs) {
    }

    /**
     * @param raw     every decoded resource (hand-written Istio, context objects and the policies themselves)
     * @param lowered per policy, its outputs, in file order
     * @return the outputs to add to the snapshot
     */
    public static List<Resource> resolve(List<Resource> raw, List<Lowered> lowered, String domainSuffix,
                                         DiagnosticSink sink) {
        Map<String, Resource> servicePolicies = new HashMap<>();
        Set<ResourceKey> rejected = new HashSet<>();
        for (Resource r : raw) {
            if (r.is(PolicyKinds.SERVICE_POLICY)) {
                String service = r.namespace() + "/" + Lowering.serviceOf(r);
                Resource first = servicePolicies.putIfAbsent(service, r);
                if (first != null) {
                    rejected.add(r.key());
                    sink.report(r.diagnostic(Severity.ERROR, Codes.POLICY_DUPLICATE_SERVICE,
                            r.spec().has("service") ? FieldPath.of("spec", "service") : FieldPath.of("metadata", "name"),
                            "service " + service + " already has a policy: " + first.key().display() + " at "
                                    + first.locate(FieldPath.ROOT)));
                }
            }
        }
        if (lowered.isEmpty()) {
            return List.of();
        }
        Map<ResourceKey, Resource> rawKeys = new HashMap<>();
        Map<String, Resource> rawHosts = new HashMap<>(); // "Kind|fqdn" of mesh VirtualServices and DestinationRules
        for (Resource r : raw) {
            if (!r.kind().isIstio()) {
                continue;
            }
            rawKeys.put(r.key(), r);
            for (String h : claimedHosts(r, domainSuffix)) {
                rawHosts.putIfAbsent(r.key().kind() + "|" + h, r);
            }
        }
        List<Resource> accepted = new ArrayList<>();
        Map<ResourceKey, Resource> generated = new HashMap<>();
        for (Lowered l : lowered) {
            if (rejected.contains(l.policy().key())) {
                continue;
            }
            String conflict = null;
            for (Resource out : l.outputs()) {
                Resource other = rawKeys.get(out.key());
                if (other == null) {
                    other = generated.get(out.key());
                }
                if (other != null) {
                    conflict = "it generates " + out.key().display() + ", which is also defined at "
                            + other.locate(FieldPath.ROOT);
                    break;
                }
                for (String h : claimedHosts(out, domainSuffix)) {
                    other = rawHosts.get(out.key().kind() + "|" + h);
                    if (other != null) {
                        conflict = "it generates a " + out.key().kind() + " for host " + h + ", which "
                                + other.key().display() + " at " + other.locate(FieldPath.ROOT)
                                + " already configures";
                        break;
                    }
                }
                if (conflict != null) {
                    break;
                }
            }
            if (conflict != null) {
                sink.report(l.policy().diagnostic(Severity.ERROR, Codes.POLICY_CONFLICT, FieldPath.of("metadata", "name"),
                        l.policy().key().display() + " is not compiled: " + conflict
                                + " (remove one of them, or move the hand-written settings into the policy)"));
                continue;
            }
            for (Resource out : l.outputs()) {
                generated.put(out.key(), out);
                accepted.add(out);
            }
        }
        return accepted;
    }

    /** FQDNs a VirtualService (bound to the mesh) or DestinationRule configures. */
    public static List<String> claimedHosts(Resource r, String domainSuffix) {
        JsonNode spec = r.spec();
        if (r.is(Kind.DESTINATION_RULE)) {
            String h = spec.path("host").asText("");
            return h.isEmpty() ? List.of() : List.of(Hosts.resolve(h, r.namespace(), domainSuffix));
        }
        if (r.is(Kind.VIRTUAL_SERVICE)) {
            JsonNode gateways = spec.path("gateways");
            boolean mesh = gateways.isEmpty();
            for (JsonNode g : gateways) {
                mesh |= g.asText().equals("mesh");
            }
            if (!mesh) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (JsonNode h : spec.path("hosts")) {
                out.add(Hosts.resolve(h.asText(), r.namespace(), domainSuffix));
            }
            return out;
        }
        return List.of();
    }
}
