package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.Protocols;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.model.Resource;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.List;
import java.util.Locale;

/** Builds CDS clusters: outbound per service port and subset, inbound per workload port, and the fixed ones. */
final class Clusters {
    static final long MAX = 4294967295L;
    private static final String HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    private Clusters() {
    }

    static String outboundName(int port, String subset, String host) {
        return "outbound|" + port + "|" + (subset == null ? "" : subset) + "|" + host;
    }

    static String inboundName(int port) {
        return "inbound|" + port + "||";
    }

    /** Parses {@code outbound|8080|v1|cart.shop.svc.cluster.local}; null when not an outbound cluster name. */
    static String[] parseOutbound(String name) {
        String[] parts = name.split("\\|", -1);
        return parts.length == 4 && parts[0].equals("outbound") ? parts : null;
    }

    static Cluster outbound(MeshService svc, ServicePort port, String subset, JsonNode policy, Resource dr,
                            String trustDomain) {
        String name = outboundName(port.number(), subset, svc.host());
        Cluster.Builder c = Cluster.newBuilder().setName(name)
                .setConnectTimeout(Xds.seconds(10))
                .setMetadata(Xds.clusterMetadata(dr, List.of(svc.host())));
        String resolution = svc.fromServiceEntry()
                ? svc.resource().spec().path("resolution").asText("NONE").toUpperCase(Locale.ROOT) : "EDS";
        switch (resolution) {
            case "DNS", "DNS_ROUND_ROBIN" -> {
                c.setType("DNS".equals(resolution) ? Cluster.DiscoveryType.STRICT_DNS : Cluster.DiscoveryType.LOGICAL_DNS)
                        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
                        .setLoadAssignment(dnsEndpoints(name, svc, port));
            }
            case "NONE" -> c.setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
            default -> c.setType(Cluster.DiscoveryType.EDS).setEdsClusterConfig(
                    Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Xds.ads()).setServiceName(name));
        }
        if (c.getType() != Cluster.DiscoveryType.ORIGINAL_DST) {
            c.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
        }
        CircuitBreakers.Thresholds.Builder th = CircuitBreakers.Thresholds.newBuilder()
                .setPriority(RoutingPriority.DEFAULT)
                .setMaxConnections(u32(MAX)).setMaxPendingRequests(u32(MAX)).setMaxRequests(u32(MAX))
                .setMaxRetries(u32(MAX)).setTrackRemaining(true);
        HttpProtocolOptions.Builder common = HttpProtocolOptions.newBuilder();
        boolean commonSet = false;

        JsonNode lb = policy.path("loadBalancer");
        String simple = lb.path("simple").asText("");
        switch (simple) {
            case "ROUND_ROBIN" -> c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
            case "RANDOM" -> c.setLbPolicy(Cluster.LbPolicy.RANDOM);
            case "LEAST_REQUEST", "LEAST_CONN" -> c.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
            case "PASSTHROUGH" -> c.clearEdsClusterConfig().clearLoadAssignment()
                    .setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
            default -> {
            }
        }
        if (lb.has("consistentHash")) {
            JsonNode ch = lb.path("consistentHash");
            if (ch.has("maglev")) {
                c.setLbPolicy(Cluster.LbPolicy.MAGLEV);
            } else {
                c.setLbPolicy(Cluster.LbPolicy.RING_HASH);
                long min = ch.path("ringHash").path("minimumRingSize").asLong(ch.path("minimumRingSize").asLong(1024));
                c.setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder()
                        .setMinimumRingSize(UInt64Value.of(min)));
            }
        }

        JsonNode tcp = policy.path("connectionPool").path("tcp");
        JsonNode http = policy.path("connectionPool").path("http");
        if (tcp.has("maxConnections")) {
            th.setMaxConnections(u32(tcp.path("maxConnections").asLong()));
        }
        Duration ct = Xds.duration(tcp.path("connectTimeout"));
        if (ct != null) {
            c.setConnectTimeout(ct);
        }
        if (http.has("http1MaxPendingRequests")) {
            th.setMaxPendingRequests(u32(http.path("http1MaxPendingRequests").asLong()));
        }
        if (http.has("http2MaxRequests")) {
            th.setMaxRequests(u32(http.path("http2MaxRequests").asLong()));
        }
        if (http.has("maxRetries")) {
            th.setMaxRetries(u32(http.path("maxRetries").asLong()));
        }
        if (http.has("maxRequestsPerConnection")) {
            common.setMaxRequestsPerConnection(u32(http.path("maxRequestsPerConnection").asLong()));
            commonSet = true;
        }
        Duration idle = Xds.duration(http.path("idleTimeout"));
        if (idle != null) {
            common.setIdleTimeout(idle);
            commonSet = true;
        }
        c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(th));

        JsonNode od = policy.path("outlierDetection");
        if (od.isObject()) {
            OutlierDetection.Builder o = OutlierDetection.newBuilder();
            JsonNode c5 = od.has("consecutive5xxErrors") ? od.path("consecutive5xxErrors") : od.path("consecutiveErrors");
            if (!c5.isMissingNode()) {
                o.setConsecutive5Xx(u32(c5.asLong())).setEnforcingConsecutive5Xx(u32(c5.asLong() > 0 ? 100 : 0));
            } else {
                o.setEnforcingConsecutive5Xx(u32(0));
            }
            if (od.has("consecutiveGatewayErrors")) {
                long g = od.path("consecutiveGatewayErrors").asLong();
                o.setConsecutiveGatewayFailure(u32(g)).setEnforcingConsecutiveGatewayFailure(u32(g > 0 ? 100 : 0));
            }
            Duration interval = Xds.duration(od.path("interval"));
            if (interval != null) {
                o.setInterval(interval);
            }
            Duration base = Xds.duration(od.path("baseEjectionTime"));
            if (base != null) {
                o.setBaseEjectionTime(base);
            }
            if (od.has("maxEjectionPercent")) {
                o.setMaxEjectionPercent(u32(od.path("maxEjectionPercent").asLong()));
            }
            // success-rate ejection is not part of Istio's API: istiod turns it off (Envoy enforces 100% by default)
            c.setOutlierDetection(o.setEnforcingSuccessRate(u32(0)));
        }
        // istiod disables Envoy's panic mode (0%) unless minHealthPercent asks for it
        c.setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(
                Percent.newBuilder().setValue(od.path("minHealthPercent").asDouble(0))));

        if (Protocols.isHttp(port.protocol()) || commonSet) {
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.Builder explicit =
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder();
            boolean h2 = switch (port.protocol()) {
                case "HTTP2", "GRPC", "GRPC-WEB" -> true;
                default -> "UPGRADE".equals(http.path("h2UpgradePolicy").asText());
            };
            if (h2) {
                explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
            } else {
                explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
            }
            if (h2 || commonSet) {
                var opts = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(explicit);
                if (commonSet) {
                    opts.setCommonHttpProtocolOptions(common);
                }
                c.putTypedExtensionProtocolOptions(HTTP_OPTIONS, Xds.pack(opts.build()));
            }
        }

        JsonNode tls = policy.path("tls");
        String mode = tls.path("mode").asText("");
        String sni = "outbound_." + port.number() + "_." + (subset == null ? "" : subset) + "_." + svc.host();
        // istiod offers h2 in the mTLS ALPN when the cluster speaks HTTP/2 upstream
        var httpOpts = c.getTypedExtensionProtocolOptionsMap().get(HTTP_OPTIONS);
        boolean h2 = httpOpts != null && ConfigDumps.unpack(httpOpts,
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class).getExplicitHttpConfig()
                .hasHttp2ProtocolOptions();
        switch (mode) {
            case "ISTIO_MUTUAL" -> c.setTransportSocket(Tls.istioUpstream(sni, trustDomain, h2));
            case "SIMPLE", "MUTUAL" -> c.setTransportSocket(Tls.upstream(tls, svc.host()));
            case "DISABLE" -> {
            }
            default -> {
                if (!svc.fromServiceEntry()) {
                    // auto mTLS: endpoints labelled tlsMode=istio get Istio mTLS, the others plain text
                    c.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
                            .setMatch(com.google.protobuf.Struct.newBuilder().putFields("tlsMode",
                                    com.google.protobuf.Value.newBuilder().setStringValue("istio").build()))
                            .setTransportSocket(Tls.istioUpstream(sni, trustDomain, h2)));
                    c.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
                            .setMatch(com.google.protobuf.Struct.getDefaultInstance())
                            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")
                                    .setTypedConfig(Xds.pack(RawBuffer.getDefaultInstance()))));
                }
            }
        }
        return c.build();
    }

    private static ClusterLoadAssignment dnsEndpoints(String name, MeshService svc, ServicePort port) {
        LocalityLbEndpoints.Builder loc = LocalityLbEndpoints.newBuilder();
        JsonNode eps = svc.resource().spec().path("endpoints");
        if (eps.isArray() && !eps.isEmpty()) {
            for (JsonNode ep : eps) {
                int p = ep.path("ports").path(port.name()).asInt(port.number());
                loc.addLbEndpoints(lbEndpoint(ep.path("address").asText(), p));
            }
        } else {
            int p = port.targetPort().matches("\\d{1,5}") ? Integer.parseInt(port.targetPort()) : port.number();
            loc.addLbEndpoints(lbEndpoint(svc.host(), p));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(loc).build();
    }

    private static LbEndpoint lbEndpoint(String address, int port) {
        return LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(socket(address, port))).build();
    }

    static Address socket(String address, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))
                .build();
    }

    static Cluster inbound(int port, List<String> services) {
        return Cluster.newBuilder().setName(inboundName(port))
                .setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                .setConnectTimeout(Xds.seconds(10))
                .setUpstreamBindConfig(BindConfig.newBuilder().setSourceAddress(
                        SocketAddress.newBuilder().setAddress("127.0.0.6").setPortValue(0)))
                .setCircuitBreakers(defaultBreakers())
                .setMetadata(Xds.clusterMetadata(null, services))
                .build();
    }

    static Cluster passthrough(String name, boolean inbound) {
        Cluster.Builder c = Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).setConnectTimeout(Xds.seconds(10))
                .setCircuitBreakers(defaultBreakers());
        if (inbound) {
            c.setUpstreamBindConfig(BindConfig.newBuilder().setSourceAddress(
                    SocketAddress.newBuilder().setAddress("127.0.0.6").setPortValue(0)));
        }
        // as istiod: upstream HTTP/1 or HTTP/2 as the client spoke, idle connections closed after 5 minutes
        c.putTypedExtensionProtocolOptions(HTTP_OPTIONS, Xds.pack(
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                        .setCommonHttpProtocolOptions(HttpProtocolOptions.newBuilder().setIdleTimeout(Xds.seconds(300)))
                        .setUseDownstreamProtocolConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3
                                .HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
                                .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
                                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                        .build()));
        return c.build();
    }

    static Cluster blackhole() {
        return Cluster.newBuilder().setName(Xds.BLACKHOLE).setType(Cluster.DiscoveryType.STATIC)
                .setConnectTimeout(Xds.seconds(10)).build();
    }

    private static CircuitBreakers defaultBreakers() {
        return CircuitBreakers.newBuilder().addThresholds(CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(u32(MAX)).setMaxPendingRequests(u32(MAX)).setMaxRequests(u32(MAX))
                .setMaxRetries(u32(MAX)).setTrackRemaining(true)).build();
    }

    static UInt32Value u32(long v) {
        return UInt32Value.of((int) Math.max(0, Math.min(v, MAX)));
    }

    static BoolValue bool(boolean b) {
        return BoolValue.of(b);
    }
}
