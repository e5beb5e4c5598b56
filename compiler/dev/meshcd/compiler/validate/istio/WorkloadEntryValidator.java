package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.Map;
import java.util.Set;

/** istiod's ValidateWorkloadEntry and ValidateWorkloadGroup. */
public final class WorkloadEntryValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (r.is(Kind.WORKLOAD_ENTRY)) {
            workloadEntry(new Findings(r, sink), r.spec(), SPEC, null, true);
        } else if (r.is(Kind.WORKLOAD_GROUP)) {
            workloadGroup(new Findings(r, sink), r.spec());
        }
    }

    /** Also used for ServiceEntry STATIC endpoints ({@code servicePorts} set, FQDN addresses refused). */
    static void workloadEntry(Findings f, JsonNode we, FieldPath p, Set<String> servicePorts, boolean allowFqdn) {
        String addr = text(we, "address");
        if (addr.isEmpty()) {
            if (text(we, "network").isEmpty()) {
                f.error(p.key("address"), "address is required");
                return;
            }
            f.warn(ValidationWarning.WORKLOAD_ENTRY_NO_ADDRESS, p.key("address"),
                    "address is unset with network \"" + text(we, "network") + "\"");
        }
        boolean unix = addr.startsWith("unix://");
        if (unix) {
            f.check(p.key("address"), GatewayValidator.unixAddress(addr.substring("unix://".length())));
            if (Nodes.size(we, "ports") != 0) {
                f.error(p.key("ports"), "unix endpoint " + addr + " must not include ports");
            }
        } else if (!addr.isEmpty() && !Checks.isIpAddress(addr)) {
            if (!allowFqdn) {
                f.error(p.key("address"), "endpoint address \"" + addr + "\" is not a valid IP address");
            } else if (Checks.fqdn(addr).isPresent()) {
                f.error(p.key("address"), "endpoint address \"" + addr + "\" is not a valid FQDN or an IP address");
            }
        }
        endpointPorts(f, we, p, servicePorts);
        Common.labels(f, we, "labels", p);
        if (unix && servicePorts != null && servicePorts.size() != 1) {
            f.error(p.key("address"), "exactly 1 service port required for unix endpoints");
        }
    }

    /** Named endpoint ports: DNS-label names in range, defined by the ServiceEntry when there is one. */
    static void endpointPorts(Findings f, JsonNode we, FieldPath p, Set<String> servicePorts) {
        for (Map.Entry<String, JsonNode> e : Nodes.entries(we, "ports")) {
            FieldPath pp = p.key("ports").key(e.getKey());
            long port = Nodes.asLong(e.getValue());
            if (servicePorts != null && !servicePorts.contains(e.getKey())) {
                f.error(pp, "endpoint port " + port + " is not defined by the service entry");
            }
            f.check(pp, Checks.portName(e.getKey()));
            f.check(pp, Checks.port(port));
        }
    }

    private static void workloadGroup(Findings f, JsonNode spec) {
        if (!has(spec, "template")) {
            f.error(SPEC.key("template"), "template is required");
            return;
        }
        JsonNode md = get(spec, "metadata");
        if (md != null) {
            int before = f.errors();
            for (Map.Entry<String, JsonNode> e : Nodes.entries(md, "labels")) {
                FieldPath lp = SPEC.key("metadata").key("labels").key(e.getKey());
                Checks.labelKey(e.getKey())
                        .or(() -> Checks.labelValue(e.getValue().asText()))
                        .ifPresent(err -> f.error(lp, "invalid labels: " + err));
            }
            if (f.errors() > before) {
                return;
            }
        }
        JsonNode probe = get(spec, "probe");
        if (probe == null) {
            return;
        }
        FieldPath pp = SPEC.key("probe");
        for (String field : new String[]{"periodSeconds", "initialDelaySeconds", "timeoutSeconds", "successThreshold",
                "failureThreshold"}) {
            Common.nonNegative(f, probe, field, pp, field + " must be non-negative");
        }
        JsonNode httpGet = get(probe, "httpGet");
        JsonNode tcp = get(probe, "tcpSocket");
        JsonNode exec = get(probe, "exec");
        JsonNode grpc = get(probe, "grpc");
        if (httpGet != null) {
            FieldPath hp = pp.key("httpGet");
            f.check(hp.key("port"), Checks.port(integer(httpGet, "port")));
            String scheme = text(httpGet, "scheme");
            if (!scheme.isEmpty() && !scheme.equals("HTTPS") && !scheme.equals("HTTP")) {
                f.error(hp.key("scheme"), "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"");
            }
            JsonNode headers = Nodes.list(httpGet, "httpHeaders");
            for (int i = 0; i < headers.size(); i++) {
                f.check(hp.key("httpHeaders").index(i).key("name"), Checks.headerName(text(headers.get(i), "name")));
            }
        } else if (tcp != null) {
            f.check(pp.key("tcpSocket").key("port"), Checks.port(integer(tcp, "port")));
        } else if (exec != null) {
            if (Nodes.size(exec, "command") == 0) {
                f.error(pp.key("exec").key("command"), "exec.command is required");
            }
        } else if (grpc != null) {
            f.check(pp.key("grpc").key("port"), Checks.port(integer(grpc, "port")));
        } else {
            f.error(pp, "unknown health check method <nil>");
        }
    }
}
