package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.gatewayapi.GatewayApiRefs;
import dev.meshcd.compiler.gatewayapi.GatewayApiRefs.BackendRef;
import dev.meshcd.compiler.gatewayapi.GatewayApiRefs.ParentRef;
import dev.meshcd.compiler.gatewayapi.GatewayListeners;
import dev.meshcd.compiler.gatewayapi.ReferenceGrants;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The references of Gateway API routes, as istiod resolves them when it translates a route (it reports the
 * outcome only in the route's status, so these are meshcd's findings with Istio's "not found" code where one fits):
 * <ul>
 *   <li>a parent Gateway, ListenerSet or (mesh routing) Service must exist (IST0101); a parent Gateway must have the
 *       listener its {@code sectionName} or {@code port} names (IST0101), and one of those listeners must accept
 *       the route: its kind, its namespace ({@code allowedRoutes}) and its hostnames (MCD6002);</li>
 *   <li>a backend Service, or ServiceEntry host ({@code networking.istio.io} Hostname), must exist and have the
 *       port the route names (IST0101);</li>
 *   <li>a backend in another namespace, or a Gateway listener's certificate Secret, needs a ReferenceGrant there
 *       (MCD6001).</li>
 * </ul>
 */
public final class GatewayApiReferencesAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "k8sgateway.references";
    }

    private static final Set<Kind> SUBJECTS = subjectKinds();

    private static Set<Kind> subjectKinds() {
        Set<Kind> s = new java.util.HashSet<>(GatewayApiRefs.ROUTE_KINDS);
        s.add(Kind.K8S_GATEWAY);
        return Set.copyOf(s);
    }

    @Override
    public Set<Kind> subjects() {
        return SUBJECTS;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.K8S_GATEWAY, Kind.LISTENER_SET, Kind.SERVICE, Kind.SERVICE_ENTRY, Kind.REFERENCE_GRANT,
                Kind.NAMESPACE);
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        for (Kind k : GatewayApiRefs.ROUTE_KINDS) {
            for (Resource r : index.ofKind(k)) {
                check(index, r, sink);
            }
        }
        for (Resource gw : index.ofKind(Kind.K8S_GATEWAY)) {
            certificates(index, gw, sink);
        }
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        for (Resource r : subjects) {
            if (GatewayApiRefs.isRoute(r)) {
                check(index, r, sink);
            } else if (r.is(Kind.K8S_GATEWAY)) {
                certificates(index, r, sink);
            }
        }
    }

    private static void check(MeshIndex index, Resource route, DiagnosticSink sink) {
        for (ParentRef p : GatewayApiRefs.parentRefs(route)) {
            parent(index, route, p, sink);
        }
        for (BackendRef b : GatewayApiRefs.backendRefs(route)) {
            backend(index, route, b, sink);
        }
    }

    private static void parent(MeshIndex index, Resource route, ParentRef p, DiagnosticSink sink) {
        if (p.isService()) {
            Optional<Resource> svc = index.get(new ResourceKey("", "Service", p.namespace(), p.name()));
            if (svc.isEmpty()) {
                Messages.report(sink, route, "IST0101", p.path().key("name"), "parent service", shown(route, p.namespace(), p.name()));
            } else if (p.port() != 0 && !servicePorts(index, svc.get()).contains(p.port())) {
                Messages.report(sink, route, "IST0101", p.path().key("port"), "parent service port",
                        shown(route, p.namespace(), p.name()) + ":" + p.port());
            }
            return;
        }
        if (p.isListenerSet()) {
            if (index.get(p.key()).isEmpty()) {
                Messages.report(sink, route, "IST0101", p.path().key("name"), "parent listener set",
                        shown(route, p.namespace(), p.name()));
            }
            return;
        }
        if (!p.isGateway()) {
            return; // istiod ignores parents of other kinds: another controller's
        }
        Resource gw = GatewayListeners.gateway(index, p).orElse(null);
        if (gw == null) {
            Messages.report(sink, route, "IST0101", p.path().key("name"), "gateway", shown(route, p.namespace(), p.name()));
            return;
        }
        List<GatewayListeners.Listener> listeners = GatewayListeners.of(gw);
        if (!p.sectionName().isEmpty() && listeners.stream().noneMatch(l -> l.name().equals(p.sectionName()))) {
            Messages.report(sink, route, "IST0101", p.path().key("sectionName"), "gateway listener",
                    shown(route, p.namespace(), p.name()) + "/" + p.sectionName());
            return;
        }
        if (p.port() != 0 && listeners.stream().noneMatch(l -> l.port() == p.port())) {
            Messages.report(sink, route, "IST0101", p.path().key("port"), "gateway port",
                    shown(route, p.namespace(), p.name()) + ":" + p.port());
            return;
        }
        GatewayListeners.Attachment a = GatewayListeners.attach(index, route, gw, p);
        if (!a.attached() && !a.refusal().isEmpty()) {
            sink.report(route.diagnostic(Severity.ERROR, Codes.GATEWAY_API_NOT_ALLOWED_BY_LISTENERS, p.path(),
                    route.key().kind() + " " + route.key().namespacedName() + " is not accepted by Gateway "
                            + gw.key().namespacedName() + ": " + a.refusal()));
        }
    }

    private static void backend(MeshIndex index, Resource route, BackendRef b, DiagnosticSink sink) {
        if (b.isHostname()) {
            List<MeshService> services = index.servicesForHost(b.name());
            if (services.isEmpty()) {
                Messages.report(sink, route, "IST0101", b.path().key("name"), "backend host", b.name());
            } else if (b.port() != 0 && services.stream().noneMatch(s -> s.ports().stream().anyMatch(p -> p.number() == b.port()))) {
                Messages.report(sink, route, "IST0101", b.path().key("port"), "host:port", b.name() + ":" + b.port());
            }
            return;
        }
        if (!b.isService()) {
            return; // other backend kinds are another implementation's (istiod marks them InvalidKind)
        }
        if (!ReferenceGrants.permits(index, route, "", "Service", b.namespace(), b.name())) {
            sink.report(route.diagnostic(Severity.ERROR, Codes.GATEWAY_API_REF_NOT_PERMITTED, b.path().key("namespace"),
                    route.key().kind() + " " + route.key().namespacedName() + " refers to Service " + b.namespace() + "/"
                            + b.name() + " in another namespace, and no ReferenceGrant in namespace \"" + b.namespace()
                            + "\" allows " + route.key().kind() + "s from \"" + route.namespace() + "\" to refer to it"));
        }
        Optional<Resource> svc = index.get(new ResourceKey("", "Service", b.namespace(), b.name()));
        if (svc.isEmpty()) {
            Messages.report(sink, route, "IST0101", b.path().key("name"), "backend service", shown(route, b.namespace(), b.name()));
        } else if (b.port() != 0) {
            List<Integer> ports = servicePorts(index, svc.get());
            if (!ports.isEmpty() && !ports.contains(b.port())) {
                Messages.report(sink, route, "IST0101", b.path().key("port"), "backend service port",
                        shown(route, b.namespace(), b.name()) + ":" + b.port());
            }
        }
    }

    /** A listener's certificate Secret in another namespace needs a ReferenceGrant there (istiod: RefNotPermitted). */
    private static void certificates(MeshIndex index, Resource gw, DiagnosticSink sink) {
        JsonNode listeners = gw.spec().path("listeners");
        for (int i = 0; i < listeners.size(); i++) {
            JsonNode refs = listeners.get(i).path("tls").path("certificateRefs");
            for (int j = 0; j < refs.size(); j++) {
                JsonNode ref = refs.get(j);
                String ns = ref.path("namespace").asText(gw.namespace());
                String name = ref.path("name").asText("");
                if (!ref.path("group").asText("").isEmpty() || !ref.path("kind").asText("Secret").equals("Secret")) {
                    continue;
                }
                if (!ReferenceGrants.permits(index, gw, "", "Secret", ns, name)) {
                    sink.report(gw.diagnostic(Severity.ERROR, Codes.GATEWAY_API_REF_NOT_PERMITTED,
                            FieldPath.of("spec", "listeners").index(i).key("tls").key("certificateRefs").index(j)
                                    .key("namespace"),
                            "Gateway " + gw.key().namespacedName() + " refers to Secret " + ns + "/" + name
                                    + " in another namespace, and no ReferenceGrant in namespace \"" + ns
                                    + "\" allows Gateways from \"" + gw.namespace() + "\" to refer to it"));
                }
            }
        }
    }

    private static List<Integer> servicePorts(MeshIndex index, Resource service) {
        String host = service.name() + "." + service.namespace() + ".svc." + index.domainSuffix();
        for (MeshService s : index.servicesForHost(host)) {
            if (s.resource() == service) {
                return s.ports().stream().map(ServicePort::number).toList();
            }
        }
        return List.of();
    }

    /** "name" for an object of the route's namespace, else "namespace/name". */
    private static String shown(Resource route, String namespace, String name) {
        return namespace.equals(route.namespace()) ? name : namespace + "/" + name;
    }
}
