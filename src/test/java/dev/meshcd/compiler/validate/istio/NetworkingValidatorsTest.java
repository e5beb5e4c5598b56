package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Harness.dr;
import static dev.meshcd.compiler.validate.istio.Harness.error;
import static dev.meshcd.compiler.validate.istio.Harness.gw;
import static dev.meshcd.compiler.validate.istio.Harness.se;
import static dev.meshcd.compiler.validate.istio.Harness.sidecar;
import static dev.meshcd.compiler.validate.istio.Harness.warning;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** DestinationRule, Gateway, ServiceEntry, Sidecar, WorkloadEntry and WorkloadGroup rules. */
class NetworkingValidatorsTest {
    private static final String SERVER = "{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}";

    static List<Harness.Rule> destinationRules() {
        return List.of(
                error("host required and valid",
                        dr("{host: reviews.prod.svc.cluster.local}"),
                        dr("{host: 'reviews..local'}"), "spec.host"),
                error("subset names are DNS labels",
                        dr("{host: r, subsets: [{name: v1, labels: {version: v1}}]}"),
                        dr("{host: r, subsets: [{name: V_1, labels: {version: v1}}]}"), "spec.subsets[0].name"),
                error("duplicate subsets",
                        dr("{host: r, subsets: [{name: v1}, {name: v2}]}"),
                        dr("{host: r, subsets: [{name: v1}, {name: v1}]}"), "spec.subsets[1].name"),
                error("subset labels",
                        dr("{host: r, subsets: [{name: v1, labels: {app.kubernetes.io/version: '1.0'}}]}"),
                        dr("{host: r, subsets: [{name: v1, labels: {version: 'a b'}}]}"), "spec.subsets[0].labels.version"),
                error("traffic policy not empty",
                        dr("{host: r, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}"),
                        dr("{host: r, trafficPolicy: {}}"), "spec.trafficPolicy"),
                error("connection pool not empty",
                        dr("{host: r, trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}}"),
                        dr("{host: r, trafficPolicy: {connectionPool: {}}}"), "spec.trafficPolicy.connectionPool"),
                error("connection pool bounds",
                        dr("{host: r, trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: 0}}}}"),
                        dr("{host: r, trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: -1}}}}"),
                        "spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests"),
                error("connect timeout duration",
                        dr("{host: r, trafficPolicy: {connectionPool: {tcp: {connectTimeout: 30ms}}}}"),
                        dr("{host: r, trafficPolicy: {connectionPool: {tcp: {connectTimeout: 0s}}}}"),
                        "spec.trafficPolicy.connectionPool.tcp.connectTimeout"),
                error("h2 upgrade versus client protocol",
                        dr("{host: r, trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE}}}}"),
                        dr("{host: r, trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}}}}"),
                        "spec.trafficPolicy.connectionPool.http.useClientProtocol"),
                error("outlier ejection percent",
                        dr("{host: r, trafficPolicy: {outlierDetection: {maxEjectionPercent: 100}}}"),
                        dr("{host: r, trafficPolicy: {outlierDetection: {maxEjectionPercent: 101}}}"),
                        "spec.trafficPolicy.outlierDetection.maxEjectionPercent"),
                error("outlier interval duration",
                        dr("{host: r, trafficPolicy: {outlierDetection: {interval: 10s, baseEjectionTime: 30s}}}"),
                        dr("{host: r, trafficPolicy: {outlierDetection: {interval: 10s, baseEjectionTime: 10.5ms}}}"),
                        "spec.trafficPolicy.outlierDetection.baseEjectionTime"),
                warning("consecutiveErrors deprecated",
                        dr("{host: r, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 7}}}"),
                        dr("{host: r, trafficPolicy: {outlierDetection: {consecutiveErrors: 7}}}"),
                        "spec.trafficPolicy.outlierDetection.consecutiveErrors"),
                error("local origin failures need split",
                        dr("{host: r, trafficPolicy: {outlierDetection: {splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 3}}}"),
                        dr("{host: r, trafficPolicy: {outlierDetection: {consecutiveLocalOriginFailures: 3}}}"),
                        "spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures"),
                error("maglev table size prime",
                        dr("{host: r, trafficPolicy: {loadBalancer: {consistentHash: {maglev: {tableSize: 65537}}}}}"),
                        dr("{host: r, trafficPolicy: {loadBalancer: {consistentHash: {maglev: {tableSize: 65536}}}}}"),
                        "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize"),
                error("http cookie name",
                        dr("{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {name: c, ttl: 0s}}}}}"),
                        dr("{host: r, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {ttl: 0s}}}}}"),
                        "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name"),
                error("locality weights total 100",
                        dr("{host: r, trafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from: 'us/*', to: {'us/a/*': 60, 'us/b/*': 40}}]}}}}"),
                        dr("{host: r, trafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from: 'us/*', to: {'us/a/*': 60, 'us/b/*': 30}}]}}}}"),
                        "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to"),
                warning("failover wants outlier detection",
                        dr("{host: r, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1}, loadBalancer: {localityLbSetting: {failover: [{from: us, to: eu}]}}}}"),
                        dr("{host: r, trafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: us, to: eu}]}}}}"),
                        "spec.trafficPolicy.loadBalancer.localityLbSetting"),
                error("client TLS mutual needs certs",
                        dr("{host: r, trafficPolicy: {tls: {mode: MUTUAL, credentialName: c}}}"),
                        dr("{host: r, trafficPolicy: {tls: {mode: MUTUAL}}}"), "spec.trafficPolicy.tls.clientCertificate"),
                error("client TLS credentialName excludes files",
                        dr("{host: r, trafficPolicy: {tls: {mode: SIMPLE, credentialName: c}}}"),
                        dr("{host: r, trafficPolicy: {tls: {mode: SIMPLE, credentialName: c, caCertificates: /ca.pem}}}"),
                        "spec.trafficPolicy.tls.credentialName"),
                error("port level policy needs a port",
                        dr("{host: r, trafficPolicy: {portLevelSettings: [{port: {number: 80}, tls: {mode: DISABLE}}]}}"),
                        dr("{host: r, trafficPolicy: {portLevelSettings: [{tls: {mode: DISABLE}}]}}"),
                        "spec.trafficPolicy.portLevelSettings[0].port"),
                error("tunnel target port",
                        dr("{host: r, trafficPolicy: {tunnel: {targetHost: 10.0.0.1, targetPort: 443}}}"),
                        dr("{host: r, trafficPolicy: {tunnel: {targetHost: 10.0.0.1, targetPort: 0}}}"),
                        "spec.trafficPolicy.tunnel.targetPort"),
                error("selector DR exported only to own namespace",
                        dr("{host: r, workloadSelector: {matchLabels: {app: a}}, exportTo: [.]}"),
                        dr("{host: r, workloadSelector: {matchLabels: {app: a}}, exportTo: ['*']}"), "spec.exportTo"),
                error("exportTo none not for DR",
                        dr("{host: r, exportTo: [.]}"),
                        dr("{host: r, exportTo: ['~']}"), "spec.exportTo[0]"));
    }

    static List<Harness.Rule> gateways() {
        return List.of(
                error("at least one server",
                        gw("{servers: [" + SERVER + "]}"),
                        gw("{selector: {istio: ingressgateway}}"), "spec.servers"),
                error("server hosts required",
                        gw("{servers: [" + SERVER + "]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}}]}"), "spec.servers[0].hosts"),
                error("host namespace/host form",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['prod/*.example.com', './a.b.com', '*/c.com']}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['Prod_x/a.b.com']}]}"),
                        "spec.servers[0].hosts[0]"),
                error("short host names",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [a.b.com]}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shortname]}]}"),
                        "spec.servers[0].hosts[0]"),
                error("partial wildcard",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*.b.com']}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['a*.b.com']}]}"),
                        "spec.servers[0].hosts[0]"),
                error("known protocol",
                        gw("{servers: [{port: {number: 80, name: http, protocol: http2}, hosts: ['*']}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: QUIC}, hosts: ['*']}]}"),
                        "spec.servers[0].port.protocol"),
                error("port name required",
                        gw("{servers: [" + SERVER + "]}"),
                        gw("{servers: [{port: {number: 80, protocol: HTTP}, hosts: ['*']}]}"), "spec.servers[0].port.name"),
                error("port number range",
                        gw("{servers: [" + SERVER + "]}"),
                        gw("{servers: [{port: {number: 0, name: http, protocol: HTTP}, hosts: ['*']}]}"),
                        "spec.servers[0].port.number"),
                error("unique port names",
                        gw("{servers: [" + SERVER + ", {port: {number: 81, name: http2, protocol: HTTP}, hosts: ['*']}]}"),
                        gw("{servers: [" + SERVER + ", {port: {number: 81, name: http, protocol: HTTP}, hosts: ['*']}]}"),
                        "spec.servers[1].port.name"),
                error("HTTPS requires TLS",
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE, credentialName: c}}]}"),
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*']}]}"),
                        "spec.servers[0].tls"),
                error("plain HTTP allows only httpsRedirect",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], tls: {httpsRedirect: true}}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], tls: {mode: SIMPLE, credentialName: c}}]}"),
                        "spec.servers[0].tls"),
                error("SIMPLE TLS needs cert",
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE, serverCertificate: /c, privateKey: /k}}]}"),
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE, privateKey: /k}}]}"),
                        "spec.servers[0].tls.serverCertificate"),
                error("ISTIO_MUTUAL takes no credentialName",
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: ISTIO_MUTUAL}}]}"),
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: ISTIO_MUTUAL, credentialName: c}}]}"),
                        "spec.servers[0].tls.credentialName"),
                warning("invalid cipher suites",
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE, credentialName: c, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}}]}"),
                        gw("{servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: SIMPLE, credentialName: c, cipherSuites: [NOT-A-CIPHER]}}]}"),
                        "spec.servers[0].tls.cipherSuites"),
                warning("httpsRedirect only for HTTP",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], tls: {httpsRedirect: true}}]}"),
                        gw("{servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: ['*'], tls: {mode: PASSTHROUGH, httpsRedirect: true}}]}"),
                        "spec.servers[0].tls.httpsRedirect"),
                error("bind is an IP",
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], bind: 0.0.0.0}]}"),
                        gw("{servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*'], bind: localhost}]}"),
                        "spec.servers[0].bind"));
    }

    static List<Harness.Rule> serviceEntries() {
        return List.of(
                error("at least one host",
                        se("{hosts: [api.example.com], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: DNS}"),
                        se("{ports: [{number: 80, name: http, protocol: HTTP}]}"), "spec.hosts"),
                error("host * not allowed",
                        se("{hosts: ['*.example.com'], ports: [{number: 80, name: http, protocol: HTTP}]}"),
                        se("{hosts: ['*'], ports: [{number: 80, name: http, protocol: HTTP}]}"), "spec.hosts[0]"),
                error("addresses are IPs or CIDRs",
                        se("{hosts: [a.com], addresses: [10.0.0.1, 10.1.0.0/16, '2001:db8::/32'], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: 10.0.0.2}]}"),
                        se("{hosts: [a.com], addresses: [10.0.0.256], ports: [{number: 80, name: http, protocol: HTTP}]}"),
                        "spec.addresses[0]"),
                error("CIDR only with NONE or STATIC",
                        se("{hosts: [a.com], addresses: [10.1.0.0/16], ports: [{number: 80, name: http, protocol: HTTP}]}"),
                        se("{hosts: [a.com], addresses: [10.1.0.0/16], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}"),
                        "spec.addresses"),
                error("port names unique",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}, {number: 81, name: http2, protocol: HTTP}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}, {number: 81, name: http, protocol: HTTP}]}"),
                        "spec.ports[1].name"),
                error("port numbers unique",
                        se("{hosts: [a.com], ports: [{number: 80, name: a, protocol: HTTP}, {number: 81, name: b, protocol: HTTP}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: a, protocol: HTTP}, {number: 80, name: b, protocol: HTTP}]}"),
                        "spec.ports[1].number"),
                error("port protocol known",
                        se("{hosts: [a.com], ports: [{number: 27017, name: mongo, protocol: MONGO}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: FOO}]}"), "spec.ports[0].protocol"),
                error("no endpoints with resolution NONE",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: 1.1.1.1}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], endpoints: [{address: 1.1.1.1}]}"),
                        "spec.endpoints"),
                error("STATIC endpoints are IPs",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: 1.1.1.1}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, endpoints: [{address: b.com}]}"),
                        "spec.endpoints[0].address"),
                error("endpoint ports defined by the entry",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS, endpoints: [{address: b.com, ports: {http: 8080}}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS, endpoints: [{address: b.com, ports: {grpc: 8080}}]}"),
                        "spec.endpoints[0].ports.grpc"),
                error("DNS without endpoints needs FQDN hosts",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}"),
                        se("{hosts: ['*.a.com'], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}"),
                        "spec.hosts[0]"),
                error("DNS_ROUND_ROBIN at most one endpoint",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS_ROUND_ROBIN, endpoints: [{address: b.com}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS_ROUND_ROBIN, endpoints: [{address: b.com}, {address: c.com}]}"),
                        "spec.endpoints"),
                error("several hosts need HTTP or TLS ports",
                        se("{hosts: [a.com, b.com], ports: [{number: 443, name: tls, protocol: TLS}], resolution: DNS}"),
                        se("{hosts: [a.com, b.com], ports: [{number: 9000, name: tcp, protocol: TCP}], resolution: DNS}"),
                        "spec.ports[0].protocol"),
                error("workloadSelector or endpoints",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, workloadSelector: {labels: {app: a}}}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC, workloadSelector: {labels: {app: a}}, endpoints: [{address: 1.1.1.1}]}"),
                        "spec.workloadSelector"),
                warning("partial wildcard host",
                        se("{hosts: ['*.a.com'], ports: [{number: 80, name: http, protocol: HTTP}]}"),
                        se("{hosts: ['*a.com'], ports: [{number: 80, name: http, protocol: HTTP}]}"), "spec.hosts[0]"),
                warning("targetPort ignored with NONE",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}], resolution: STATIC, endpoints: [{address: 1.1.1.1}]}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}]}"),
                        "spec.ports[0].targetPort"),
                error("exportTo none with others",
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], exportTo: ['~']}"),
                        se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTP}], exportTo: ['~', other]}"),
                        "spec.exportTo"));
    }

    static List<Harness.Rule> sidecars() {
        return List.of(
                error("empty configuration",
                        sidecar("{egress: [{hosts: ['./*']}]}"),
                        sidecar("{egress: []}"), "spec"),
                error("egress host namespace/host form",
                        sidecar("{egress: [{hosts: ['./*', 'istio-system/*', '~/*', '*/a.b.com']}]}"),
                        sidecar("{egress: [{hosts: [a.b.com]}]}"), "spec.egress[0].hosts[0]"),
                error("egress needs hosts",
                        sidecar("{egress: [{hosts: ['./*']}]}"),
                        sidecar("{egress: [{port: {number: 80, name: http, protocol: HTTP}}]}"), "spec.egress[0].hosts"),
                error("catch-all egress listener last",
                        sidecar("{egress: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['./*']}, {hosts: ['*/*']}]}"),
                        sidecar("{egress: [{hosts: ['*/*']}, {port: {number: 80, name: http, protocol: HTTP}, hosts: ['./*']}]}"),
                        "spec.egress[0]"),
                error("egress ports unique",
                        sidecar("{egress: [{port: {number: 80, protocol: HTTP}, hosts: ['./*']}, {port: {number: 81, protocol: HTTP}, hosts: ['./*']}]}"),
                        sidecar("{egress: [{port: {number: 80, protocol: HTTP}, hosts: ['./*']}, {port: {number: 80, protocol: HTTP}, hosts: ['./*']}]}"),
                        "spec.egress[1].port.number"),
                error("port 0 needs unix bind",
                        sidecar("{egress: [{port: {number: 0, protocol: HTTP}, bind: 'unix:///var/run/a.sock', hosts: ['./*']}]}"),
                        sidecar("{egress: [{port: {number: 0, protocol: HTTP}, hosts: ['./*']}]}"), "spec.egress[0].bind"),
                warning("duplicated egress host",
                        sidecar("{egress: [{hosts: ['ns1/a.com', 'ns2/a.com']}]}"),
                        sidecar("{egress: [{hosts: ['ns1/*', 'ns1/a.com']}]}"), "spec.egress[0].hosts[1]"),
                error("ingress needs a port",
                        sidecar("{ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: '127.0.0.1:8080'}]}"),
                        sidecar("{ingress: [{defaultEndpoint: '127.0.0.1:8080'}]}"), "spec.ingress[0].port"),
                error("ingress defaultEndpoint form",
                        sidecar("{ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: '[::1]:8080'}]}"),
                        sidecar("{ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: '10.0.0.1:8080'}]}"),
                        "spec.ingress[0].defaultEndpoint"),
                error("ingress tls mode",
                        sidecar("{ingress: [{port: {number: 9080, protocol: HTTPS, name: https}, tls: {mode: SIMPLE, serverCertificate: /c, privateKey: /k}}]}"),
                        sidecar("{ingress: [{port: {number: 9080, protocol: HTTPS, name: https}, tls: {mode: ISTIO_MUTUAL}}]}"),
                        "spec.ingress[0].tls.mode"),
                error("egress proxy only with ALLOW_ANY",
                        sidecar("{outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: proxy.example.com, port: {number: 3128}}}}"),
                        sidecar("{outboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: proxy.example.com, port: {number: 3128}}}}"),
                        "spec.outboundTrafficPolicy.egressProxy"),
                warning("selector without labels",
                        sidecar("{workloadSelector: {labels: {app: a}}, egress: [{hosts: ['./*']}]}"),
                        sidecar("{workloadSelector: {}, egress: [{hosts: ['./*']}]}"), "spec.workloadSelector"));
    }

    static List<Harness.Rule> workloads() {
        String we = "networking.istio.io/v1";
        return List.of(
                error("workload entry address required",
                        Harness.doc(we, "WorkloadEntry", "{address: 10.0.0.1}"),
                        Harness.doc(we, "WorkloadEntry", "{address: ''}"), "spec.address"),
                warning("address unset with network",
                        Harness.doc(we, "WorkloadEntry", "{address: 10.0.0.1, network: n1}"),
                        Harness.doc(we, "WorkloadEntry", "{network: n1}"), "spec.address"),
                error("workload entry address FQDN or IP",
                        Harness.doc(we, "WorkloadEntry", "{address: vm1.example.com}"),
                        Harness.doc(we, "WorkloadEntry", "{address: 'vm_1..com'}"), "spec.address"),
                error("workload entry ports",
                        Harness.doc(we, "WorkloadEntry", "{address: 10.0.0.1, ports: {http: 8080}}"),
                        Harness.doc(we, "WorkloadEntry", "{address: 10.0.0.1, ports: {http: 0}}"), "spec.ports.http"),
                error("unix endpoints take no ports",
                        Harness.doc(we, "WorkloadEntry", "{address: 'unix:///var/run/a.sock'}"),
                        Harness.doc(we, "WorkloadEntry", "{address: 'unix:///var/run/a.sock', ports: {http: 80}}"), "spec.ports"),
                error("workload group template required",
                        Harness.doc(we, "WorkloadGroup", "{template: {serviceAccount: a}}"),
                        Harness.doc(we, "WorkloadGroup", "{metadata: {labels: {app: a}}}"), "spec.template"),
                error("workload group labels",
                        Harness.doc(we, "WorkloadGroup", "{metadata: {labels: {app.kubernetes.io/name: reviews}}, template: {}}"),
                        Harness.doc(we, "WorkloadGroup", "{metadata: {labels: {'.': '~'}}, template: {}}"),
                        "spec.metadata.labels[\".\"]"),
                error("workload group probe",
                        Harness.doc(we, "WorkloadGroup", "{template: {}, probe: {periodSeconds: 5, httpGet: {port: 8080}}}"),
                        Harness.doc(we, "WorkloadGroup", "{template: {}, probe: {periodSeconds: -5, httpGet: {port: 8080}}}"),
                        "spec.probe.periodSeconds"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("destinationRules")
    void destinationRule(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gateways")
    void gateway(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceEntries")
    void serviceEntry(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sidecars")
    void sidecarRule(Harness.Rule rule) {
        Harness.check(rule);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void workload(Harness.Rule rule) {
        Harness.check(rule);
    }
}
