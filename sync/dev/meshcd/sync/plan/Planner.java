package dev.meshcd.sync.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.output.IstioOutput;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.Ownership;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Planning (pure but for a cache of the last desired objects): compiled resources → desired objects (with meshcd's label and annotations) → a
 * {@link Plan} against the live objects meshcd manages: what to apply (only what changed, by content
 * hash), in which order (derived from references), and what to prune (in reverse order).
 */
public final class Planner {
    private final String repo;
    private final String domainSuffix;
    /** The desired objects of the last {@link #desired} call, by the (identical) resource they came from. */
    private volatile Map<Resource, DesiredObject> previous = Map.of();

    /**
     * @param repo         the sync's name, written to {@link Ownership#REPO}; prune only touches objects carrying it
     * @param domainSuffix the cluster DNS suffix for short host names
     */
    public Planner(String repo, String domainSuffix) {
        this.repo = repo;
        this.domainSuffix = domainSuffix == null ? "cluster.local" : domainSuffix;
    }

    /** Whether a compiled resource is applied (as {@code compile} writes it: {@link IstioOutput#isApplied}). */
    public static boolean isApplied(Resource r) {
        return IstioOutput.isApplied(r);
    }

    /**
     * The desired objects of compiled resources. A resource that is the same instance as one of the last
     * call (an incremental recompile keeps the resources of unchanged files) gives the same desired object
     * again, not copied and hashed anew; its {@link Ownership#COMMIT} annotation stays the commit its content
     * came from (the live object's too, as an unchanged object is not re-applied).
     */
    public List<DesiredObject> desired(List<Resource> resources, String commit) {
        Map<Resource, DesiredObject> reuse = previous;
        List<Resource> applied = resources.stream().filter(Planner::isApplied).toList();
        // New ones are built in parallel: locating each document's line and hashing its content add up.
        Map<Resource, DesiredObject> built = new IdentityHashMap<>();
        applied.stream().filter(r -> !reuse.containsKey(r)).toList().parallelStream()
                .map(r -> Map.entry(r, desired(r, commit))).toList()
                .forEach(e -> built.put(e.getKey(), e.getValue()));
        Map<Resource, DesiredObject> now = new IdentityHashMap<>(applied.size() * 2);
        List<DesiredObject> out = new ArrayList<>(applied.size());
        for (Resource r : applied) {
            DesiredObject d = built.containsKey(r) ? built.get(r) : reuse.get(r);
            now.put(r, d);
            out.add(d);
        }
        previous = now;
        out.sort(Comparator.comparing(DesiredObject::key));
        return out;
    }

    private DesiredObject desired(Resource r, String commit) {
        // What compile writes, plus what only the sync knows: the repository, a content hash, the commit.
        ObjectNode body = IstioOutput.appliedBody(r);
        ObjectNode ann = body.with("metadata").with("annotations");
        String source = ann.path(Ownership.SOURCE).asText();
        ann.put(Ownership.REPO, repo);
        ann.remove(Ownership.COMMIT);
        ann.remove(Ownership.CONTENT_HASH);
        String hash = contentHash(body);
        ann.put(Ownership.CONTENT_HASH, hash);
        ann.put(Ownership.COMMIT, commit);
        return new DesiredObject(r.key(), r.apiVersion(), body, source, hash);
    }

    /**
     * @param desired what Git says
     * @param live    the live objects with meshcd's managed-by label (any repo; others' are ignored)
     */
    public Plan plan(List<DesiredObject> desired, List<Plan.LiveObject> live) {
        Map<ResourceKey, Plan.LiveObject> mine = new TreeMap<>();
        for (Plan.LiveObject l : live) {
            if (Ownership.managed(l.body()) && repo.equals(Ownership.annotation(l.body(), Ownership.REPO))) {
                mine.put(l.key(), l);
            }
        }
        Map<ResourceKey, Plan.LiveObject> allLive = new HashMap<>();
        live.forEach(l -> allLive.put(l.key(), l));

        List<DesiredObject> changed = new ArrayList<>();
        List<ResourceKey> unchanged = new ArrayList<>();
        Set<ResourceKey> desiredKeys = new TreeSet<>();
        for (DesiredObject d : desired) {
            desiredKeys.add(d.key());
            Plan.LiveObject l = allLive.get(d.key());
            String liveHash = l == null ? null
                    : l.body().path("metadata").path("annotations").path(Ownership.CONTENT_HASH).asText(null);
            if (d.hash().equals(liveHash)) {
                unchanged.add(d.key());
            } else {
                changed.add(d);
            }
        }
        List<Plan.LiveObject> prune = new ArrayList<>();
        for (Plan.LiveObject l : mine.values()) {
            if (!desiredKeys.contains(l.key())) {
                prune.add(l);
            }
        }

        // Apply order: an edge a → b means a must exist (be applied) before b.
        Map<ResourceKey, Set<ResourceKey>> applyEdges = new HashMap<>();
        forEachDependency(changed, DesiredObject::key, DesiredObject::body, (d, other) -> {
            boolean subsetsRemoved = other.key().kind().equals("DestinationRule")
                    && removesRoutedSubsets(other, allLive.get(other.key()), d);
            if (subsetsRemoved) {
                edge(applyEdges, d.key(), other.key()); // routes stop using the subset first
            } else {
                edge(applyEdges, other.key(), d.key());
            }
        });
        // Prune order: the reverse: dependents are deleted before what they depend on.
        Map<ResourceKey, Set<ResourceKey>> pruneEdges = new HashMap<>();
        forEachDependency(prune, Plan.LiveObject::key, Plan.LiveObject::body, (a, b) -> edge(pruneEdges, a.key(), b.key()));
        return new Plan(waves(changed, DesiredObject::key, applyEdges), List.copyOf(unchanged),
                waves(prune, Plan.LiveObject::key, pruneEdges));
    }

    /**
     * Calls {@code dependsOn.accept(a, b)} once for every pair of {@code nodes} where a references b, as
     * {@link #dependsOn} decides, through an index of gateways by key and providers by host: linear in the
     * references, not quadratic in the objects (an initial sync plans thousands of objects).
     */
    <T> void forEachDependency(List<T> nodes, Function<T, ResourceKey> key, Function<T, JsonNode> body,
                               java.util.function.BiConsumer<T, T> dependsOn) {
        Map<ResourceKey, T> gateways = new HashMap<>();
        Map<String, List<T>> providers = new HashMap<>(); // host → DestinationRules and ServiceEntries
        for (T n : nodes) {
            ResourceKey k = key.apply(n);
            if (k.kind().equals("Gateway")) {
                gateways.put(k, n);
            }
            for (String h : References.providedHosts(k, body.apply(n).path("spec"), domainSuffix)) {
                providers.computeIfAbsent(h, x -> new ArrayList<>()).add(n);
            }
        }
        for (T a : nodes) {
            ResourceKey k = key.apply(a);
            JsonNode spec = body.apply(a).path("spec");
            Set<T> targets = new java.util.LinkedHashSet<>();
            if (k.kind().equals("VirtualService")) {
                for (ResourceKey g : References.gateways(k, spec)) {
                    T gw = gateways.get(g);
                    if (gw != null) {
                        targets.add(gw);
                    }
                }
                for (String h : References.destinationHosts(k, spec, domainSuffix)) {
                    for (T p : providers.getOrDefault(h, List.of())) {
                        String kind = key.apply(p).kind();
                        if (kind.equals("DestinationRule") || kind.equals("ServiceEntry")) {
                            targets.add(p);
                        }
                    }
                }
            } else if (k.kind().equals("DestinationRule")) {
                for (String h : References.providedHosts(k, spec, domainSuffix)) {
                    for (T p : providers.getOrDefault(h, List.of())) {
                        if (key.apply(p).kind().equals("ServiceEntry")) {
                            targets.add(p);
                        }
                    }
                }
            }
            for (T b : targets) {
                if (b != a) {
                    dependsOn.accept(a, b);
                }
            }
        }
    }

    /** True when object {@code a} references {@code b} (so b must be in place before a). */
    boolean dependsOn(ResourceKey a, JsonNode aBody, ResourceKey b, JsonNode bBody) {
        JsonNode aSpec = aBody.path("spec");
        JsonNode bSpec = bBody.path("spec");
        if (a.kind().equals("VirtualService")) {
            if (b.kind().equals("Gateway")) {
                return References.gateways(a, aSpec).contains(b);
            }
            if (b.kind().equals("DestinationRule") || b.kind().equals("ServiceEntry")) {
                Set<String> hosts = References.destinationHosts(a, aSpec, domainSuffix);
                for (String h : References.providedHosts(b, bSpec, domainSuffix)) {
                    if (hosts.contains(h)) {
                        return true;
                    }
                }
            }
            return false;
        }
        if (a.kind().equals("DestinationRule") && b.kind().equals("ServiceEntry")) {
            Set<String> host = References.providedHosts(a, aSpec, domainSuffix);
            return References.providedHosts(b, bSpec, domainSuffix).stream().anyMatch(host::contains);
        }
        return false;
    }

    /** A DestinationRule update drops a subset that the (old, live) routes of {@code vs} use. */
    private boolean removesRoutedSubsets(DesiredObject dr, Plan.LiveObject liveDr, DesiredObject vs) {
        if (liveDr == null) {
            return false;
        }
        Set<String> removed = new TreeSet<>(References.subsets(liveDr.body().path("spec")));
        removed.removeAll(References.subsets(dr.body().path("spec")));
        if (removed.isEmpty()) {
            return false;
        }
        String host = References.fqdn(dr.body().path("spec").path("host").asText(""), dr.key().namespace(), domainSuffix);
        Set<String> newRoutes = References.routedSubsets(vs.key(), vs.body().path("spec"), domainSuffix);
        for (String s : removed) {
            if (!newRoutes.contains(host + "#" + s)) {
                return true; // the VS update stops routing to it (or never did): let it go first
            }
        }
        return false;
    }

    private static void edge(Map<ResourceKey, Set<ResourceKey>> edges, ResourceKey from, ResourceKey to) {
        edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
    }

    /** Kahn's algorithm by levels; nodes in a cycle (not expected) go into one last wave. */
    static <T> List<List<T>> waves(List<T> nodes, Function<T, ResourceKey> key, Map<ResourceKey, Set<ResourceKey>> edges) {
        Map<ResourceKey, T> byKey = new TreeMap<>();
        nodes.forEach(n -> byKey.put(key.apply(n), n));
        Map<ResourceKey, Integer> indegree = new HashMap<>();
        byKey.keySet().forEach(k -> indegree.put(k, 0));
        edges.forEach((from, tos) -> {
            if (byKey.containsKey(from)) {
                tos.stream().filter(byKey::containsKey).forEach(t -> indegree.merge(t, 1, Integer::sum));
            }
        });
        List<List<T>> out = new ArrayList<>();
        Map<ResourceKey, T> remaining = new LinkedHashMap<>(byKey);
        while (!remaining.isEmpty()) {
            List<ResourceKey> ready = new ArrayList<>();
            for (ResourceKey k : remaining.keySet()) {
                if (indegree.get(k) == 0) {
                    ready.add(k);
                }
            }
            if (ready.isEmpty()) {
                out.add(new ArrayList<>(remaining.values()));
                break;
            }
            List<T> wave = new ArrayList<>();
            for (ResourceKey k : ready) {
                wave.add(remaining.remove(k));
                for (ResourceKey t : edges.getOrDefault(k, Set.of())) {
                    if (indegree.containsKey(t)) {
                        indegree.merge(t, -1, Integer::sum);
                    }
                }
            }
            out.add(wave);
        }
        return out;
    }

    /** SHA-256 over the canonical JSON (object keys sorted) of a body. */
    public static String contentHash(JsonNode body) {
        StringBuilder sb = new StringBuilder();
        canonical(body, sb);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void canonical(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue());
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()).toString()).append(':');
                canonical(e.getValue(), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                canonical(n.get(i), sb);
            }
            sb.append(']');
        } else {
            sb.append(n.toString());
        }
    }
}
