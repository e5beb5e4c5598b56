package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a proxy can see, as istiod's SidecarScope computes it: the Sidecar resource that applies
 * (workload-selected in its namespace, else the namespace default, else the root namespace default),
 * its egress hosts ({@code ns/host}), and exportTo of services, VirtualServices and DestinationRules.
 */
final class Scope {
    record EgressHost(String namespace, String host) {
    }

    final String namespace;
    final Resource sidecar;
    final List<EgressHost> egress;
    final boolean registryOnly;

    private Scope(String namespace, Resource sidecar, List<EgressHost> egress, boolean registryOnly) {
        this.namespace = namespace;
        this.sidecar = sidecar;
        this.egress = egress;
        this.registryOnly = registryOnly;
    }

    /** Cache key: proxies in one namespace under one Sidecar resource see the same outbound config. */
    String key() {
        return namespace + "|" + (sidecar == null ? "" : sidecar.key().namespacedName());
    }

    static Scope of(MeshIndex index, Workload w, boolean gateway) {
        Resource sidecar = gateway ? null : sidecarFor(index, w);
        if (sidecar == null) {
            return new Scope(w.namespace(), null, null, false);
        }
        List<EgressHost> egress = null;
        JsonNode eg = sidecar.spec().path("egress");
        if (eg.isArray() && !eg.isEmpty()) {
            egress = new ArrayList<>();
            for (JsonNode e : eg) {
                for (JsonNode h : e.path("hosts")) {
                    String text = h.asText();
                    int slash = text.indexOf('/');
                    if (slash > 0) {
                        egress.add(new EgressHost(text.substring(0, slash),
                                text.substring(slash + 1).toLowerCase(java.util.Locale.ROOT)));
                    }
                }
            }
        }
        boolean registryOnly = "REGISTRY_ONLY".equals(sidecar.spec().path("outboundTrafficPolicy").path("mode").asText());
        return new Scope(w.namespace(), sidecar, egress, registryOnly);
    }

    static Resource sidecarFor(MeshIndex index, Workload w) {
        Resource nsDefault = null;
        Resource rootDefault = null;
        List<Resource> sidecars = new ArrayList<>(index.ofKind(Kind.SIDECAR));
        sidecars.sort(Comparator.comparing(Resource::key));
        for (Resource s : sidecars) {
            JsonNode sel = s.spec().path("workloadSelector").path("labels");
            boolean hasSelector = sel.isObject() && !sel.isEmpty();
            if (s.namespace().equals(w.namespace())) {
                if (hasSelector) {
                    if (w.matches(MeshIndex.stringMap(sel))) {
                        return s;
                    }
                } else if (nsDefault == null) {
                    nsDefault = s;
                }
            } else if (s.namespace().equals(index.rootNamespace()) && !hasSelector && rootDefault == null) {
                rootDefault = s;
            }
        }
        return nsDefault != null ? nsDefault : rootDefault;
    }

    private boolean egressAllows(String configNamespace, String host) {
        if (egress == null) {
            return true;
        }
        for (EgressHost e : egress) {
            boolean nsOk = switch (e.namespace()) {
                case "*" -> true;
                case "." -> configNamespace.equals(namespace);
                case "~" -> false;
                default -> configNamespace.equals(e.namespace());
            };
            if (nsOk && Hosts.overlap(e.host(), host)) {
                return true;
            }
        }
        return false;
    }

    boolean sees(MeshService s) {
        return s.visibleFrom(namespace) && egressAllows(s.namespace(), s.host());
    }

    static boolean exportedTo(Resource r, String namespace) {
        JsonNode ex = r.spec().path("exportTo");
        if (!ex.isArray() || ex.isEmpty()) {
            return true;
        }
        for (JsonNode e : ex) {
            String v = e.asText();
            if (v.equals("*") || v.equals(namespace) || (v.equals(".") && r.namespace().equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    /** A VirtualService is visible when exported here and one of its hosts passes the egress filter. */
    boolean sees(Resource config, List<String> resolvedHosts) {
        if (!exportedTo(config, namespace)) {
            return false;
        }
        for (String h : resolvedHosts) {
            if (egressAllows(config.namespace(), h)) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> selector(Resource r) {
        return MeshIndex.stringMap(r.spec().path("selector").path("matchLabels"));
    }
}
