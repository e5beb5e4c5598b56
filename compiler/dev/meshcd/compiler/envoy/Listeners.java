package dev.meshcd.compiler.envoy;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;

/** Listener, filter chain and network filter builders (HTTP connection manager, TCP proxy). */
final class Listeners {
    static final String HCM = "envoy.filters.network.http_connection_manager";
    static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
    static final String ROUTER = "envoy.filters.http.router";

    private Listeners() {
    }

    static Listener.Builder listener(String name, String address, int port, TrafficDirection direction) {
        return Listener.newBuilder().setName(name).setAddress(Clusters.socket(address, port))
                .setTrafficDirection(direction);
    }

    static Filter hcmRds(String statPrefix, String routeConfigName, List<HttpFilter> extra) {
        HttpConnectionManager.Builder h = hcmBase(statPrefix, extra)
                .setRds(Rds.newBuilder().setConfigSource(Xds.ads()).setRouteConfigName(routeConfigName));
        return Filter.newBuilder().setName(HCM).setTypedConfig(Xds.pack(h.build())).build();
    }

    static Filter hcmInline(String statPrefix, RouteConfiguration rc, List<HttpFilter> extra) {
        HttpConnectionManager.Builder h = hcmBase(statPrefix, extra).setRouteConfig(rc);
        return Filter.newBuilder().setName(HCM).setTypedConfig(Xds.pack(h.build())).build();
    }

    private static HttpConnectionManager.Builder hcmBase(String statPrefix, List<HttpFilter> extra) {
        HttpConnectionManager.Builder h = HttpConnectionManager.newBuilder().setStatPrefix(statPrefix)
                .setCodecType(HttpConnectionManager.CodecType.AUTO);
        h.addAllHttpFilters(extra);
        h.addHttpFilters(HttpFilter.newBuilder().setName(Routes.FAULT_FILTER)
                .setTypedConfig(Xds.pack(HTTPFault.getDefaultInstance())));
        h.addHttpFilters(HttpFilter.newBuilder().setName(ROUTER).setTypedConfig(Xds.pack(Router.getDefaultInstance())));
        return h;
    }

    static Filter tcpProxy(String statPrefix, String cluster) {
        return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Xds.pack(TcpProxy.newBuilder()
                .setStatPrefix(statPrefix).setCluster(cluster).build())).build();
    }

    static FilterChain chain(String name, FilterChainMatch match, TransportSocket socket, Filter filter) {
        FilterChain.Builder c = FilterChain.newBuilder().setName(name).addFilters(filter);
        if (match != null) {
            c.setFilterChainMatch(match);
        }
        if (socket != null) {
            c.setTransportSocket(socket);
        }
        return c.build();
    }

    static ListenerFilter originalDst() {
        return ListenerFilter.newBuilder().setName("envoy.filters.listener.original_dst")
                .setTypedConfig(Xds.pack(OriginalDst.getDefaultInstance())).build();
    }

    static ListenerFilter tlsInspector() {
        return ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector")
                .setTypedConfig(Xds.pack(TlsInspector.getDefaultInstance())).build();
    }
}
