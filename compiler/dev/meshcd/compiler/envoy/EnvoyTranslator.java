package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.BoolValue;
import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.Protocols;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.index.Workloads;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Computes, offline, the xDS configuration istiod would push to each proxy of a mesh: for sidecars
 * the outbound listeners per port (RDS route configurations named by port, one virtual host per
 * visible service), outbound clusters per service port and DestinationRule subset, the
 * {@code virtualInbound} listener (mTLS per PeerAuthentication, RBAC per AuthorizationPolicy) and
 * inbound clusters; for gateways the listeners per Gateway server port with route configurations
 * {@code http.<port>} / {@code https.<port>.<portName>.<gateway>.<namespace>}.
 *
 * <p>The output is built from Envoy's own API types (io.envoyproxy.controlplane:api). It follows
 * Istio's naming and defaults but is not byte-identical to istiod's (no stats/telemetry filters,
 * no EDS endpoints, no Envoy-version-specific tweaks). No Envoy binary can run in this environment,
 * so the output is checked against the protoc-gen-validate rules of the protos ({@link PgvValidator})
 * and Envoy's cross-resource rules ({@link EnvoyChecks}) instead of being loaded into Envoy.
 *
 * <p>Instances are immutable after construction apart from a cache of the outbound configuration
 * per Sidecar scope (proxies of one namespace under one Sidecar share it, as in istiod); they are
 * thread-safe.
 */
public final class EnvoyTranslator {
    public static final String TRUST_DOMAIN = "cluster.local";
    static final int VIRTUAL_OUTBOUND_PORT = 15001;
    static final int VIRTUAL_INBOUND_PORT = 15006;

    private final MeshIndex index;
    private final DestinationRules destinationRules;
    private final Routes routes;
    private final List<VsEntry> virtualServices = new ArrayList<>();
    private final List<MeshService> services = new ArrayList<>();
    private final Map<String, Outbound> outboundCache = new ConcurrentHashMap<>();

    record VsEntry(Resource resource, List<String> hosts, List<String> gateways, boolean sourceScoped) {
    }

    /** The shared outbound part of a sidecar's configuration. */
    private record Outbound(List<Listener> listeners, List<RouteConfiguration> routes, List<Cluster> clusters,
                            Provenance provenance) {
    }

    public EnvoyTranslator(MeshIndex index) {
        this.index = index;
        this.destinationRules = new DestinationRules(index);
        this.routes = new Routes(index);
        List<Resource> vss = new ArrayList<>(index.ofKind(Kind.VIRTUAL_SERVICE));
        vss.sort(Comparator.comparing(Resource::key));
        for (Resource vs : vss) {
            List<String> hosts = new ArrayList<>();
            vs.spec().path("hosts").forEach(h -> hosts.add(index.resolveHost(h.asText(), vs.namespace())));
            List<String> gws = new ArrayList<>();
            vs.spec().path("gateways").forEach(g -> {
                String n = g.asText();
                gws.add(n.equals("mesh") || n.contains("/") ? n : vs.namespace() + "/" + n);
            });
            if (gws.isEmpty()) {
                gws.add("mesh");
            }
            boolean sourceScoped = false;
            for (JsonNode h : vs.spec().path("http")) {
                for (JsonNode m : h.path("match")) {
                    sourceScoped |= m.has("sourceLabels") || m.has("sourceNamespace");
                }
            }
            virtualServices.add(new VsEntry(vs, hosts, gws, sourceScoped));
        }
        for (Resource s : index.ofKind(Kind.SERVICE)) {
            Map<String, String> sel = MeshIndex.stringMap(s.spec().path("selector"));
            if (!sel.isEmpty()) {
                selectingServices.computeIfAbsent(s.namespace(), n -> new ArrayList<>()).add(new SelectingService(s, sel));
            }
        }
        for (String host : new java.util.TreeSet<>(index.hosts())) {
            List<MeshService> svcs = index.servicesForHost(host);
            // a Kubernetes Service wins over a ServiceEntry for the same host, as in istiod
            svcs.stream().filter(s -> !s.fromServiceEntry()).findFirst()
                    .or(() -> svcs.stream().findFirst()).ifPresent(services::add);
        }
    }

    public MeshIndex index() {
        return index;
    }

    /**
     * Every proxy of the repository's mesh: gateways (workloads a Gateway selects) and sidecars (all other
     * workloads). Workloads known only from context (a live cluster) count when a Gateway of the repository
     * selects them or they run in a namespace the repository configures, so that a cluster of thousands of
     * workloads is not translated whole; a Pod run by a controller is left to its controller, which stands for it.
     */
    public List<Proxy> proxies() {
        List<Proxy> out = new ArrayList<>();
        Set<Workload> gateways = new LinkedHashSet<>();
        Set<String> configured = new HashSet<>();
        for (Resource r : index.all()) {
            if (!ContextOrigin.isContext(r) && !r.namespace().isEmpty()) {
                configured.add(r.namespace());
            }
        }
        for (Resource gw : index.ofKind(Kind.GATEWAY)) {
            Map<String, String> sel = MeshIndex.stringMap(gw.spec().path("selector"));
            if (sel.isEmpty() || ContextOrigin.isContext(gw)) {
                continue;
            }
            for (Workload w : index.workloads()) {
                if (w.matches(sel)) {
                    gateways.add(w);
                }
            }
        }
        for (Workload w : index.workloads()) {
            if (ContextOrigin.isContext(w.resource()) && (runByController(w)
                    || !(gateways.contains(w) || configured.contains(w.namespace())))) {
                continue;
            }
            if (gateways.contains(w)) {
                out.add(new Proxy(Proxy.Type.GATEWAY, w));
            } else if (injected(w)) {
                out.add(new Proxy(Proxy.Type.SIDECAR, w));
            }
        }
        out.sort(Comparator.comparing(Proxy::id));
        // one proxy per namespace/name: a Deployment and its ReplicaSet are one workload to us
        Map<String, Proxy> unique = new LinkedHashMap<>();
        out.forEach(p -> unique.putIfAbsent(p.id(), p));
        return List.copyOf(unique.values());
    }

    private static boolean runByController(Workload w) {
        if (!w.kind().equals("Pod") || w.resource() == null) {
            return false;
        }
        for (com.fasterxml.jackson.databind.JsonNode owner : w.resource().metadata().path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    private static boolean injected(Workload w) {
        String label = w.labels().get("sidecar.istio.io/inject");
        String ann = w.annotations().get("sidecar.istio.io/inject");
        return !"false".equals(label) && !"false".equals(ann) && !w.kind().equals("Job") && !w.kind().equals("CronJob");
    }

    public java.util.Optional<Proxy> proxy(String id) {
        return proxies().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** Configuration of every proxy, keyed and sorted by proxy id. */
    public Map<String, ProxyConfig> translateAll() {
        Map<String, ProxyConfig> out = new TreeMap<>();
        for (Proxy p : proxies()) {
            out.put(p.id(), translate(p));
        }
        return out;
    }

    public ProxyConfig translate(Proxy proxy) {
        return proxy.type() == Proxy.Type.GATEWAY ? gateway(proxy) : sidecar(proxy);
    }

    // ------------------------------------------------------------------ sidecars

    private ProxyConfig sidecar(Proxy proxy) {
        Workload w = proxy.workload();
        Scope scope = Scope.of(index, w, false);
        boolean sourceScoped = virtualServices.stream().anyMatch(VsEntry::sourceScoped);
        String key = scope.key() + (sourceScoped ? "|" + proxy.id() + "|" + w.labels() : "");
        Outbound out = outboundCache.computeIfAbsent(key, k -> outbound(scope, w));
        Provenance prov = new Provenance(out.provenance());
        List<Listener> listeners = new ArrayList<>(out.listeners());
        List<Cluster> clusters = new ArrayList<>(out.clusters());
        inbound(w, listeners, clusters, prov);
        return new ProxyConfig(proxy, listeners, out.routes(), clusters, prov);
    }

    private Outbound outbound(Scope scope, Workload w) {
        Provenance prov = new Provenance();
        List<Cluster> clusters = new ArrayList<>();
        Map<Integer, List<VirtualHost>> httpPorts = new TreeMap<>();
        Map<String, Listener> listeners = new TreeMap<>();
        List<TcpTarget> tcp = new ArrayList<>();
        for (MeshService svc : services) {
            if (!scope.sees(svc)) {
                continue;
            }
            for (ServicePort port : svc.ports()) {
                addServiceClusters(svc, port, scope.namespace, clusters, prov);
                if (Protocols.isHttp(port.protocol()) || port.protocol().equals("UNKNOWN")) {
                    String rc = String.valueOf(port.number());
                    VirtualHost vh = serviceVirtualHost(scope, svc, port, w, rc, prov);
                    httpPorts.computeIfAbsent(port.number(), p -> new ArrayList<>()).add(vh);
                } else if (!Hosts.isWildcard(svc.host())) {
                    tcp.add(new TcpTarget(svc, port));
                }
            }
        }
        importRoutedServices(scope, clusters, prov);
        if (httpPorts.containsKey(80)) {
            addNonServiceHosts(scope, w, httpPorts.get(80), prov);
        }
        List<RouteConfiguration> rcs = new ArrayList<>();
        for (Map.Entry<Integer, List<VirtualHost>> e : httpPorts.entrySet()) {
            String name = String.valueOf(e.getKey());
            RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(name)
                    .setValidateClusters(BoolValue.of(false)).setIgnorePortInHostMatching(true);
            e.getValue().stream().sorted(Comparator.comparing(VirtualHost::getName)).forEach(rc::addVirtualHosts);
            rc.addVirtualHosts(scope.registryOnly ? VirtualHost.newBuilder().setName("block_all").addDomains("*").setIncludeRequestAttemptCount(true)
                    .addRoutes(Route.newBuilder().setName("block_all").setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502))).build()
                    : VirtualHost.newBuilder().setName("allow_any").addDomains("*").setIncludeRequestAttemptCount(true)
                    .addRoutes(Route.newBuilder().setName("allow_any").setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(RouteAction.newBuilder().setCluster(Xds.PASSTHROUGH)
                                    .setTimeout(com.google.protobuf.Duration.getDefaultInstance()))).build());
            rcs.add(rc.build());
            String ln = "0.0.0.0_" + name;
            listeners.put(ln, Listeners.listener(ln, "0.0.0.0", e.getKey(), TrafficDirection.OUTBOUND)
                    .setBindToPort(BoolValue.of(false))
                    .addFilterChains(FilterChain.newBuilder().addFilters(
                            Listeners.hcmRds("outbound_0.0.0.0_" + name, name, List.of())))
                    .build());
        }
        for (TcpTarget t : tcp) {
            String ip = t.svc().resource().spec().path("clusterIP").asText("");
            String addr = ip.isEmpty() || ip.equals("None") ? "0.0.0.0" : ip;
            String ln = addr + "_" + t.port().number();
            if (listeners.containsKey(ln)) {
                continue; // istiod lets the first service on a port win
            }
            String cluster = Clusters.outboundName(t.port().number(), null, t.svc().host());
            listeners.put(ln, Listeners.listener(ln, addr, t.port().number(), TrafficDirection.OUTBOUND)
                    .setBindToPort(BoolValue.of(false))
                    .addFilterChains(FilterChain.newBuilder().addFilters(Listeners.tcpProxy(cluster, cluster)))
                    .build());
            prov.put(Provenance.listener(ln), t.svc().resource(), FieldPath.ROOT);
        }
        String fallback = scope.registryOnly ? Xds.BLACKHOLE : Xds.PASSTHROUGH;
        listeners.put("virtualOutbound", Listeners.listener("virtualOutbound", "0.0.0.0", VIRTUAL_OUTBOUND_PORT,
                        TrafficDirection.OUTBOUND)
                .setUseOriginalDst(BoolValue.of(true))
                .addFilterChains(FilterChain.newBuilder().setName(fallback)
                        .addFilters(Listeners.tcpProxy(fallback, fallback)))
                .build());
        if (scope.sidecar != null) {
            for (String ln : listeners.keySet()) {
                if (prov.get(Provenance.listener(ln)).isEmpty()) {
                    prov.put(Provenance.listener(ln), scope.sidecar, FieldPath.of("spec"));
                }
            }
        }
        clusters.add(Clusters.passthrough(Xds.PASSTHROUGH, false));
        clusters.add(Clusters.blackhole());
        clusters.add(Clusters.passthrough(Xds.INBOUND_PASSTHROUGH, true));
        return new Outbound(List.copyOf(listeners.values()), List.copyOf(rcs), List.copyOf(clusters), prov);
    }

    /**
     * As istiod's SidecarScope does: a service that a visible mesh VirtualService routes (or mirrors) to is imported
     * even where the Sidecar's egress hosts leave it out, for its clusters (the destination ports, or all of its
     * ports when a destination states none), not for virtual hosts.
     */
    private void importRoutedServices(Scope scope, List<Cluster> clusters, Provenance prov) {
        Set<String> added = new java.util.HashSet<>();
        for (VsEntry vs : virtualServices) {
            if (!vs.gateways().contains("mesh") || !scope.sees(vs.resource(), vs.hosts())) {
                continue;
            }
            Map<String, Set<Integer>> dests = new TreeMap<>();
            for (String section : List.of("http", "tcp", "tls")) {
                for (JsonNode r : vs.resource().spec().path(section)) {
                    List<JsonNode> ds = new ArrayList<>();
                    r.path("route").forEach(d -> ds.add(d.path("destination")));
                    if (r.has("mirror")) {
                        ds.add(r.path("mirror"));
                    }
                    for (JsonNode d : ds) {
                        String h = index.resolveHost(d.path("host").asText(""), vs.resource().namespace());
                        dests.computeIfAbsent(h, k -> new java.util.TreeSet<>()).add(d.path("port").path("number").asInt(0));
                    }
                }
            }
            for (Map.Entry<String, Set<Integer>> e : dests.entrySet()) {
                for (MeshService svc : services) {
                    if (!svc.host().equals(e.getKey()) || scope.sees(svc) || !svc.visibleFrom(scope.namespace)) {
                        continue;
                    }
                    boolean all = e.getValue().contains(0);
                    for (ServicePort port : svc.ports()) {
                        if ((all || e.getValue().contains(port.number())) && added.add(svc.host() + "|" + port.number())) {
                            addServiceClusters(svc, port, scope.namespace, clusters, prov);
                        }
                    }
                }
            }
        }
    }

    /**
     * As istiod does (route.go, "a gross HACK" in its own words): in route configuration 80, every host of a mesh
     * VirtualService visible here that names no visible service with port 80 gets a virtual host {@code host:80}
     * with that one domain and the VirtualService's routes for port 80, so a VirtualService can steer port-80
     * traffic to hosts outside the registry (e.g. an external name).
     */
    private void addNonServiceHosts(Scope scope, Workload w, List<VirtualHost> vhosts, Provenance prov) {
        Set<String> port80 = new java.util.HashSet<>();
        for (MeshService svc : services) {
            if (scope.sees(svc) && svc.ports().stream().anyMatch(p -> p.number() == 80)) {
                port80.add(svc.host());
            }
        }
        Set<String> names = new java.util.HashSet<>();
        Set<String> domains = new java.util.HashSet<>();
        for (VirtualHost vh : vhosts) {
            names.add(vh.getName());
            domains.addAll(vh.getDomainsList());
        }
        for (VsEntry vs : virtualServices) {
            if (!vs.gateways().contains("mesh") || !scope.sees(vs.resource(), vs.hosts())) {
                continue;
            }
            List<Routes.Built> built = null;
            for (String raw : vs.hosts()) {
                String h = raw.toLowerCase(Locale.ROOT);
                boolean service = Hosts.isWildcard(h) ? port80.stream().anyMatch(s -> Hosts.covers(h, s))
                        : port80.contains(h);
                String name = h + ":80";
                if (service || names.contains(name) || domains.contains(h)) {
                    continue;
                }
                if (built == null) {
                    built = routes.translate(vs.resource(), 80, "mesh", w);
                }
                if (built.isEmpty()) {
                    break;
                }
                VirtualHost.Builder b = VirtualHost.newBuilder().setName(name).addDomains(h)
                        .setIncludeRequestAttemptCount(true);
                for (int i = 0; i < built.size(); i++) {
                    b.addRoutes(built.get(i).route());
                    prov.put(Provenance.route("80", name, i), built.get(i).source(), built.get(i).path());
                }
                prov.put(Provenance.vhost("80", name), vs.resource(), FieldPath.of("spec", "hosts"));
                prov.put(Provenance.nonServiceVhost("80", name), vs.resource(), FieldPath.of("spec", "hosts"));
                names.add(name);
                domains.add(h);
                vhosts.add(b.build());
            }
        }
    }

    private record TcpTarget(MeshService svc, ServicePort port) {
    }

    /** Clusters of one service port under one DestinationRule, and where each came from; shared by all proxies. */
    private record ClusterSet(List<Cluster> clusters, List<Provenance.Source> sources) {
    }

    private final Map<String, ClusterSet> clusterCache = new ConcurrentHashMap<>();

    private void addServiceClusters(MeshService svc, ServicePort port, String proxyNamespace, List<Cluster> clusters,
                                    Provenance prov) {
        DestinationRules.Rule dr = destinationRules.lookup(svc.host(), svc.namespace(), proxyNamespace);
        String key = svc.host() + "|" + port.number() + "|" + (dr == null ? "" : dr.resource().key().namespacedName());
        ClusterSet set = clusterCache.computeIfAbsent(key, k -> {
            List<Cluster> cs = new ArrayList<>();
            Provenance p = new Provenance();
            buildServiceClusters(svc, port, dr, cs, p);
            List<Provenance.Source> src = new ArrayList<>();
            for (Cluster c : cs) {
                src.add(p.get(Provenance.cluster(c.getName())).orElse(null));
            }
            return new ClusterSet(List.copyOf(cs), src);
        });
        clusters.addAll(set.clusters());
        for (int i = 0; i < set.clusters().size(); i++) {
            Provenance.Source s = set.sources().get(i);
            if (s != null) {
                prov.put(Provenance.cluster(set.clusters().get(i).getName()), s.resource(), s.path());
            }
        }
    }

    private void buildServiceClusters(MeshService svc, ServicePort port, DestinationRules.Rule dr, List<Cluster> clusters,
                                      Provenance prov) {
        JsonNode spec = dr == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : dr.resource().spec();
        Resource drRes = dr == null ? null : dr.resource();
        Cluster base = Clusters.outbound(svc, port, null, DestinationRules.effectivePolicy(spec, null, port.number()),
                drRes, TRUST_DOMAIN);
        clusters.add(base);
        if (drRes != null && spec.has("trafficPolicy")) {
            prov.put(Provenance.cluster(base.getName()), drRes, FieldPath.of("spec", "trafficPolicy"));
        } else {
            prov.put(Provenance.cluster(base.getName()), svc.resource(), FieldPath.ROOT);
        }
        JsonNode subsets = spec.path("subsets");
        for (int i = 0; i < subsets.size(); i++) {
            JsonNode s = subsets.get(i);
            String name = s.path("name").asText("");
            Cluster c = Clusters.outbound(svc, port, name, DestinationRules.effectivePolicy(spec, s, port.number()),
                    drRes, TRUST_DOMAIN);
            clusters.add(c);
            prov.put(Provenance.cluster(c.getName()), drRes, FieldPath.of("spec", "subsets").index(i));
        }
    }

    /**
     * Domains istiod generates for a service host: the FQDN, the FQDN with a trailing dot, the short forms valid
     * from the proxy's namespace and the Service's cluster IP. No {@code :port} forms: route configurations set
     * {@code ignore_port_in_host_matching}, as istiod's do.
     */
    static List<String> domains(MeshService svc, String proxyNamespace, String domainSuffix) {
        List<String> out = new ArrayList<>();
        String host = svc.host();
        out.add(host);
        if (!Hosts.isWildcard(host)) {
            out.add(host + ".");
        }
        String k8sSuffix = ".svc." + domainSuffix;
        if (!svc.fromServiceEntry() && host.endsWith(k8sSuffix)) {
            String nameNs = host.substring(0, host.length() - domainSuffix.length() - 1); // name.ns.svc
            String nameDotNs = nameNs.substring(0, nameNs.length() - 4); // name.ns
            if (svc.namespace().equals(proxyNamespace)) {
                out.add(nameDotNs.substring(0, nameDotNs.lastIndexOf('.')));
                out.add(nameNs);
                out.add(nameDotNs);
            } else {
                out.add(nameDotNs);
                out.add(nameNs);
            }
            String ip = svc.resource().spec().path("clusterIP").asText("");
            if (!ip.isEmpty() && !ip.equals("None")) {
                out.add(ip);
            }
        }
        return out;
    }

    private record VhostEntry(VirtualHost vhost, Provenance provenance) {
    }

    private final Map<String, VhostEntry> vhostCache = new ConcurrentHashMap<>();

    private VirtualHost serviceVirtualHost(Scope scope, MeshService svc, ServicePort port, Workload w, String rc,
                                           Provenance prov) {
        VsEntry vs = virtualServiceFor(scope, svc);
        if (vs != null && vs.sourceScoped()) {
            return buildVirtualHost(scope, svc, port, w, rc, prov, vs);
        }
        String key = svc.host() + "|" + port.number() + "|" + svc.namespace().equals(scope.namespace) + "|"
                + (vs == null ? "" : vs.resource().key().namespacedName());
        VhostEntry e = vhostCache.computeIfAbsent(key, k -> {
            Provenance p = new Provenance();
            return new VhostEntry(buildVirtualHost(scope, svc, port, w, rc, p, vs), p);
        });
        e.provenance().all().forEach((k, v) -> prov.put(k, v.resource(), v.path()));
        return e.vhost();
    }

    /** The first VirtualService (by key) bound to the mesh, visible here and covering the service's host. */
    private VsEntry virtualServiceFor(Scope scope, MeshService svc) {
        for (VsEntry vs : virtualServices) {
            if (!vs.gateways().contains("mesh") || !scope.sees(vs.resource(), vs.hosts())) {
                continue;
            }
            if (vs.hosts().stream().anyMatch(h -> Hosts.covers(h, svc.host()))) {
                return vs;
            }
        }
        return null;
    }

    private VirtualHost buildVirtualHost(Scope scope, MeshService svc, ServicePort port, Workload w, String rc,
                                         Provenance prov, VsEntry vs) {
        String vhName = svc.host() + ":" + port.number();
        VirtualHost.Builder vh = VirtualHost.newBuilder().setName(vhName)
                .addAllDomains(domains(svc, scope.namespace, index.domainSuffix()))
                .setIncludeRequestAttemptCount(true);
        List<Routes.Built> built = new ArrayList<>();
        if (vs != null) { // istiod uses the first VirtualService for a host
            built.addAll(routes.translate(vs.resource(), port.number(), "mesh", w));
            prov.put(Provenance.vhost(rc, vhName), vs.resource(), FieldPath.of("spec", "hosts"));
        }
        if (built.isEmpty()) {
            vh.addRoutes(Routes.defaultRoute(Clusters.outboundName(port.number(), null, svc.host())));
            prov.put(Provenance.route(rc, vhName, 0), svc.resource(), FieldPath.ROOT);
        } else {
            for (int i = 0; i < built.size(); i++) {
                vh.addRoutes(built.get(i).route());
                prov.put(Provenance.route(rc, vhName, i), built.get(i).source(), built.get(i).path());
            }
        }
        return vh.build();
    }

    // ------------------------------------------------------------------ inbound

    private void inbound(Workload w, List<Listener> listeners, List<Cluster> clusters, Provenance prov) {
        Map<Integer, Inbound> ports = new TreeMap<>();
        for (SelectingService ss : selectingServices.getOrDefault(w.namespace(), List.of())) {
            Resource s = ss.service();
            if (!w.matches(ss.selector())) {
                continue;
            }
            String host = s.name() + "." + s.namespace() + ".svc." + index.domainSuffix();
            for (MeshService svc : index.servicesForHost(host)) {
                if (svc.resource() != s) {
                    continue;
                }
                for (ServicePort p : svc.ports()) {
                    int target = targetPort(w, p);
                    Inbound in = ports.computeIfAbsent(target, t -> new Inbound(t, p.protocol(), new ArrayList<>(), s));
                    in.services().add(host);
                }
            }
        }
        Mtls.Effective mtls = Mtls.of(index, w);
        List<Resource> policies = Authz.applicable(index, w);
        List<HttpFilter> rbac = Authz.filters(policies, TRUST_DOMAIN);
        for (Resource p : policies) {
            prov.put("policy/ns[" + p.namespace() + "]-policy[" + p.name() + "]", p, FieldPath.of("spec", "rules"));
        }
        Listener.Builder l = Listeners.listener("virtualInbound", "0.0.0.0", VIRTUAL_INBOUND_PORT,
                        TrafficDirection.INBOUND)
                .setUseOriginalDst(BoolValue.of(true))
                .addListenerFilters(Listeners.originalDst()).addListenerFilters(Listeners.tlsInspector());
        for (Inbound in : ports.values()) {
            String cluster = Clusters.inboundName(in.port());
            clusters.add(Clusters.inbound(in.port(), in.services()));
            prov.put(Provenance.cluster(cluster), in.service(), FieldPath.of("spec", "ports"));
            Mtls.Mode mode = mtls.mode(in.port());
            boolean http = Protocols.isHttp(in.protocol()) || in.protocol().equals("UNKNOWN");
            String base = "0.0.0.0_" + in.port();
            if (mode != Mtls.Mode.DISABLE) {
                l.addFilterChains(inboundChain(base, in, cluster, http, rbac, "tls", Tls.istioDownstream(TRUST_DOMAIN)));
            }
            if (mode != Mtls.Mode.STRICT) {
                l.addFilterChains(inboundChain(base + (mode == Mtls.Mode.PERMISSIVE ? "_plaintext" : ""), in, cluster,
                        http, rbac, "raw_buffer", null));
            }
            Resource src = mtls.source(in.port());
            if (src != null) {
                prov.put("filterchain/virtualInbound/" + base, src, FieldPath.of("spec"));
            }
        }
        Mtls.Mode catchAll = mtls.mode(0);
        if (catchAll != Mtls.Mode.DISABLE) {
            l.addFilterChains(Listeners.chain("virtualInbound-catchall-tls",
                    FilterChainMatch.newBuilder().setTransportProtocol("tls").build(), Tls.istioDownstream(TRUST_DOMAIN),
                    Listeners.tcpProxy(Xds.INBOUND_PASSTHROUGH, Xds.INBOUND_PASSTHROUGH)));
        }
        if (catchAll != Mtls.Mode.STRICT) {
            l.addFilterChains(Listeners.chain("virtualInbound-catchall-plaintext",
                    FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer").build(), null,
                    Listeners.tcpProxy(Xds.INBOUND_PASSTHROUGH, Xds.INBOUND_PASSTHROUGH)));
        }
        listeners.add(l.build());
    }

    private record SelectingService(Resource service, Map<String, String> selector) {
    }

    private final Map<String, List<SelectingService>> selectingServices = new java.util.HashMap<>();

    private record Inbound(int port, String protocol, List<String> services, Resource service) {
    }

    private static FilterChain inboundChain(String name, Inbound in, String cluster, boolean http, List<HttpFilter> rbac,
                                            String transport, io.envoyproxy.envoy.config.core.v3.TransportSocket socket) {
        FilterChainMatch match = FilterChainMatch.newBuilder()
                .setDestinationPort(com.google.protobuf.UInt32Value.of(in.port())).setTransportProtocol(transport).build();
        if (!http) {
            return Listeners.chain(name, match, socket, Listeners.tcpProxy("inbound_" + name, cluster));
        }
        RouteConfiguration rc = RouteConfiguration.newBuilder().setName(cluster)
                .setValidateClusters(BoolValue.of(false))
                .addVirtualHosts(VirtualHost.newBuilder().setName("inbound|http|" + in.port()).addDomains("*")
                        .addRoutes(Route.newBuilder().setName("default").setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                .setRoute(RouteAction.newBuilder().setCluster(cluster)
                                        .setTimeout(com.google.protobuf.Duration.getDefaultInstance())
                                        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
                                                .setMaxStreamDuration(com.google.protobuf.Duration.getDefaultInstance())
                                                .setGrpcTimeoutHeaderMax(com.google.protobuf.Duration.getDefaultInstance())))))
                .build();
        return Listeners.chain(name, match, socket, Listeners.hcmInline("inbound_" + name, rc, rbac));
    }

    /** The container port a Service port targets: a number, a named container port of the pod, or the port itself. */
    private int targetPort(Workload w, ServicePort p) {
        String t = p.targetPort();
        if (t == null || t.isEmpty()) {
            return p.number();
        }
        if (t.matches("\\d{1,5}")) {
            return Integer.parseInt(t);
        }
        JsonNode podSpec = w.resource() == null ? null : Workloads.podTemplate(w.resource(), index::get).path("spec");
        if (podSpec != null) {
            for (JsonNode c : podSpec.path("containers")) {
                for (JsonNode cp : c.path("ports")) {
                    if (t.equals(cp.path("name").asText())) {
                        return cp.path("containerPort").asInt(p.number());
                    }
                }
            }
        }
        return p.number();
    }

    // ------------------------------------------------------------------ gateways

    private record Server(Resource gateway, int index, JsonNode server) {
        int port() {
            return server.path("port").path("number").asInt();
        }

        String protocol() {
            return server.path("port").path("protocol").asText("HTTP").toUpperCase(Locale.ROOT);
        }

        String portName() {
            return server.path("port").path("name").asText("");
        }

        FieldPath path() {
            return FieldPath.of("spec", "servers").index(index);
        }
    }

    private ProxyConfig gateway(Proxy proxy) {
        Workload w = proxy.workload();
        Provenance prov = new Provenance();
        Map<Integer, List<Server>> byPort = new TreeMap<>();
        List<Resource> gws = new ArrayList<>(index.ofKind(Kind.GATEWAY));
        gws.sort(Comparator.comparing(Resource::key));
        for (Resource gw : gws) {
            Map<String, String> sel = MeshIndex.stringMap(gw.spec().path("selector"));
            if (sel.isEmpty() || !w.matches(sel)) {
                continue;
            }
            JsonNode servers = gw.spec().path("servers");
            for (int i = 0; i < servers.size(); i++) {
                Server s = new Server(gw, i, servers.get(i));
                byPort.computeIfAbsent(s.port(), p -> new ArrayList<>()).add(s);
            }
        }
        List<Listener> listeners = new ArrayList<>();
        List<RouteConfiguration> rcs = new ArrayList<>();
        for (Map.Entry<Integer, List<Server>> e : byPort.entrySet()) {
            int port = e.getKey();
            // istiod binds a server to the pod port its gateway Service maps the server's port to (80 -> 8080)
            int bind = gatewayTargetPort(w, port, prov);
            String ln = "0.0.0.0_" + bind;
            Listener.Builder l = Listeners.listener(ln, "0.0.0.0", bind, TrafficDirection.OUTBOUND);
            List<Server> plain = new ArrayList<>();
            for (Server s : e.getValue()) {
                String proto = s.protocol();
                if (proto.equals("HTTP") || proto.equals("HTTP2") || proto.equals("GRPC")) {
                    plain.add(s);
                } else if (proto.equals("HTTPS") && !s.server().path("tls").path("mode").asText("").equals("PASSTHROUGH")) {
                    String rcName = "https." + port + "." + s.portName() + "." + s.gateway().name() + "."
                            + s.gateway().namespace();
                    rcs.add(gatewayRoutes(rcName, port, List.of(s), prov));
                    FilterChainMatch.Builder m = FilterChainMatch.newBuilder();
                    for (String h : serverHosts(s)) {
                        if (!h.equals("*")) {
                            m.addServerNames(h);
                        }
                    }
                    l.addFilterChains(Listeners.chain(rcName, m.build(), Tls.gateway(s.server().path("tls")),
                            Listeners.hcmRds(rcName, rcName, List.of())));
                    prov.put("filterchain/" + ln + "/" + rcName, s.gateway(), s.path());
                }
                // TLS passthrough, TCP and other protocols are not translated (see docs/envoy.md)
            }
            if (!plain.isEmpty()) {
                String rcName = "http." + bind;
                rcs.add(gatewayRoutes(rcName, port, plain, prov));
                l.addFilterChains(Listeners.chain(rcName, null, null, Listeners.hcmRds("outbound_0.0.0.0_" + bind,
                        rcName, List.of())));
            }
            if (l.getFilterChainsCount() > 0) {
                listeners.add(l.build());
                prov.put(Provenance.listener(ln), e.getValue().get(0).gateway(), e.getValue().get(0).path());
            }
        }
        List<Cluster> clusters = new ArrayList<>();
        for (MeshService svc : services) {
            if (!svc.visibleFrom(w.namespace())) {
                continue;
            }
            for (ServicePort port : svc.ports()) {
                addServiceClusters(svc, port, w.namespace(), clusters, prov);
            }
        }
        clusters.add(Clusters.blackhole());
        return new ProxyConfig(proxy, listeners, rcs, clusters, prov);
    }

    /** The target port of the gateway's Service port {@code port} (a Service in its namespace selecting it), else port. */
    private int gatewayTargetPort(Workload w, int port, Provenance prov) {
        for (SelectingService ss : selectingServices.getOrDefault(w.namespace(), List.of())) {
            if (!w.matches(ss.selector())) {
                continue;
            }
            Resource s = ss.service();
            for (MeshService svc : index.servicesForHost(s.name() + "." + s.namespace() + ".svc." + index.domainSuffix())) {
                if (svc.resource() != s) {
                    continue;
                }
                for (ServicePort p : svc.ports()) {
                    if (p.number() == port) {
                        int target = targetPort(w, p);
                        prov.put(Provenance.servicePort(port, target), s, FieldPath.of("spec", "ports"));
                        return target;
                    }
                }
            }
        }
        return port;
    }

    private static List<String> serverHosts(Server s) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : s.server().path("hosts")) {
            String t = h.asText().toLowerCase(Locale.ROOT);
            int slash = t.indexOf('/');
            out.add(slash >= 0 ? t.substring(slash + 1) : t);
        }
        return out;
    }

    private static String serverHostNamespace(String raw) {
        int slash = raw.indexOf('/');
        return slash >= 0 ? raw.substring(0, slash) : "*";
    }

    private RouteConfiguration gatewayRoutes(String rcName, int port, List<Server> servers, Provenance prov) {
        Map<String, VirtualHost.Builder> vhosts = new TreeMap<>();
        Map<String, Integer> routeCounts = new LinkedHashMap<>();
        for (Server s : servers) {
            String gwId = s.gateway().namespace() + "/" + s.gateway().name();
            boolean redirect = s.server().path("tls").path("httpsRedirect").asBoolean(false);
            for (JsonNode rawHost : s.server().path("hosts")) {
                String raw = rawHost.asText().toLowerCase(Locale.ROOT);
                String hostNs = serverHostNamespace(raw);
                String serverHost = raw.contains("/") ? raw.substring(raw.indexOf('/') + 1) : raw;
                for (VsEntry vs : virtualServices) {
                    if (!vs.gateways().contains(gwId)) {
                        continue;
                    }
                    String vns = vs.resource().namespace();
                    if (!hostNs.equals("*") && !(hostNs.equals(".") ? vns.equals(s.gateway().namespace()) : vns.equals(hostNs))) {
                        continue;
                    }
                    for (String vh : vs.hosts()) {
                        if (!Hosts.overlap(serverHost, vh)) {
                            continue;
                        }
                        String host = Hosts.covers(serverHost, vh) ? vh : serverHost;
                        String vhName = host + ":" + port;
                        VirtualHost.Builder b = vhosts.get(vhName);
                        boolean fresh = b == null;
                        if (fresh) {
                            b = VirtualHost.newBuilder().setName(vhName).addDomains(host)
                                    .setIncludeRequestAttemptCount(true);
                            if (redirect) {
                                b.setRequireTls(VirtualHost.TlsRequirementType.ALL);
                            }
                            vhosts.put(vhName, b);
                            prov.put(Provenance.vhost(rcName, vhName), vs.resource(), FieldPath.of("spec", "hosts"));
                        }
                        int before = routeCounts.getOrDefault(vhName, 0);
                        if (!fresh && prov.get("vhost-vs/" + rcName + "/" + vhName + "/" + vs.resource().key()).isPresent()) {
                            continue;
                        }
                        prov.put("vhost-vs/" + rcName + "/" + vhName + "/" + vs.resource().key(), vs.resource(),
                                FieldPath.ROOT);
                        List<Routes.Built> built = routes.translate(vs.resource(), port, gwId, null);
                        for (int i = 0; i < built.size(); i++) {
                            b.addRoutes(built.get(i).route());
                            prov.put(Provenance.route(rcName, vhName, before + i), built.get(i).source(), built.get(i).path());
                        }
                        routeCounts.put(vhName, before + built.size());
                    }
                }
            }
        }
        RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(rcName)
                .setValidateClusters(BoolValue.of(false)).setIgnorePortInHostMatching(true);
        vhosts.values().forEach(rc::addVirtualHosts);
        if (vhosts.isEmpty()) {
            rc.addVirtualHosts(VirtualHost.newBuilder().setName("blackhole:" + port).addDomains("*")
                    .addRoutes(Route.newBuilder().setName("default").setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setDirectResponse(DirectResponseAction.newBuilder().setStatus(404))));
        }
        prov.put(Provenance.routeConfig(rcName), servers.get(0).gateway(), servers.get(0).path());
        return rc.build();
    }
}
