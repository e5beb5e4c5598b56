package dev.meshcd.compiler.envoy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What one proxy would receive over xDS: listeners (LDS), route configurations (RDS) and clusters
 * (CDS), each sorted by name, plus where each came from. Endpoints (EDS) are not computed: they
 * depend on running pods.
 */
public record ProxyConfig(Proxy proxy, List<Listener> listeners, List<RouteConfiguration> routes,
                          List<Cluster> clusters, Provenance provenance) {

    public ProxyConfig {
        listeners = listeners.stream().sorted(Comparator.comparing(Listener::getName)).toList();
        routes = routes.stream().sorted(Comparator.comparing(RouteConfiguration::getName)).toList();
        clusters = clusters.stream().sorted(Comparator.comparing(Cluster::getName)).toList();
    }

    public Optional<Cluster> cluster(String name) {
        return clusters.stream().filter(c -> c.getName().equals(name)).findFirst();
    }

    public Optional<RouteConfiguration> routeConfig(String name) {
        return routes.stream().filter(r -> r.getName().equals(name)).findFirst();
    }

    public Optional<Listener> listener(String name) {
        return listeners.stream().filter(l -> l.getName().equals(name)).findFirst();
    }
}
