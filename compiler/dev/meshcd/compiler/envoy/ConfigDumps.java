package dev.meshcd.compiler.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;

/**
 * Prints a proxy's configuration in the shape of Envoy's {@code /config_dump} (an
 * {@code envoy.admin.v3.ConfigDump} with listener, cluster and route dumps), with JsonFormat and a
 * TypeRegistry that knows every type packed into an {@code Any}. No version_info or timestamps, so
 * the output is byte-stable.
 */
public final class ConfigDumps {
    /** Every message type the translation packs into an Any. */
    public static final TypeRegistry TYPES = TypeRegistry.newBuilder().add(List.<Descriptors.Descriptor>of(
            Listener.getDescriptor(), Cluster.getDescriptor(), RouteConfiguration.getDescriptor(),
            ListenersConfigDump.getDescriptor(), ClustersConfigDump.getDescriptor(), RoutesConfigDump.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst.getDescriptor(),
            io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor(),
            io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor(),
            io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor(),
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())).build();

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();

    private ConfigDumps() {
    }

    public static ConfigDump dump(ProxyConfig config) {
        ListenersConfigDump.Builder l = ListenersConfigDump.newBuilder();
        for (Listener listener : config.listeners()) {
            l.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder().setName(listener.getName())
                    .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder().setListener(Xds.pack(listener))));
        }
        ClustersConfigDump.Builder c = ClustersConfigDump.newBuilder();
        for (Cluster cluster : config.clusters()) {
            c.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder().setCluster(Xds.pack(cluster)));
        }
        RoutesConfigDump.Builder r = RoutesConfigDump.newBuilder();
        for (RouteConfiguration rc : config.routes()) {
            r.addDynamicRouteConfigs(RoutesConfigDump.DynamicRouteConfig.newBuilder().setRouteConfig(Xds.pack(rc)));
        }
        return ConfigDump.newBuilder().addConfigs(Xds.pack(l.build())).addConfigs(Xds.pack(c.build()))
                .addConfigs(Xds.pack(r.build())).build();
    }

    /** The config dump of a proxy as JSON (2-space indentation, trailing newline). */
    public static String json(ProxyConfig config) {
        return print(dump(config)) + "\n";
    }

    public static String print(Message m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + m.getDescriptorForType().getFullName() + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks an Any whose type is in {@link #TYPES}; null for an unknown type. */
    public static Message unpack(Any any) {
        try {
            Descriptors.Descriptor d = TYPES.getDescriptorForTypeUrl(any.getTypeUrl());
            if (d == null) {
                return null;
            }
            return com.google.protobuf.DynamicMessage.parseFrom(d, any.getValue());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** Unpacks an Any to a generated class. */
    public static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
