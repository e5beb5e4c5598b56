package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
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
import java.util.Set;

/** istiod's ValidateServiceEntry: hosts, addresses, ports, resolution versus endpoints, exportTo. */
public final class ServiceEntryValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.is(Kind.SERVICE_ENTRY)) {
            return;
        }
        Findings f = new Findings(r, sink);
        JsonNode spec = r.spec();
        if (!Common.alphaWorkloadSelector(f, spec, SPEC, "service entry")) {
            return;
        }
        if (has(spec, "workloadSelector") && has(spec, "endpoints")) {
            f.error(SPEC.key("workloadSelector"), "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
        }
        JsonNode hosts = list(spec, "hosts");
        if (hosts.isEmpty()) {
            f.error(SPEC.key("hosts"), "service entry must have at least one host");
        }
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i).asText();
            FieldPath hp = SPEC.key("hosts").index(i);
            if (h.equals("*")) {
                f.error(hp, "invalid host " + h);
            } else {
                f.check(hp, Checks.wildcardDomain(h));
                Checks.partialWildcard(h).ifPresent(warning -> f.warn(ValidationWarning.PARTIAL_WILDCARD_HOST, hp,
                        warning));
            }
        }
        JsonNode addresses = list(spec, "addresses");
        boolean cidr = false;
        for (int i = 0; i < addresses.size(); i++) {
            String a = addresses.get(i).asText();
            cidr |= a.contains("/");
            f.check(SPEC.key("addresses").index(i), Checks.ipSubnet(a));
        }
        String resolution = text(spec, "resolution");
        if (resolution.isEmpty()) {
            resolution = "NONE";
        }
        if (cidr && !resolution.equals("NONE") && !resolution.equals("STATIC")) {
            f.error(SPEC.key("addresses"), "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }
        boolean autoAllocate = !"false".equals(r.labels().get("networking.istio.io/enable-autoallocate-ip"));
        Set<String> portNames = new HashSet<>();
        Set<Long> portNumbers = new HashSet<>();
        JsonNode ports = list(spec, "ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            FieldPath pp = SPEC.key("ports").index(i);
            if (port == null || !port.isObject()) {
                f.error(pp, "service entry port may not be null");
                continue;
            }
            String name = text(port, "name");
            long number = integer(port, "number");
            if (!portNames.add(name)) {
                f.error(pp.key("name"), "service entry port name \"" + name + "\" already defined");
            }
            if (!portNumbers.add(number)) {
                f.error(pp.key("number"), "service entry port " + number + " already defined");
            }
            long target = integer(port, "targetPort");
            if (target != 0) {
                f.check(pp.key("targetPort"), Checks.port(target));
                if (resolution.equals("NONE")) {
                    f.warn(ValidationWarning.TARGET_PORT_WITHOUT_EFFECT, pp.key("targetPort"),
                            "targetPort has no effect when resolution mode is NONE");
                }
            }
            String proto = text(port, "protocol");
            if (addresses.isEmpty() && !autoAllocate && (proto.isEmpty() || proto.equals("TCP"))) {
                f.warn(ValidationWarning.SERVICE_ENTRY_ADDRESSES_REQUIRED, pp,
                        "addresses are required for ports serving TCP (or unset) protocol when "
                        + "ISTIO_META_DNS_AUTO_ALLOCATE is not set on a proxy");
            }
            f.check(pp.key("name"), Checks.portName(name));
            f.check(pp.key("protocol"), Checks.protocolName(proto));
            f.check(pp.key("number"), Checks.port(number));
        }
        JsonNode endpoints = list(spec, "endpoints");
        switch (resolution) {
            case "NONE" -> {
                if (!endpoints.isEmpty()) {
                    f.error(SPEC.key("endpoints"), "no endpoints should be provided for resolution type none");
                }
                if (has(spec, "workloadSelector")) {
                    f.warn(ValidationWarning.SERVICE_ENTRY_SELECTOR_IGNORED, SPEC.key("workloadSelector"),
                            "workloadSelector should not be set when resolution mode is NONE");
                }
            }
            case "STATIC" -> {
                for (int i = 0; i < endpoints.size(); i++) {
                    JsonNode e = endpoints.get(i);
                    FieldPath ep = SPEC.key("endpoints").index(i);
                    if (e == null || !e.isObject()) {
                        f.error(ep, "endpoint cannot be nil");
                        continue;
                    }
                    WorkloadEntryValidator.workloadEntry(f, e, ep, portNames, false);
                }
            }
            case "DNS", "DNS_ROUND_ROBIN" -> {
                if (endpoints.isEmpty()) {
                    for (int i = 0; i < hosts.size(); i++) {
                        if (Checks.fqdn(hosts.get(i).asText()).isPresent()) {
                            f.error(SPEC.key("hosts").index(i), "hosts must be FQDN if no endpoints are provided for "
                                    + "resolution mode " + resolution);
                        }
                    }
                }
                if (resolution.equals("DNS_ROUND_ROBIN") && endpoints.size() > 1) {
                    f.error(SPEC.key("endpoints"), "there must only be 0 or 1 endpoint for resolution mode " + resolution);
                }
                for (int i = 0; i < endpoints.size(); i++) {
                    JsonNode e = endpoints.get(i);
                    FieldPath ep = SPEC.key("endpoints").index(i);
                    if (e == null || !e.isObject()) {
                        f.error(ep, "endpoint cannot be nil");
                        continue;
                    }
                    String addr = text(e, "address");
                    if (!Checks.isIpAddress(addr) && Checks.fqdn(addr).isPresent()) {
                        f.error(ep.key("address"), "endpoint address \"" + addr + "\" is not a valid FQDN or an IP address");
                    }
                    Common.labels(f, e, "labels", ep);
                    WorkloadEntryValidator.endpointPorts(f, e, ep, portNames);
                }
                if (has(spec, "workloadSelector")) {
                    f.warn(ValidationWarning.SERVICE_ENTRY_SELECTOR_IGNORED, SPEC.key("workloadSelector"),
                            "workloadSelector should not be set when resolution mode is "
                            + resolution);
                }
                if (!addresses.isEmpty() && hosts.size() > 1) {
                    for (JsonNode port : ports) {
                        if (Checks.isTcp(Checks.protocol(text(port, "protocol")))) {
                            f.warn(ValidationWarning.SERVICE_ENTRY_HOSTS_WITH_TCP_ADDRESS, SPEC.key("hosts"),
                                    "service entry can not have more than one host specified "
                                    + "simultaneously with address and tcp port");
                            break;
                        }
                    }
                }
            }
            default -> f.error(SPEC.key("resolution"), "unsupported resolution type " + resolution);
        }
        if (!resolution.equals("NONE") && hosts.size() > 1) {
            for (int i = 0; i < ports.size(); i++) {
                String p = Checks.protocol(text(ports.get(i), "protocol"));
                if (!Checks.isHttp(p) && !Checks.isTls(p)) {
                    f.error(SPEC.key("ports").index(i).key("protocol"), "multiple hosts provided with non-HTTP, non-TLS ports");
                    break;
                }
            }
        }
        Common.exportTo(f, spec, SPEC, r.namespace(), true, false);
    }
}
