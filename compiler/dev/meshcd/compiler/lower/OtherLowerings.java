package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** MeshDefaults, Ingress and ExternalService → Istio resources. */
final class OtherLowerings {
    private static final FieldPath SPEC = FieldPath.of("spec");
    private static final String NET = "networking.istio.io/v1";
    /** The system CA bundle in Istio's proxy image: originated TLS verifies the server against it by default. */
    static final String SYSTEM_ROOTS = "/etc/ssl/certs/ca-certificates.crt";

    /** Name of the Gateway an Ingress generates (in the root namespace, so prefixed with the Ingress's namespace). */
    static String gatewayName(Resource ingress) {
        return ingress.namespace() + "-" + ingress.name();
    }

    private OtherLowerings() {
    }

    /**
     * MeshDefaults → PeerAuthentication "default" (mesh-wide mTLS, STRICT unless said otherwise), Sidecar
     * "default" (outbound traffic policy, REGISTRY_ONLY unless said otherwise) and Telemetry "mesh-default",
     * all in the root namespace. Timeout and retries are applied by ServicePolicy lowering.
     */
    static List<Resource> meshDefaults(Resource policy, LoweringContext ctx) {
        JsonNode spec = policy.spec();
        String root = ctx.rootNamespace();
        List<Resource> out = new ArrayList<>();
        Output pa = new Output(policy, ctx, "security.istio.io/v1", "PeerAuthentication", root, "default");
        pa.spec().putObject("mtls").put("mode", spec.path("mtls").asText("STRICT"));
        pa.trace(FieldPath.of("mtls"), spec.has("mtls") ? SPEC.key("mtls") : SPEC);
        out.add(pa.build());

        Output sidecar = new Output(policy, ctx, NET, "Sidecar", root, "default");
        sidecar.spec().putArray("egress").addObject().putArray("hosts").add("*/*");
        sidecar.spec().putObject("outboundTrafficPolicy").put("mode", spec.path("egress").asText("REGISTRY_ONLY"));
        sidecar.trace(FieldPath.of("outboundTrafficPolicy"), spec.has("egress") ? SPEC.key("egress") : SPEC);
        out.add(sidecar.build());

        if (spec.has("observability")) {
            Output t = new Output(policy, ctx, "telemetry.istio.io/v1", "Telemetry", root, "mesh-default");
            ServicePolicyLowering.telemetrySpec(t, spec.get("observability"), SPEC.key("observability"));
            out.add(t.build());
        }
        return out;
    }

    /** Ingress → Gateway (root namespace, istio: ingressgateway) + VirtualService bound to it. */
    static List<Resource> ingress(Resource policy, LoweringContext ctx) {
        JsonNode spec = policy.spec();
        String root = ctx.rootNamespace();
        String gwName = gatewayName(policy);
        JsonNode hosts = spec.path("hosts");
        JsonNode tls = spec.get("tls");

        Output gw = new Output(policy, ctx, NET, "Gateway", root, gwName);
        gw.spec().putObject("selector").put("istio", "ingressgateway");
        ArrayNode servers = gw.spec().putArray("servers");
        if (tls != null) {
            ObjectNode https = servers.addObject();
            https.putObject("port").put("number", 443).put("name", "https").put("protocol", "HTTPS");
            https.set("hosts", Output.strings(hosts));
            https.putObject("tls").put("mode", "SIMPLE").put("credentialName", tls.path("credentialName").asText());
            gw.trace(FieldPath.of("servers").index(0), SPEC.key("tls"));
        }
        ObjectNode http = servers.addObject();
        http.putObject("port").put("number", 80).put("name", "http").put("protocol", "HTTP");
        http.set("hosts", Output.strings(hosts));
        boolean redirect = tls != null && tls.path("redirectHttp").asBoolean(true);
        if (redirect) {
            http.putObject("tls").put("httpsRedirect", true);
        }
        gw.trace(FieldPath.of("servers").index(servers.size() - 1), SPEC.key("hosts"));
        List<Resource> out = new ArrayList<>();
        out.add(gw.build());

        Output vs = new Output(policy, ctx, NET, "VirtualService", policy.namespace(), policy.name());
        vs.spec().set("hosts", Output.strings(hosts));
        vs.trace(FieldPath.of("hosts"), SPEC.key("hosts"));
        vs.spec().putArray("gateways").add(root + "/" + gwName);
        ArrayNode routes = vs.spec().putArray("http");
        JsonNode in = spec.path("routes");
        for (int i = 0; i < in.size(); i++) {
            JsonNode r = in.get(i);
            vs.trace(FieldPath.of("http").index(i), SPEC.key("routes").index(i));
            ObjectNode h = routes.addObject();
            if (r.has("path")) {
                h.putArray("match").addObject().set("uri", ServicePolicyLowering.stringMatch(r.get("path")));
            }
            String service = r.path("service").asText();
            int dot = service.indexOf('.');
            String host = dot < 0 ? ctx.fqdn(service, policy.namespace())
                    : ctx.fqdn(service.substring(0, dot), service.substring(dot + 1));
            ObjectNode dest = h.putArray("route").addObject().putObject("destination");
            dest.put("host", host);
            if (r.has("port")) {
                dest.putObject("port").put("number", r.get("port").asInt());
            }
            vs.trace(FieldPath.of("http").index(i).key("route").index(0), SPEC.key("routes").index(i).key("service"));
            if (r.has("rewrite")) {
                h.putObject("rewrite").put("uri", r.get("rewrite").asText());
            }
            ServicePolicyLowering.copyText(r, "timeout", h, "timeout");
        }
        out.add(vs.build());
        return out;
    }

    /** ExternalService → ServiceEntry (+ a DestinationRule per host for ports that originate TLS). */
    static List<Resource> externalService(Resource policy, LoweringContext ctx) {
        JsonNode spec = policy.spec();
        JsonNode hosts = spec.path("hosts");
        Output se = new Output(policy, ctx, NET, "ServiceEntry", policy.namespace(), policy.name());
        se.spec().set("hosts", Output.strings(hosts));
        se.trace(FieldPath.of("hosts"), SPEC.key("hosts"));
        if (spec.has("addresses")) {
            se.spec().set("addresses", Output.strings(spec.get("addresses")));
        }
        ArrayNode ports = se.spec().putArray("ports");
        List<Integer> originate = new ArrayList<>();
        List<String> sni = new ArrayList<>();
        List<String> ca = new ArrayList<>();
        JsonNode in = spec.path("ports");
        for (int i = 0; i < in.size(); i++) {
            JsonNode p = in.get(i);
            se.trace(FieldPath.of("ports").index(i), SPEC.key("ports").index(i));
            ObjectNode port = ports.addObject();
            int number = p.path("number").asInt();
            String protocol = p.path("protocol").asText();
            port.put("number", number);
            port.put("name", p.path("name").asText(protocol.toLowerCase(Locale.ROOT) + "-" + number));
            port.put("protocol", protocol);
            if (p.has("originateTls")) {
                port.put("targetPort", p.get("originateTls").path("targetPort").asInt());
                originate.add(number);
                sni.add(p.get("originateTls").path("sni").asText(null));
                ca.add(p.get("originateTls").path("caCertificates").asText(SYSTEM_ROOTS));
            }
        }
        se.spec().put("location", "MESH_EXTERNAL");
        boolean wildcard = false;
        for (JsonNode h : hosts) {
            wildcard |= h.asText().startsWith("*");
        }
        se.spec().put("resolution", spec.path("resolution").asText(wildcard ? "NONE" : "DNS"));
        if (spec.has("exportTo")) {
            se.spec().set("exportTo", spec.get("exportTo").deepCopy());
        }
        List<Resource> out = new ArrayList<>();
        out.add(se.build());
        if (!originate.isEmpty()) {
            for (int h = 0; h < hosts.size(); h++) {
                String host = hosts.get(h).asText();
                String drName = hosts.size() == 1 ? policy.name() : policy.name() + "-" + h;
                Output dr = new Output(policy, ctx, NET, "DestinationRule", policy.namespace(), drName);
                dr.spec().put("host", host);
                dr.trace(FieldPath.of("host"), SPEC.key("hosts").index(h));
                ArrayNode pls = dr.spec().putObject("trafficPolicy").putArray("portLevelSettings");
                for (int i = 0; i < originate.size(); i++) {
                    ObjectNode pl = pls.addObject();
                    pl.putObject("port").put("number", originate.get(i));
                    ObjectNode tls = pl.putObject("tls").put("mode", "SIMPLE").put("caCertificates", ca.get(i));
                    String name = sni.get(i) != null ? sni.get(i) : host.startsWith("*") ? null : host;
                    if (name != null) {
                        tls.put("sni", name);
                    }
                }
                if (spec.has("exportTo")) {
                    dr.spec().set("exportTo", spec.get("exportTo").deepCopy());
                }
                out.add(dr.build());
            }
        }
        return out;
    }
}
