package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One diagnostic per mistake for references. Several analyzers trip over the same missing host: the
 * VirtualService's destination (IST0101 host), its subset (IST0101 host+subset, when no DestinationRule for the
 * host exists to define one) and a DestinationRule for it (IST0174). The root cause is the host: each
 * VirtualService that routes to it gets one finding, as istioctl gives it, and a DestinationRule of the missing
 * host is named in the first of those instead of being reported again; the subsets of a missing host nothing
 * defines are dropped. A field that fails validation (IST0106) is not also reported as not found.
 */
public final class OnePerMistake {
    private static final int MAX_ALSO = 3;

    private OnePerMistake() {
    }

    /** {@code diagnostics} (sorted) with the consequences of a reported mistake dropped; the order stays. */
    public static List<Diagnostic> apply(List<Diagnostic> diagnostics, MeshIndex index) {
        Map<ResourceKey, List<String>> invalidFields = new HashMap<>();
        Map<String, List<Diagnostic>> byMissingHost = new LinkedHashMap<>();
        Set<String> routedToMissing = new java.util.HashSet<>(); // hosts a route or mirror names that do not exist
        for (Diagnostic d : diagnostics) {
            if (d.code().equals("IST0106") && d.subject() != null) {
                invalidFields.computeIfAbsent(d.subject(), k -> new ArrayList<>()).add(d.path());
            }
        }
        List<Diagnostic> kept = new ArrayList<>(diagnostics.size());
        for (Diagnostic d : diagnostics) {
            if (isReference(d) && overlapsInvalid(d, invalidFields.get(d.subject()))) {
                continue;
            }
            String host = missingHost(d, index);
            if (host != null) {
                byMissingHost.computeIfAbsent(host, h -> new ArrayList<>()).add(d);
                if (d.code().equals("IST0101")) {
                    routedToMissing.add(host);
                }
            }
            kept.add(d);
        }
        if (byMissingHost.isEmpty()) {
            return kept.size() == diagnostics.size() ? diagnostics : kept;
        }
        Map<Diagnostic, Diagnostic> replaced = new java.util.IdentityHashMap<>();
        Set<Diagnostic> dropped = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (List<Diagnostic> group : byMissingHost.values()) {
            if (group.size() < 2) {
                continue;
            }
            boolean routed = group.stream().anyMatch(d -> d.code().equals("IST0101"));
            Diagnostic root = null;
            for (Diagnostic d : group) {
                if ((!routed || d.code().equals("IST0101")) && (root == null || d.severity().compareTo(root.severity()) > 0)) {
                    root = d; // the first of the most severe (of the routes, when any route names the host)
                }
            }
            Set<String> reported = new java.util.HashSet<>(); // resources with their own finding: the first of each
            Map<String, String> also = new LinkedHashMap<>(); // DestinationRules named in the root's finding instead
            for (Diagnostic d : group) {
                boolean ownFinding = d == root || (routed ? d.code().equals("IST0101") : true);
                if (ownFinding && reported.add(d.resource())) {
                    continue;
                }
                dropped.add(d);
                if (!d.resource().equals(root.resource()) && !reported.contains(d.resource())) {
                    also.putIfAbsent(d.resource(), d.resource() + " at " + d.location());
                }
            }
            dropped.remove(root);
            if (also.isEmpty()) {
                continue; // one resource naming the host several times: its first finding stands for all
            }
            List<String> others = new ArrayList<>(also.values());
            String list = others.size() <= MAX_ALSO ? String.join(", ", others)
                    : String.join(", ", others.subList(0, MAX_ALSO)) + " and " + (others.size() - MAX_ALSO) + " more";
            replaced.put(root, new Diagnostic(root.severity(), root.code(), root.message() + " (also referenced by "
                    + list + ")", root.subject(), root.location(), root.path()));
        }
        List<Diagnostic> out = new ArrayList<>(kept.size());
        for (Diagnostic d : kept) {
            if (dropped.contains(d) || isSubsetOfMissingHost(d, index, routedToMissing)) {
                continue;
            }
            out.add(replaced.getOrDefault(d, d));
        }
        return out;
    }

    private static boolean isReference(Diagnostic d) {
        return d.subject() != null && (d.code().equals("IST0101") || d.code().equals("IST0174"));
    }

    /**
     * The reference is the field validation rejected: the same path, a part of its value (IST0106 on
     * {@code spec.selector.istio}, IST0101 on {@code spec.selector}), or a direct field of the object rejected
     * (IST0106 on a {@code destination}, IST0101 on its {@code host}). A finding about a whole spec ("http, tcp or
     * tls must be provided") does not make its references right or wrong.
     */
    private static boolean overlapsInvalid(Diagnostic d, List<String> invalid) {
        if (invalid == null) {
            return false;
        }
        String parent = FieldPath.parse(d.path()).parent().toString();
        for (String p : invalid) {
            if (p.equals(d.path()) || within(p, d.path()) || (!p.equals("spec") && p.equals(parent))) {
                return true;
            }
        }
        return false;
    }

    private static boolean within(String path, String ancestor) {
        return !ancestor.isEmpty() && path.length() > ancestor.length() && path.startsWith(ancestor)
                && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '[');
    }

    /** The FQDN a "host not found" finding (VirtualService destination or mirror, DestinationRule host) is about. */
    private static String missingHost(Diagnostic d, MeshIndex index) {
        if (!isReference(d)) {
            return null;
        }
        Resource r = index.get(d.subject()).orElse(null);
        if (r == null) {
            return null;
        }
        if (d.code().equals("IST0101") && r.is(Kind.VIRTUAL_SERVICE) && d.path().endsWith(".host")) {
            return index.resolveHost(UnresolvedReferences.at(r.object(), FieldPath.parse(d.path())).asText(""),
                    r.namespace());
        }
        if (d.code().equals("IST0174") && r.is(Kind.DESTINATION_RULE)) {
            return index.resolveHost(r.spec().path("host").asText(""), r.namespace());
        }
        return null;
    }

    private static boolean isSubsetOfMissingHost(Diagnostic d, MeshIndex index, Set<String> missing) {
        if (!d.code().equals("IST0101") || d.subject() == null || !d.path().endsWith(".subset")) {
            return false;
        }
        Resource r = index.get(d.subject()).orElse(null);
        if (r == null || !r.is(Kind.VIRTUAL_SERVICE)) {
            return false;
        }
        FieldPath host = FieldPath.parse(d.path()).parent().key("host");
        String fqdn = index.resolveHost(UnresolvedReferences.at(r.object(), host).asText(""), r.namespace());
        // with a DestinationRule for the host, a subset it does not define is a mistake of its own
        return missing.contains(fqdn) && index.destinationRulesForHost(fqdn).isEmpty();
    }
}
