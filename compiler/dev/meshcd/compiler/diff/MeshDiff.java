package dev.meshcd.compiler.diff;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.meshcd.compiler.envoy.ConfigDumps;
import dev.meshcd.compiler.envoy.EffectiveMesh;
import dev.meshcd.compiler.envoy.EnvoyTranslator;
import dev.meshcd.compiler.envoy.Proxy;
import dev.meshcd.compiler.envoy.ProxyConfig;
import dev.meshcd.compiler.envoy.Rbac;
import dev.meshcd.compiler.lower.PolicyKinds;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.output.IstioOutput;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.HistogramDiff;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * Compares two versions of a mesh (pure: no I/O). Istio resources are compared by their
 * byte-stable YAML ({@link IstioOutput}); effective routing by walking the translated Envoy
 * configuration of each proxy: clusters added, removed or changed (field by field), virtual hosts
 * and routes added or removed, route targets and weights, timeouts, retries, faults, the inbound
 * mTLS mode per port, and which requests the destination's RBAC filters now allow or deny for each
 * calling proxy.
 */
public final class MeshDiff {
    private static final int MAX_FIELDS = 6;

    private MeshDiff() {
    }

    public static DiffReport diff(EffectiveMesh base, EffectiveMesh head) {
        return new DiffReport(resourceChanges(base.result().istioResources(),
                head.result().istioResources()), routingChanges(base, head));
    }

    // ---------------------------------------------------------------- resources

    static List<DiffReport.ResourceChange> resourceChanges(List<Resource> base, List<Resource> head) {
        Map<ResourceKey, Resource> b = new TreeMap<>();
        base.forEach(r -> b.put(r.key(), r));
        Map<ResourceKey, Resource> h = new TreeMap<>();
        head.forEach(r -> h.put(r.key(), r));
        Set<ResourceKey> keys = new TreeSet<>(b.keySet());
        keys.addAll(h.keySet());
        List<DiffReport.ResourceChange> out = new ArrayList<>();
        for (ResourceKey k : keys) {
            Resource rb = b.get(k);
            Resource rh = h.get(k);
            if (rb == null) {
                out.add(new DiffReport.ResourceChange(DiffReport.Change.ADDED, k.display(), IstioOutput.path(rh),
                        unified(IstioOutput.path(rh), "", IstioOutput.yaml(rh))));
            } else if (rh == null) {
                out.add(new DiffReport.ResourceChange(DiffReport.Change.REMOVED, k.display(), IstioOutput.path(rb),
                        unified(IstioOutput.path(rb), IstioOutput.yaml(rb), "")));
            } else {
                String yb = IstioOutput.yaml(rb);
                String yh = IstioOutput.yaml(rh);
                if (!yb.equals(yh) && !sameButProvenance(rb, rh)) {
                    out.add(new DiffReport.ResourceChange(DiffReport.Change.CHANGED, k.display(), IstioOutput.path(rh),
                            unified(IstioOutput.path(rh), yb, yh)));
                }
            }
        }
        return out;
    }

    /**
     * Whether two versions differ only in where they were lowered from ({@code meshcd.dev/source}: a file
     * moved, lines added above the policy, or two checkouts of one repository in different directories). That
     * is provenance, not configuration: no change to review.
     */
    private static boolean sameButProvenance(Resource a, Resource b) {
        return IstioOutput.yaml(withoutSource(a)).equals(IstioOutput.yaml(withoutSource(b)));
    }

    private static Resource withoutSource(Resource r) {
        com.fasterxml.jackson.databind.JsonNode annotations = r.object().path("metadata").path("annotations");
        if (!annotations.has(PolicyKinds.SOURCE_ANNOTATION)) {
            return r;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = r.object().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("metadata").path("annotations"))
                .remove(PolicyKinds.SOURCE_ANNOTATION);
        return new Resource(r.apiVersion(), r.key(), copy, r.origin());
    }

    /** A unified diff (3 lines of context) in git's format, computed with JGit's histogram diff. */
    public static String unified(String path, String a, String b) {
        RawText ta = new RawText(a.getBytes(StandardCharsets.UTF_8));
        RawText tb = new RawText(b.getBytes(StandardCharsets.UTF_8));
        EditList edits = new HistogramDiff().diff(RawTextComparator.DEFAULT, ta, tb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter f = new DiffFormatter(out)) {
            out.write(("--- " + (a.isEmpty() ? "/dev/null" : "a/" + path) + "\n+++ "
                    + (b.isEmpty() ? "/dev/null" : "b/" + path) + "\n").getBytes(StandardCharsets.UTF_8));
            f.format(edits, ta, tb);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- routing

    static Map<String, List<String>> routingChanges(EffectiveMesh base, EffectiveMesh head) {
        Map<String, List<String>> out = new TreeMap<>();
        Set<String> ids = new TreeSet<>(base.proxies().keySet());
        ids.addAll(head.proxies().keySet());
        for (String id : ids) {
            ProxyConfig b = base.proxies().get(id);
            ProxyConfig h = head.proxies().get(id);
            List<String> changes = new ArrayList<>();
            if (b == null) {
                changes.add("new " + kind(h) + " (" + h.listeners().size() + " listeners, " + h.routes().size()
                        + " route configurations, " + h.clusters().size() + " clusters)");
            } else if (h == null) {
                changes.add(kind(b) + " removed");
            } else {
                clusters(b, h, changes);
                routes(id, b, h, changes);
                mtls(b, h, changes);
            }
            if (!changes.isEmpty()) {
                out.computeIfAbsent(id, k -> new ArrayList<>()).addAll(changes);
            }
        }
        authz(base, head, out);
        return out;
    }

    private static String kind(ProxyConfig pc) {
        return pc.proxy().type() == Proxy.Type.GATEWAY ? "gateway" : "sidecar";
    }

    private static void clusters(ProxyConfig b, ProxyConfig h, List<String> changes) {
        Map<String, Cluster> cb = new TreeMap<>();
        b.clusters().forEach(c -> cb.put(c.getName(), c));
        Map<String, Cluster> ch = new TreeMap<>();
        h.clusters().forEach(c -> ch.put(c.getName(), c));
        for (String n : ch.keySet()) {
            if (!cb.containsKey(n)) {
                changes.add("new cluster " + n);
            }
        }
        for (String n : cb.keySet()) {
            if (!ch.containsKey(n)) {
                changes.add("cluster " + n + " removed");
            } else if (!cb.get(n).equals(ch.get(n))) {
                changes.add("cluster " + n + ": " + fieldChanges(cb.get(n), ch.get(n)));
            }
        }
    }

    /** Leaf-by-leaf difference of two messages: "lb_policy LEAST_REQUEST becomes ROUND_ROBIN; ...". */
    static String fieldChanges(Message a, Message b) {
        Map<String, String> fa = new LinkedHashMap<>();
        Map<String, String> fb = new LinkedHashMap<>();
        flatten(a, "", fa);
        flatten(b, "", fb);
        Set<String> keys = new LinkedHashSet<>(fa.keySet());
        keys.addAll(fb.keySet());
        List<String> parts = new ArrayList<>();
        for (String k : keys) {
            String va = fa.get(k);
            String vb = fb.get(k);
            if (Objects.equals(va, vb)) {
                continue;
            }
            parts.add(k + " " + (va == null ? "(unset)" : va) + " becomes " + (vb == null ? "(unset)" : vb));
        }
        if (parts.size() > MAX_FIELDS) {
            int more = parts.size() - MAX_FIELDS;
            parts = new ArrayList<>(parts.subList(0, MAX_FIELDS));
            parts.add("and " + more + " more");
        }
        return String.join("; ", parts);
    }

    private static void flatten(Message m, String prefix, Map<String, String> out) {
        if (m instanceof Any any) {
            Message inner = ConfigDumps.unpack(any);
            if (inner != null) {
                flatten(inner, prefix, out);
                return;
            }
        }
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            String p = prefix.isEmpty() ? f.getName() : prefix + "." + f.getName();
            if (f.isRepeated()) {
                List<?> list = (List<?>) e.getValue();
                for (int i = 0; i < list.size(); i++) {
                    leaf(list.get(i), p + "[" + i + "]", out);
                }
            } else {
                leaf(e.getValue(), p, out);
            }
        }
    }

    private static void leaf(Object v, String p, Map<String, String> out) {
        if (v instanceof Message msg) {
            if (msg.getDescriptorForType().getFullName().equals("google.protobuf.Duration")) {
                out.put(p, ConfigDumps.print(msg).replace("\"", ""));
            } else if (msg.getDescriptorForType().getFile().getName().equals("google/protobuf/wrappers.proto")) {
                out.put(p, String.valueOf(msg.getField(msg.getDescriptorForType().findFieldByName("value"))));
            } else {
                flatten(msg, p, out);
            }
        } else if (v instanceof EnumValueDescriptor ev) {
            out.put(p, ev.getName());
        } else {
            out.put(p, String.valueOf(v));
        }
    }

    private record RouteView(String key, Route route) {
    }

    private static void routes(String id, ProxyConfig b, ProxyConfig h, List<String> changes) {
        Map<String, VirtualHost> vb = vhosts(b);
        Map<String, VirtualHost> vh = vhosts(h);
        Set<String> keys = new TreeSet<>(vb.keySet());
        keys.addAll(vh.keySet());
        for (String k : keys) {
            VirtualHost x = vb.get(k);
            VirtualHost y = vh.get(k);
            String svc = serviceLabel(y != null ? y : x);
            String who = id + " → " + svc;
            if (x == null) {
                changes.add(who + ": now routed (" + summarize(y) + ")");
                continue;
            }
            if (y == null) {
                changes.add(who + ": no longer routed (virtual host " + x.getName() + " removed)");
                continue;
            }
            if (x.equals(y)) {
                continue;
            }
            String host = hostOf(y);
            List<RouteView> rx = views(x);
            List<RouteView> ry = views(y);
            Map<String, Route> mx = new LinkedHashMap<>();
            rx.forEach(r -> mx.put(r.key(), r.route()));
            Map<String, Route> my = new LinkedHashMap<>();
            ry.forEach(r -> my.put(r.key(), r.route()));
            boolean single = rx.size() == 1 && ry.size() == 1;
            for (RouteView r : ry) {
                Route old = mx.get(r.key());
                String label = single ? "" : " (route " + r.key() + ")";
                if (old == null) {
                    changes.add(who + ": new route " + r.key() + " matching " + describe(r.route().getMatch()) + " → "
                            + action(r.route(), host));
                    continue;
                }
                Route neu = r.route();
                String prefix = who + label + ": ";
                change(changes, prefix + "match ", describe(old.getMatch()), describe(neu.getMatch()), "becomes");
                change(changes, prefix, action(old, host), action(neu, host), "becomes");
                change(changes, prefix + "timeout ", timeout(old), timeout(neu), "becomes");
                change(changes, prefix + "retries ", retries(old), retries(neu), "become");
                change(changes, prefix + "fault injection ", fault(old), fault(neu), "becomes");
            }
            for (RouteView r : rx) {
                if (!my.containsKey(r.key())) {
                    changes.add(who + ": route " + r.key() + " removed (was " + describe(r.route().getMatch()) + " → "
                            + action(r.route(), host) + ")");
                }
            }
            List<String> ox = rx.stream().map(RouteView::key).filter(my::containsKey).toList();
            List<String> oy = ry.stream().map(RouteView::key).filter(mx::containsKey).toList();
            if (!ox.equals(oy)) {
                changes.add(who + ": route order " + String.join(", ", ox) + " becomes " + String.join(", ", oy));
            }
        }
    }

    private static void change(List<String> changes, String prefix, String before, String after, String verb) {
        if (!before.equals(after)) {
            changes.add(prefix + before + " " + verb + " " + after);
        }
    }

    private static Map<String, VirtualHost> vhosts(ProxyConfig pc) {
        Map<String, VirtualHost> out = new TreeMap<>();
        for (RouteConfiguration rc : pc.routes()) {
            for (VirtualHost vh : rc.getVirtualHostsList()) {
                out.put(rc.getName() + "/" + vh.getName(), vh);
            }
        }
        return out;
    }

    private static List<RouteView> views(VirtualHost vh) {
        List<RouteView> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < vh.getRoutesCount(); i++) {
            Route r = vh.getRoutes(i);
            String key = r.getName().isEmpty() ? "#" + i : r.getName();
            if (!seen.add(key)) {
                key = key + "#" + i;
            }
            out.add(new RouteView(key, r));
        }
        return out;
    }

    private static String hostOf(VirtualHost vh) {
        String n = vh.getName();
        int colon = n.lastIndexOf(':');
        return colon > 0 ? n.substring(0, colon) : n;
    }

    /** "cart" for cart.shop.svc.cluster.local:8080, the host for gateways, "other hosts" for allow_any. */
    static String serviceLabel(VirtualHost vh) {
        if (vh.getName().equals("allow_any") || vh.getName().equals("block_all")) {
            return "other hosts";
        }
        return shortHost(hostOf(vh)) + (vh.getName().contains(".svc.") ? "" : vh.getName().substring(hostOf(vh).length()));
    }

    static String shortHost(String host) {
        int svc = host.indexOf(".svc.");
        if (svc > 0) {
            String nameNs = host.substring(0, svc);
            int dot = nameNs.indexOf('.');
            return dot > 0 ? nameNs.substring(0, dot) : nameNs;
        }
        return host;
    }

    private static String summarize(VirtualHost vh) {
        List<String> parts = new ArrayList<>();
        String host = hostOf(vh);
        for (RouteView r : views(vh)) {
            parts.add(action(r.route(), host));
        }
        return String.join("; ", parts);
    }

    /** "v1 90% / v2 10%", "v2", "redirect 302 /products", "direct response 200". */
    static String action(Route r, String vhostHost) {
        if (r.hasRedirect()) {
            return "redirect" + (r.getRedirect().getPathRedirect().isEmpty() ? "" : " to " + r.getRedirect().getPathRedirect());
        }
        if (r.hasDirectResponse()) {
            return "direct response " + r.getDirectResponse().getStatus();
        }
        if (!r.hasRoute()) {
            return "no action";
        }
        RouteAction a = r.getRoute();
        if (a.hasCluster()) {
            return clusterLabel(a.getCluster(), vhostHost);
        }
        if (a.hasWeightedClusters()) {
            long total = 0;
            for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
                total += cw.getWeight().getValue();
            }
            List<String> parts = new ArrayList<>();
            for (WeightedCluster.ClusterWeight cw : a.getWeightedClusters().getClustersList()) {
                long pct = total == 0 ? 0 : Math.round(cw.getWeight().getValue() * 100.0 / total);
                parts.add(clusterLabel(cw.getName(), vhostHost) + " " + pct + "%");
            }
            return String.join(" / ", parts);
        }
        return "no cluster";
    }

    static String clusterLabel(String cluster, String vhostHost) {
        String[] p = cluster.split("\\|", -1);
        if (p.length != 4 || !p[0].equals("outbound")) {
            return cluster;
        }
        String subset = p[2];
        String host = p[3];
        if (host.equals(vhostHost)) {
            return subset.isEmpty() ? shortHost(host) : subset;
        }
        return shortHost(host) + (subset.isEmpty() ? "" : " " + subset);
    }

    private static String timeout(Route r) {
        if (!r.hasRoute() || !r.getRoute().hasTimeout()) {
            return "default";
        }
        var t = r.getRoute().getTimeout();
        return t.getSeconds() == 0 && t.getNanos() == 0 ? "none" : ConfigDumps.print(t).replace("\"", "");
    }

    private static String retries(Route r) {
        if (!r.hasRoute() || !r.getRoute().hasRetryPolicy()) {
            return "none";
        }
        var rp = r.getRoute().getRetryPolicy();
        return rp.getNumRetries().getValue() + " attempts on " + rp.getRetryOn()
                + (rp.hasPerTryTimeout() ? " (per try " + ConfigDumps.print(rp.getPerTryTimeout()).replace("\"", "") + ")" : "");
    }

    private static String fault(Route r) {
        Any a = r.getTypedPerFilterConfigMap().get("envoy.filters.http.fault");
        return a == null ? "none" : fieldChanges(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDefaultInstance(),
                ConfigDumps.unpack(a, io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.class))
                .replace("(unset) becomes ", "");
    }

    /** A route match in words: "prefix /api, header x-canary = "true", method GET". */
    static String describe(RouteMatch m) {
        List<String> parts = new ArrayList<>();
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> parts.add(m.getPrefix().equals("/") ? "any path" : "prefix " + m.getPrefix());
            case PATH -> parts.add("path " + m.getPath());
            case SAFE_REGEX -> parts.add("path regex " + m.getSafeRegex().getRegex());
            case PATH_SEPARATED_PREFIX -> parts.add("prefix " + m.getPathSeparatedPrefix());
            default -> {
            }
        }
        for (HeaderMatcher h : m.getHeadersList()) {
            String name = h.getName().startsWith(":") ? h.getName().substring(1) : "header " + h.getName();
            String v = h.hasStringMatch() ? str(h.getStringMatch()) : "present";
            parts.add(name + (h.getInvertMatch() ? " not " : " ") + v);
        }
        for (QueryParameterMatcher q : m.getQueryParametersList()) {
            parts.add("query " + q.getName() + " " + (q.hasStringMatch() ? str(q.getStringMatch()) : "present"));
        }
        return String.join(", ", parts);
    }

    private static String str(StringMatcher sm) {
        return switch (sm.getMatchPatternCase()) {
            case EXACT -> "= \"" + sm.getExact() + "\"";
            case PREFIX -> "starting with \"" + sm.getPrefix() + "\"";
            case SUFFIX -> "ending with \"" + sm.getSuffix() + "\"";
            case CONTAINS -> "containing \"" + sm.getContains() + "\"";
            case SAFE_REGEX -> "~ " + sm.getSafeRegex().getRegex();
            default -> "?";
        };
    }

    private static void mtls(ProxyConfig b, ProxyConfig h, List<String> changes) {
        Map<Integer, String> mb = Rbac.inboundModes(b);
        Map<Integer, String> mh = Rbac.inboundModes(h);
        for (Map.Entry<Integer, String> e : mh.entrySet()) {
            String old = mb.get(e.getKey());
            if (old != null && !old.equals(e.getValue())) {
                changes.add("inbound port " + e.getKey() + " mTLS " + old + " becomes " + e.getValue());
            }
        }
    }

    /** For each destination whose RBAC changed: which calling proxies gain or lose which requests. */
    private static void authz(EffectiveMesh base, EffectiveMesh head, Map<String, List<String>> out) {
        for (Map.Entry<String, ProxyConfig> e : head.proxies().entrySet()) {
            ProxyConfig dh = e.getValue();
            ProxyConfig db = base.proxies().get(e.getKey());
            if (db == null) {
                continue;
            }
            List<RBAC> rb = Rbac.inboundFilters(db);
            List<RBAC> rh = Rbac.inboundFilters(dh);
            if (rb.equals(rh)) {
                continue;
            }
            Set<List<String>> probes = new LinkedHashSet<>();
            Rbac.probes(rb).forEach(p -> probes.add(List.of(p)));
            Rbac.probes(rh).forEach(p -> probes.add(List.of(p)));
            int port = Rbac.inboundModes(dh).keySet().stream().findFirst().orElse(0);
            String dest = dh.proxy().name();
            for (ProxyConfig src : head.proxies().values()) {
                if (!base.proxies().containsKey(src.proxy().id())) {
                    continue;
                }
                String principal = src.proxy().principal(EnvoyTranslator.TRUST_DOMAIN);
                for (List<String> p : probes) {
                    Rbac.Request req = new Rbac.Request(principal, p.get(0), p.get(1), port);
                    boolean before = Rbac.allowed(rb, req);
                    boolean after = Rbac.allowed(rh, req);
                    if (before != after) {
                        out.computeIfAbsent(src.proxy().id(), k -> new ArrayList<>()).add(p.get(0) + " " + p.get(1)
                                + " on " + dest + " now " + (after ? "allowed" : "denied") + " for " + src.proxy().id());
                    }
                }
            }
        }
    }
}
