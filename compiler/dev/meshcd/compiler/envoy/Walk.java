package dev.meshcd.compiler.envoy;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;

/** Unpacking the typed configs of network filters. */
final class Walk {
    private Walk() {
    }

    static HttpConnectionManager hcm(Filter f) {
        if (!f.hasTypedConfig() || !f.getTypedConfig().is(HttpConnectionManager.class)) {
            return null;
        }
        return ConfigDumps.unpack(f.getTypedConfig(), HttpConnectionManager.class);
    }

    static TcpProxy tcpProxy(Filter f) {
        if (!f.hasTypedConfig() || !f.getTypedConfig().is(TcpProxy.class)) {
            return null;
        }
        return ConfigDumps.unpack(f.getTypedConfig(), TcpProxy.class);
    }
}
