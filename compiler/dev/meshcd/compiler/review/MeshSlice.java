package dev.meshcd.compiler.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of two meshes a change can reach, so that a review translates a few virtual hosts per proxy rather than
 * the whole mesh. When every changed resource is a VirtualService, DestinationRule, ServiceEntry or Service, only
 * the hosts they name matter: those, and (transitively) the hosts the VirtualServices of those hosts route to. The
 * slice keeps the other kinds that shape outbound configuration (workloads, Sidecars, Gateways) and drops, from both
 * sides alike, the routing resources of other hosts and the inbound-only policies (mTLS, authorization), so what
 * differs between the two slices is what differs between the meshes.
 * Any other change (a Sidecar, a workload, a policy, a wildcard host) reaches further: the meshes are used whole.
 */
final class MeshSlice {
    private static final Set<Kind> ROUTING = Set.of(Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE, Kind.SERVICE_ENTRY,
            Kind.SERVICE);
    /**
     * Kinds that shape only a proxy's inbound side (mTLS mode, RBAC filters), which a routing change leaves alone:
     * left out of both slices (each proxy otherwise weighs every policy of the mesh).
     */
    private static final Set<Kind> INBOUND_ONLY = Set.of(Kind.PEER_AUTHENTICATION, Kind.AUTHORIZATION_POLICY,
            Kind.REQUEST_AUTHENTICATION);

    /** The two indexes to translate (the whole ones when the change cannot be sliced). */
    record Pair(MeshIndex base, MeshIndex head, boolean sliced) {
    }

    private MeshSlice() {
    }

    static Pair of(MeshIndex base, MeshIndex head, Set<ResourceKey> changed) {
        Set<String> hosts = new HashSet<>();
        for (ResourceKey k : changed) {
            for (MeshIndex index : new MeshIndex[] {base, head}) {
                Resource r = index.get(k).orElse(null);
                if (r == null) {
                    continue;
                }
                if (!ROUTING.contains(r.kind())) {
                    return new Pair(base, head, false);
                }
                hosts.addAll(hostsOf(r, index));
                hosts.addAll(destinationsOf(r, index));
            }
        }
        if (hosts.stream().anyMatch(Hosts::isWildcard)) {
            return new Pair(base, head, false);
        }
        // the VirtualServices of these hosts route elsewhere too: those hosts' clusters must exist in the slice
        for (boolean grew = true; grew; ) {
            grew = false;
            for (MeshIndex index : new MeshIndex[] {base, head}) {
                for (Resource vs : index.ofKind(Kind.VIRTUAL_SERVICE)) {
                    if (touches(vs, index, hosts)) {
                        grew |= hosts.addAll(destinationsOf(vs, index));
                    }
                }
            }
        }
        return new Pair(slice(base, hosts), slice(head, hosts), true);
    }

    private static MeshIndex slice(MeshIndex index, Set<String> hosts) {
        List<Resource> kept = new ArrayList<>();
        Set<ResourceKey> own = new HashSet<>();
        for (Resource r : index.all()) {
            own.add(r.key());
            if (INBOUND_ONLY.contains(r.kind())) {
                continue;
            }
            if (!ROUTING.contains(r.kind()) || touches(r, index, hosts)) {
                kept.add(r);
            }
        }
        List<Workload> external = new ArrayList<>();
        for (Workload w : index.workloads()) {
            if (w.resource() == null || !own.contains(w.resource().key())) {
                external.add(w);
            }
        }
        return MeshIndex.build(kept, external, index.domainSuffix(), index.rootNamespace());
    }

    /** Whether a routing resource names one of the hosts (or any host by a wildcard: kept to be safe). */
    private static boolean touches(Resource r, MeshIndex index, Set<String> hosts) {
        for (String h : hostsOf(r, index)) {
            if (Hosts.isWildcard(h) || hosts.contains(h)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> hostsOf(Resource r, MeshIndex index) {
        List<String> out = new ArrayList<>();
        if (r.is(Kind.VIRTUAL_SERVICE)) {
            r.spec().path("hosts").forEach(h -> out.add(index.resolveHost(h.asText(), r.namespace())));
        } else if (r.is(Kind.DESTINATION_RULE)) {
            out.add(index.resolveHost(r.spec().path("host").asText(""), r.namespace()));
        } else if (r.is(Kind.SERVICE_ENTRY)) {
            r.spec().path("hosts").forEach(h -> out.add(h.asText()));
        } else if (r.is(Kind.SERVICE)) {
            out.add(r.name() + "." + r.namespace() + ".svc." + index.domainSuffix());
        }
        out.removeIf(String::isEmpty);
        return out;
    }

    /** The hosts a VirtualService routes or mirrors to (resolved in its namespace). */
    private static List<String> destinationsOf(Resource r, MeshIndex index) {
        List<String> out = new ArrayList<>();
        if (!r.is(Kind.VIRTUAL_SERVICE)) {
            return out;
        }
        Map<String, Boolean> seen = new HashMap<>();
        for (String section : new String[] {"http", "tcp", "tls"}) {
            for (JsonNode rule : r.spec().path(section)) {
                List<JsonNode> dests = new ArrayList<>();
                rule.path("route").forEach(route -> dests.add(route.path("destination").path("host")));
                dests.add(rule.path("mirror").path("host"));
                rule.path("mirrors").forEach(m -> dests.add(m.path("destination").path("host")));
                for (JsonNode d : dests) {
                    String h = d.asText("");
                    if (!h.isEmpty() && seen.putIfAbsent(h, true) == null) {
                        out.add(index.resolveHost(h, r.namespace()));
                    }
                }
            }
        }
        return out;
    }
}
