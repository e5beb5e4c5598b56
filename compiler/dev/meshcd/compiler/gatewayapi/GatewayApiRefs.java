package dev.meshcd.compiler.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The references of Gateway API routes as the API server stores them: {@code parentRefs} and {@code backendRefs}
 * with their defaults filled in (a parent is a {@code gateway.networking.k8s.io} Gateway, a backend a core
 * Service, both in the route's namespace unless they say otherwise).
 */
public final class GatewayApiRefs {
    /** The route kinds istiod attaches to Gateways (and, HTTPRoute, GRPCRoute, TCPRoute, to Services). */
    public static final Set<Kind> ROUTE_KINDS = Set.of(Kind.HTTP_ROUTE, Kind.GRPC_ROUTE, Kind.TCP_ROUTE,
            Kind.TLS_ROUTE, Kind.UDP_ROUTE);
    /** istio's backendRef kind for a ServiceEntry host: {@code group: networking.istio.io, kind: Hostname}. */
    public static final String HOSTNAME_KIND = "Hostname";

    private GatewayApiRefs() {
    }

    /** One {@code parentRefs} entry. {@code port} is 0 when unset; {@code sectionName} "" when unset. */
    public record ParentRef(String group, String kind, String namespace, String name, String sectionName, int port,
                            FieldPath path) {
        public boolean isGateway() {
            return group.equals(Kind.GATEWAY_API) && kind.equals("Gateway");
        }

        public boolean isService() {
            return group.isEmpty() && kind.equals("Service");
        }

        public boolean isListenerSet() {
            return group.equals(Kind.GATEWAY_API) && kind.equals("ListenerSet");
        }

        public ResourceKey key() {
            return new ResourceKey(group, kind, namespace, name);
        }
    }

    /** One {@code backendRefs} entry of rule {@code rule}. {@code port} is 0 when unset. */
    public record BackendRef(String group, String kind, String namespace, String name, int port, int weight,
                             int rule, FieldPath path) {
        public boolean isService() {
            return group.isEmpty() && kind.equals("Service");
        }

        public boolean isHostname() {
            return group.equals(Kind.NETWORKING) && kind.equals(HOSTNAME_KIND);
        }

        public ResourceKey key() {
            return new ResourceKey(group, kind, namespace, name);
        }
    }

    public static boolean isRoute(Resource r) {
        return ROUTE_KINDS.contains(r.kind());
    }

    public static List<ParentRef> parentRefs(Resource route) {
        List<ParentRef> out = new ArrayList<>();
        JsonNode refs = route.spec().path("parentRefs");
        for (int i = 0; i < refs.size(); i++) {
            JsonNode p = refs.get(i);
            out.add(new ParentRef(text(p, "group", Kind.GATEWAY_API), text(p, "kind", "Gateway"),
                    text(p, "namespace", route.namespace()), p.path("name").asText(""), p.path("sectionName").asText(""),
                    p.path("port").asInt(0), FieldPath.of("spec", "parentRefs").index(i)));
        }
        return out;
    }

    /** The backends of every rule, in order ({@code spec.rules[i].backendRefs[j]}). */
    public static List<BackendRef> backendRefs(Resource route) {
        List<BackendRef> out = new ArrayList<>();
        JsonNode rules = route.spec().path("rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode refs = rules.get(i).path("backendRefs");
            for (int j = 0; j < refs.size(); j++) {
                out.add(backendRef(route, refs.get(j), i,
                        FieldPath.of("spec", "rules").index(i).key("backendRefs").index(j)));
            }
        }
        return out;
    }

    static BackendRef backendRef(Resource route, JsonNode b, int rule, FieldPath path) {
        return new BackendRef(text(b, "group", ""), text(b, "kind", "Service"), text(b, "namespace", route.namespace()),
                b.path("name").asText(""), b.path("port").asInt(0), b.path("weight").asInt(1), rule, path);
    }

    /** A field's text, or {@code otherwise} when it is absent or null (the CRD's default). */
    static String text(JsonNode node, String field, String otherwise) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? otherwise : v.asText();
    }
}
