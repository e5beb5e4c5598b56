package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;

/** Walks the parts of a VirtualService that analyzers look at: destinations, gateway references, hosts. */
public final class VirtualServices {
    public static final String MESH = "mesh";

    private VirtualServices() {
    }

    /** A destination of a route or mirror; {@code path} points at the destination object. */
    public record Destination(FieldPath path, JsonNode node, boolean mirror) {
        public String host() {
            return node.path("host").asText("");
        }

        public String subset() {
            return node.path("subset").asText("");
        }

        public boolean hasPort() {
            return node.path("port").path("number").asInt(0) != 0;
        }
    }

    /** A gateway name as written, where it was written. */
    public record GatewayRef(FieldPath path, String name) {
    }

    public static List<Destination> destinations(Resource vs) {
        List<Destination> out = new ArrayList<>();
        FieldPath spec = FieldPath.of("spec");
        for (String section : new String[] {"http", "tcp", "tls"}) {
            JsonNode rules = vs.spec().path(section);
            for (int i = 0; i < rules.size(); i++) {
                JsonNode rule = rules.path(i);
                FieldPath rp = spec.key(section).index(i);
                JsonNode route = rule.path("route");
                for (int j = 0; j < route.size(); j++) {
                    JsonNode d = route.path(j).get("destination");
                    if (d != null && d.isObject()) {
                        out.add(new Destination(rp.key("route").index(j).key("destination"), d, false));
                    }
                }
                JsonNode mirror = rule.get("mirror");
                if (mirror != null && mirror.isObject()) {
                    out.add(new Destination(rp.key("mirror"), mirror, true));
                }
                JsonNode mirrors = rule.path("mirrors");
                for (int j = 0; j < mirrors.size(); j++) {
                    JsonNode d = mirrors.path(j).get("destination");
                    if (d != null && d.isObject()) {
                        out.add(new Destination(rp.key("mirrors").index(j).key("destination"), d, true));
                    }
                }
            }
        }
        return out;
    }

    /** spec.gateways and the gateways of every http/tcp/tls match. */
    public static List<GatewayRef> gatewayRefs(Resource vs) {
        List<GatewayRef> out = new ArrayList<>();
        FieldPath spec = FieldPath.of("spec");
        JsonNode gws = vs.spec().path("gateways");
        for (int i = 0; i < gws.size(); i++) {
            out.add(new GatewayRef(spec.key("gateways").index(i), gws.path(i).asText("")));
        }
        for (String section : new String[] {"http", "tcp", "tls"}) {
            JsonNode rules = vs.spec().path(section);
            for (int i = 0; i < rules.size(); i++) {
                JsonNode match = rules.path(i).path("match");
                for (int j = 0; j < match.size(); j++) {
                    JsonNode mg = match.path(j).path("gateways");
                    for (int k = 0; k < mg.size(); k++) {
                        out.add(new GatewayRef(spec.key(section).index(i).key("match").index(j).key("gateways").index(k),
                                mg.path(k).asText("")));
                    }
                }
            }
        }
        return out;
    }

    /** True when the VirtualService applies to sidecars: no gateways listed, or "mesh" among them. */
    public static boolean boundToMesh(Resource vs) {
        JsonNode gws = vs.spec().path("gateways");
        if (!gws.isArray() || gws.isEmpty()) {
            return true;
        }
        for (JsonNode g : gws) {
            if (MESH.equals(g.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The Gateway a reference names, as istiod resolves it: "ns/name", a short name in the
     * VirtualService's namespace, or the legacy "name.ns.svc.cluster.local" form. Null for "mesh".
     */
    public static ResourceKey gatewayKey(String ref, String vsNamespace) {
        if (ref.equals(MESH) || ref.isEmpty()) {
            return null;
        }
        String ns = vsNamespace;
        String name = ref;
        int slash = ref.indexOf('/');
        if (slash >= 0) {
            ns = ref.substring(0, slash);
            name = ref.substring(slash + 1);
        } else if (ref.contains(".")) {
            String[] parts = ref.split("\\.");
            name = parts[0];
            ns = parts.length > 1 ? parts[1] : vsNamespace;
        }
        return new ResourceKey(Kind.GATEWAY.group(), Kind.GATEWAY.kind(), ns, name);
    }

    public static List<String> hosts(Resource r) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : r.spec().path("hosts")) {
            out.add(h.asText("").toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /** Keys of what {@code lookup} finds under any of these hosts in either index: who a change may concern. */
    static Set<ResourceKey> keysUnderHosts(MeshIndex before, MeshIndex after, Collection<String> fqdns,
                                           BiFunction<MeshIndex, String, List<Resource>> lookup) {
        Set<ResourceKey> out = new HashSet<>();
        for (String fqdn : fqdns) {
            for (MeshIndex index : new MeshIndex[] {before, after}) {
                lookup.apply(index, fqdn).forEach(r -> out.add(r.key()));
            }
        }
        return out;
    }
}
