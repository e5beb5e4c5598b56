package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Gateway's selector must match some workload, in the repo or declared in meshcd.yaml (IST0101
 * "selector"), and each server port should be exposed by a Service in front of those workloads
 * (IST0162). Compare istio's gateway/gateway.go. The port check runs only when the repo holds a
 * Service selecting the gateway's pods: an ingress Service installed with Istio is not in the repo.
 */
public final class GatewayAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "gateway.gateway";
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        Map<String, List<MeshService>> servicesByNamespace = null;
        for (Resource gw : index.ofKind(Kind.GATEWAY)) {
            Map<String, String> selector = MeshIndex.stringMap(gw.spec().path("selector"));
            List<Workload> pods = index.workloadsMatchingAnywhere(selector);
            if (pods.isEmpty()) {
                Messages.report(sink, gw, "IST0101", FieldPath.of("spec", "selector"), "selector",
                        Messages.selector(selector));
                continue;
            }
            if (servicesByNamespace == null) {
                servicesByNamespace = new HashMap<>();
                for (String host : index.hosts()) {
                    for (MeshService s : index.servicesForHost(host)) {
                        if (!s.fromServiceEntry() && !s.selector().isEmpty()) {
                            servicesByNamespace.computeIfAbsent(s.namespace(), n -> new ArrayList<>()).add(s);
                        }
                    }
                }
            }
            Set<Integer> ports = new HashSet<>();
            boolean anyService = false;
            for (Workload pod : pods) {
                for (MeshService s : servicesByNamespace.getOrDefault(pod.namespace(), List.of())) {
                    if (pod.matches(s.selector())) {
                        anyService = true;
                        for (ServicePort p : s.ports()) {
                            ports.add(p.number());
                            if (p.targetPort().matches("\\d+")) {
                                ports.add(Integer.parseInt(p.targetPort()));
                            }
                        }
                    }
                }
            }
            if (!anyService) {
                continue;
            }
            JsonNode servers = gw.spec().path("servers");
            for (int i = 0; i < servers.size(); i++) {
                int number = servers.path(i).path("port").path("number").asInt(0);
                if (number != 0 && !ports.contains(number)) {
                    Messages.report(sink, gw, "IST0162", FieldPath.of("spec", "servers", i, "port", "number"), number,
                            Messages.selector(selector));
                }
            }
        }
    }

    @Override
    public java.util.Set<Kind> subjects() {
        return java.util.Set.of(Kind.GATEWAY);
    }

    @Override
    public java.util.Set<Kind> reads() {
        return dev.meshcd.compiler.index.Workloads.kindsAnd(Kind.SERVICE);
    }
}
