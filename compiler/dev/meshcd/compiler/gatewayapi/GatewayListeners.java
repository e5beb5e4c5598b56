package dev.meshcd.compiler.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.index.Hosts;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The listeners of a Gateway API Gateway and which routes they accept, as the Gateway API defines it and istiod
 * applies it: a listener takes routes of the kinds its protocol serves (or {@code allowedRoutes.kinds}) from the
 * namespaces {@code allowedRoutes.namespaces.from} allows ({@code Same} by default), and a route with hostnames
 * only where one of them meets the listener's hostname.
 */
public final class GatewayListeners {
    private GatewayListeners() {
    }

    /** One listener, {@code spec.listeners[index]} of its Gateway. {@code hostname} is "" when unset. */
    public record Listener(Resource gateway, int index, String name, int port, String protocol, String hostname,
                           JsonNode allowedRoutes, JsonNode tls) {
        public FieldPath path() {
            return FieldPath.of("spec", "listeners").index(index);
        }
    }

    /** What attaching a route to one parentRef gives: the listeners it binds to, or why none takes it. */
    public record Attachment(List<Listener> listeners, String refusal) {
        public boolean attached() {
            return !listeners.isEmpty();
        }
    }

    public static List<Listener> of(Resource gateway) {
        List<Listener> out = new ArrayList<>();
        JsonNode ls = gateway.spec().path("listeners");
        for (int i = 0; i < ls.size(); i++) {
            JsonNode l = ls.get(i);
            out.add(new Listener(gateway, i, l.path("name").asText(""), l.path("port").asInt(0),
                    l.path("protocol").asText("").toUpperCase(Locale.ROOT), l.path("hostname").asText(""),
                    l.path("allowedRoutes"), l.path("tls")));
        }
        return out;
    }

    /** The Gateway a parentRef names, if the index has it. */
    public static java.util.Optional<Resource> gateway(MeshIndex index, GatewayApiRefs.ParentRef ref) {
        return index.get(new ResourceKey(Kind.GATEWAY_API, "Gateway", ref.namespace(), ref.name()));
    }

    /**
     * The listeners of {@code gateway} that {@code route} binds to through {@code ref} (its sectionName and port
     * narrow them), or why none does. A sectionName or port no listener has is the caller's "not found".
     */
    public static Attachment attach(MeshIndex index, Resource route, Resource gateway, GatewayApiRefs.ParentRef ref) {
        List<Listener> named = new ArrayList<>();
        for (Listener l : of(gateway)) {
            if ((ref.sectionName().isEmpty() || ref.sectionName().equals(l.name())) && (ref.port() == 0 || ref.port() == l.port())) {
                named.add(l);
            }
        }
        List<String> reasons = new ArrayList<>();
        List<Listener> accepted = new ArrayList<>();
        List<String> hostnames = new ArrayList<>();
        route.spec().path("hostnames").forEach(h -> hostnames.add(h.asText("").toLowerCase(Locale.ROOT)));
        for (Listener l : named) {
            String refusal = refusal(index, l, route);
            if (refusal == null && !hostnamesMeet(l.hostname(), hostnames)) {
                refusal = "none of its hostnames " + goList(hostnames) + " matches the listener's hostname \""
                        + l.hostname() + "\"";
            }
            if (refusal == null) {
                accepted.add(l);
            } else {
                reasons.add("listener \"" + l.name() + "\": " + refusal);
            }
        }
        return new Attachment(List.copyOf(accepted), String.join("; ", reasons));
    }

    /** Why a listener does not take routes of this kind from this namespace, or null when it does. */
    static String refusal(MeshIndex index, Listener l, Resource route) {
        JsonNode kinds = l.allowedRoutes().path("kinds");
        String kind = route.key().kind();
        if (kinds.isArray() && !kinds.isEmpty()) {
            boolean listed = false;
            for (JsonNode k : kinds) {
                listed |= k.path("kind").asText("").equals(kind)
                        && GatewayApiRefs.text(k, "group", Kind.GATEWAY_API).equals(route.key().group());
            }
            if (!listed) {
                return "its allowedRoutes.kinds do not include " + kind;
            }
        } else if (!defaultKinds(l.protocol()).contains(kind)) {
            return "a " + l.protocol() + " listener takes " + String.join(" and ", defaultKinds(l.protocol()))
                    + ", not " + kind;
        }
        JsonNode ns = l.allowedRoutes().path("namespaces");
        String from = ns.path("from").asText("Same");
        String gwNs = l.gateway().namespace();
        switch (from) {
            case "All":
                return null;
            case "Selector": {
                Map<String, String> want = MeshIndex.stringMap(ns.path("selector").path("matchLabels"));
                Resource n = index.get(new ResourceKey("", "Namespace", "", route.namespace())).orElse(null);
                if (n == null) {
                    return null; // the namespace's labels are unknown here: give the route the benefit of the doubt
                }
                Map<String, String> labels = new java.util.HashMap<>(n.labels());
                labels.putIfAbsent("kubernetes.io/metadata.name", route.namespace());
                for (Map.Entry<String, String> e : want.entrySet()) {
                    if (!e.getValue().equals(labels.get(e.getKey()))) {
                        return "namespace \"" + route.namespace() + "\" does not match its allowedRoutes selector";
                    }
                }
                return null;
            }
            case "None":
                return "it allows no routes";
            default:
                return route.namespace().equals(gwNs) ? null
                        : "it allows routes from its own namespace \"" + gwNs + "\" only (allowedRoutes.namespaces.from: Same)";
        }
    }

    /** The route kinds a listener protocol takes when allowedRoutes.kinds is unset. */
    public static List<String> defaultKinds(String protocol) {
        return switch (protocol) {
            case "HTTP", "HTTPS" -> List.of("HTTPRoute", "GRPCRoute");
            case "TLS" -> List.of("TLSRoute");
            case "TCP" -> List.of("TCPRoute");
            case "UDP" -> List.of("UDPRoute");
            default -> List.of();
        };
    }

    /** A route without hostnames matches any listener; else one of its hostnames must meet the listener's. */
    static boolean hostnamesMeet(String listenerHostname, List<String> routeHostnames) {
        if (listenerHostname.isEmpty() || routeHostnames.isEmpty()) {
            return true;
        }
        for (String h : routeHostnames) {
            if (Hosts.overlap(listenerHostname.toLowerCase(Locale.ROOT), h)) {
                return true;
            }
        }
        return false;
    }

    static String goList(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }
}
