package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.size;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** istiod's ValidateSidecar: ingress listeners, egress listeners and hosts, outbound traffic policy. */
public final class SidecarValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.is(Kind.SIDECAR)) {
            return;
        }
        Findings f = new Findings(r, sink);
        JsonNode spec = r.spec();
        if (!Common.alphaWorkloadSelector(f, spec, SPEC, "sidecar")) {
            return;
        }
        if (size(spec, "egress") == 0 && size(spec, "ingress") == 0 && !has(spec, "outboundTrafficPolicy")
                && !has(spec, "inboundConnectionPool")) {
            f.error(SPEC, "sidecar: empty configuration provided");
            return;
        }
        Set<Long> ports = new HashSet<>();
        JsonNode ingress = list(spec, "ingress");
        for (int i = 0; i < ingress.size(); i++) {
            JsonNode in = ingress.get(i);
            FieldPath ip = SPEC.key("ingress").index(i);
            if (in == null || !in.isObject()) {
                f.error(ip, "sidecar: ingress may not be null");
                continue;
            }
            JsonNode port = get(in, "port");
            if (port == null) {
                f.error(ip.key("port"), "sidecar: port is required for ingress listeners");
                continue;
            }
            FieldPath pp = ip.key("port");
            if (integer(port, "targetPort") > 0) {
                f.error(pp.key("targetPort"), "targetPort has no impact on Sidecars");
            }
            portAndBind(f, port, pp, text(in, "bind"), ip.key("bind"));
            if (!ports.add(integer(port, "number"))) {
                f.error(pp.key("number"), "sidecar: ports on IP bound listeners must be unique");
            }
            defaultEndpoint(f, text(in, "defaultEndpoint"), ip.key("defaultEndpoint"));
            JsonNode tls = get(in, "tls");
            if (tls != null) {
                FieldPath tp = ip.key("tls");
                if (size(tls, "subjectAltNames") > 0) {
                    f.error(tp.key("subjectAltNames"), "sidecar: subjectAltNames is not supported in ingress tls");
                }
                if (Nodes.bool(tls, "httpsRedirect")) {
                    f.error(tp.key("httpsRedirect"), "sidecar: httpsRedirect is not supported");
                }
                if (!text(tls, "credentialName").isEmpty()) {
                    f.error(tp.key("credentialName"), "sidecar: credentialName is not currently supported");
                }
                String mode = text(tls, "mode");
                if (mode.equals("ISTIO_MUTUAL") || mode.equals("AUTO_PASSTHROUGH")) {
                    f.error(tp.key("mode"), "configuration is invalid: cannot set mode to " + mode + " in sidecar ingress tls");
                }
                Common.serverTls(f, tls, tp);
            }
            JsonNode cp = get(in, "connectionPool");
            Common.connectionPool(f, cp, ip.key("connectionPool"));
            if (cp != null && has(cp, "http") && !Checks.isHttp(Checks.protocol(text(port, "protocol")))) {
                f.warn(ValidationWarning.SIDECAR_HTTP_POOL_NOT_HTTP, ip.key("connectionPool").key("http"),
                        "sidecar: HTTP connection pool settings are configured for port "
                        + integer(port, "number") + " (\"" + text(port, "name") + "\") but its protocol is not HTTP ("
                        + text(port, "protocol") + "); only TCP settings will apply");
            }
        }
        Common.connectionPool(f, get(spec, "inboundConnectionPool"), SPEC.key("inboundConnectionPool"));

        ports.clear();
        Set<String> uds = new HashSet<>();
        boolean catchAll = false;
        JsonNode egress = list(spec, "egress");
        for (int i = 0; i < egress.size(); i++) {
            JsonNode eg = egress.get(i);
            FieldPath ep = SPEC.key("egress").index(i);
            if (eg == null || !eg.isObject()) {
                f.error(ep, "egress listener may not be null");
                continue;
            }
            JsonNode port = get(eg, "port");
            if (port == null) {
                if (!catchAll) {
                    if (i == egress.size() - 1) {
                        catchAll = true;
                    } else {
                        f.error(ep, "sidecar: the egress listener with empty port should be the last listener in the list");
                    }
                } else {
                    f.error(ep, "sidecar: egress can have only one listener with empty port");
                    continue;
                }
            } else {
                FieldPath pp = ep.key("port");
                if (integer(port, "targetPort") > 0) {
                    f.error(pp.key("targetPort"), "targetPort has no impact on Sidecars");
                }
                String bind = text(eg, "bind");
                egressPort(f, port, pp, bind, ep.key("bind"), text(eg, "captureMode"));
                if (integer(port, "number") == 0) {
                    if (!uds.add(bind)) {
                        f.error(ep.key("bind"), "sidecar: unix domain socket values for listeners must be unique");
                    }
                } else if (!ports.add(integer(port, "number"))) {
                    f.error(pp.key("number"), "sidecar: ports on IP bound listeners must be unique");
                }
            }
            JsonNode hosts = list(eg, "hosts");
            if (hosts.isEmpty()) {
                f.error(ep.key("hosts"), "sidecar: egress listener must contain at least one host");
                continue;
            }
            Map<String, Set<String>> nss = new HashMap<>();
            for (int j = 0; j < hosts.size(); j++) {
                String h = hosts.get(j).asText();
                FieldPath hp = ep.key("hosts").index(j);
                int slash = h.indexOf('/');
                if (slash >= 0) {
                    String ns = h.substring(0, slash);
                    String svc = h.substring(slash + 1);
                    if (ns.equals(".")) {
                        ns = r.namespace();
                    }
                    Set<String> svcs = nss.computeIfAbsent(ns, k -> new HashSet<>());
                    if (!svc.equals("*")) {
                        if (svcs.contains(svc) || svcs.contains("*")) {
                            f.warn(ValidationWarning.SIDECAR_DUPLICATE_EGRESS_HOST, hp, "duplicated egress host: " + h);
                        }
                    } else if (!svcs.isEmpty()) {
                        f.warn(ValidationWarning.SIDECAR_DUPLICATE_EGRESS_HOST, hp, "duplicated egress host: " + h);
                    }
                    svcs.add(svc);
                }
                f.check(hp, Checks.namespaceSlashHost(h, false));
            }
            if (nss.containsKey("*") && nss.get("*").contains("*") && nss.size() != 1) {
                f.warn(ValidationWarning.SIDECAR_ALL_HOSTS_NOT_ALONE, ep.key("hosts"),
                        "`*/*` host select all resources, no other hosts can be added");
            }
        }
        outboundPolicy(f, get(spec, "outboundTrafficPolicy"), SPEC.key("outboundTrafficPolicy"));
    }

    private static void portAndBind(Findings f, JsonNode port, FieldPath pp, String bind, FieldPath bp) {
        String name = text(port, "name");
        if (!name.isEmpty()) {
            f.check(pp.key("name"), Checks.portName(name));
        }
        f.check(pp.key("protocol"), Checks.protocolName(text(port, "protocol")));
        f.check(pp.key("number"), Checks.port(integer(port, "number")));
        if (!bind.isEmpty()) {
            f.check(bp, Checks.ipAddress(bind));
        }
    }

    private static void egressPort(Findings f, JsonNode port, FieldPath pp, String bind, FieldPath bp, String capture) {
        String name = text(port, "name");
        if (!name.isEmpty()) {
            f.check(pp.key("name"), Checks.portName(name));
        }
        if (integer(port, "number") == 0) {
            f.check(pp.key("protocol"), Checks.protocolName(text(port, "protocol")));
            if (!bind.startsWith("unix://")) {
                f.error(bp, "sidecar: ports with 0 value must have a unix domain socket bind address");
            } else {
                f.check(bp, GatewayValidator.unixAddress(bind.substring("unix://".length())));
            }
            if (!capture.isEmpty() && !capture.equals("DEFAULT") && !capture.equals("NONE")) {
                f.error(bp, "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
            }
        } else {
            portAndBind(f, port, pp, bind, bp);
        }
    }

    private static void defaultEndpoint(Findings f, String ep, FieldPath p) {
        if (ep.isEmpty()) {
            return;
        }
        if (ep.startsWith("unix://")) {
            f.check(p, GatewayValidator.unixAddress(ep.substring("unix://".length())));
            return;
        }
        int colon = ep.lastIndexOf(':');
        if (colon < 0) {
            f.error(p, "address " + ep + ": missing port in address");
            return;
        }
        String host = ep.substring(0, colon);
        String port = ep.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            f.error(p, "address " + ep + ": too many colons in address");
            return;
        }
        if (!host.isEmpty() && !host.equals("127.0.0.1") && !host.equals("0.0.0.0") && !host.equals("::1")
                && !host.equals("::")) {
            f.error(p, "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,"
                    + "unix://filepath or unset");
        }
        if (!Nodes.isInteger(port)) {
            f.error(p, "sidecar: defaultEndpoint port (" + port + ") is not a number");
        } else {
            f.check(p, Checks.port(port.length() > 6 ? Long.MAX_VALUE : Long.parseLong(port)));
        }
    }

    private static void outboundPolicy(Findings f, JsonNode tp, FieldPath p) {
        if (tp == null) {
            return;
        }
        JsonNode proxy = get(tp, "egressProxy");
        if (proxy == null) {
            return;
        }
        String mode = text(tp, "mode");
        if (!mode.equals("ALLOW_ANY")) {
            f.error(p.key("egressProxy"), "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
            return;
        }
        f.check(p.key("egressProxy").key("host"), Checks.fqdn(text(proxy, "host")));
        if (!has(proxy, "port")) {
            f.error(p.key("egressProxy").key("port"), "sidecar: egress_proxy port must be non-nil");
            return;
        }
        Common.destination(f, proxy, p.key("egressProxy"));
    }
}
