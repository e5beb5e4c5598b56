package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** istiod's ValidateGateway: name, servers (hosts, port, bind, TLS), unique port names. */
public final class GatewayValidator implements ResourceValidator {
    static final String GATEWAY_SEMANTICS = "internal.istio.io/gateway-semantics";
    private static final FieldPath SPEC = FieldPath.of("spec");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.is(Kind.GATEWAY)) {
            return;
        }
        Findings f = new Findings(r, sink);
        boolean gatewaySemantics = "gateway".equals(r.annotation(GATEWAY_SEMANTICS));
        if (!Checks.isDns1123Label(r.name()) && !gatewaySemantics) {
            f.error(FieldPath.of("metadata", "name"), "invalid gateway name: \"" + r.name() + "\"");
        }
        JsonNode spec = r.spec();
        JsonNode servers = list(spec, "servers");
        if (servers.isEmpty()) {
            f.error(SPEC.key("servers"), "gateway must have at least one server");
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            JsonNode s = servers.get(i);
            FieldPath sp = SPEC.key("servers").index(i);
            if (s == null || !s.isObject()) {
                f.error(sp, "server may not be nil");
                continue;
            }
            server(f, s, sp);
            JsonNode port = get(s, "port");
            if (port != null) {
                String name = text(port, "name");
                if (!portNames.add(name)) {
                    f.error(sp.key("port").key("name"), "port names in servers must be unique: duplicate name " + name);
                }
                JsonNode tls = get(s, "tls");
                if (!Checks.isHttp(Checks.protocol(text(port, "protocol"))) && Nodes.bool(tls, "httpsRedirect")) {
                    f.warn(ValidationWarning.HTTPS_REDIRECT_NOT_HTTP, sp.key("tls").key("httpsRedirect"),
                            "tls.httpsRedirect should only be used with http servers");
                }
            }
        }
    }

    private static void server(Findings f, JsonNode s, FieldPath sp) {
        JsonNode hosts = list(s, "hosts");
        if (hosts.isEmpty()) {
            f.error(sp.key("hosts"), "server config must contain at least one host");
        }
        for (int i = 0; i < hosts.size(); i++) {
            f.check(sp.key("hosts").index(i), Checks.namespaceSlashHost(hosts.get(i).asText(), true));
        }
        JsonNode port = get(s, "port");
        String bind = text(s, "bind");
        boolean portOk = true;
        FieldPath pp = sp.key("port");
        if (port == null) {
            f.error(pp, "port is required");
            portOk = false;
        } else {
            String proto = text(port, "protocol");
            if (Checks.protocol(proto) == null) {
                f.error(pp.key("protocol"), "invalid protocol \"" + proto + "\", supported protocols are HTTP, HTTP2, "
                        + "GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
                portOk = false;
            }
            long number = integer(port, "number");
            if (number > 0 || !bind.startsWith("unix://")) {
                portOk &= f.check(pp.key("number"), Checks.port(number));
            }
            if (integer(port, "targetPort") > 0) {
                f.error(pp.key("targetPort"), "targetPort has no impact on Gateways");
                portOk = false;
            }
            if (text(port, "name").isEmpty()) {
                f.error(pp.key("name"), "port name must be set");
                portOk = false;
            }
        }
        if (bind.startsWith("unix://")) {
            f.check(sp.key("bind"), unixAddress(bind.substring("unix://".length())));
            if (port != null && integer(port, "number") != 0) {
                f.error(pp.key("number"), "port number must be 0 for unix domain socket");
            }
        } else if (!bind.isEmpty()) {
            f.check(sp.key("bind"), Checks.ipAddress(bind));
        }
        JsonNode tls = get(s, "tls");
        Common.serverTls(f, tls, sp.key("tls"));
        if (portOk) {
            String p = Checks.protocol(text(port, "protocol"));
            if (Checks.isTls(p) && tls == null) {
                f.error(sp.key("tls"), "server must have TLS settings for HTTPS/TLS protocols");
            } else if (!Checks.isTls(p) && tls != null) {
                if (Checks.isHttp(p)) {
                    String mode = text(tls, "mode");
                    boolean passthrough = mode.isEmpty() || mode.equals("PASSTHROUGH") || mode.equals("AUTO_PASSTHROUGH");
                    if (!passthrough || !text(tls, "caCertificates").isEmpty() || !text(tls, "privateKey").isEmpty()
                            || !text(tls, "serverCertificate").isEmpty()) {
                        f.error(sp.key("tls"), "server cannot have TLS settings for plain text HTTP ports");
                    }
                } else {
                    f.error(sp.key("tls"), "server cannot have TLS settings for non HTTPS/TLS ports");
                }
            }
        }
    }

    static Optional<String> unixAddress(String addr) {
        if (addr.isEmpty()) {
            return Optional.of("unix address must not be empty");
        }
        if (addr.startsWith("@")) {
            return Optional.empty();
        }
        if (!addr.startsWith("/") || addr.endsWith("/")) {
            return Optional.of(addr + " is not an absolute path to a file");
        }
        return Optional.empty();
    }
}
