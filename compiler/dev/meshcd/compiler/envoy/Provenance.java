package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which Istio resource (and which field of it) produced each emitted Envoy element, so that a
 * constraint violation in the output can be reported against the input that caused it.
 *
 * <p>Keys: {@code cluster/<name>}, {@code listener/<name>}, {@code routeconfig/<name>},
 * {@code vhost/<routeconfig>/<vhost>}, {@code route/<routeconfig>/<vhost>/<index>}.
 */
public final class Provenance {
    public record Source(Resource resource, FieldPath path) {
    }

    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final Provenance parent;

    public Provenance() {
        this(null);
    }

    /** A provenance that falls back to {@code parent} (shared, read-only) for keys it does not have. */
    public Provenance(Provenance parent) {
        this.parent = parent;
    }

    public void put(String key, Resource resource, FieldPath path) {
        if (resource != null) {
            sources.put(key, new Source(resource, path == null ? FieldPath.ROOT : path));
        }
    }

    public Optional<Source> get(String key) {
        return Optional.ofNullable(find(key));
    }

    private Source find(String key) {
        Source s = sources.get(key);
        return s == null && parent != null ? parent.find(key) : s;
    }

    /** The source of the most specific key that has one: {@code route/a/b/3}, then {@code vhost/a/b}, ... */
    public Optional<Source> nearest(String... keys) {
        for (String k : keys) {
            Source s = find(k);
            if (s != null) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public Map<String, Source> all() {
        if (parent == null) {
            return Collections.unmodifiableMap(sources);
        }
        Map<String, Source> out = new LinkedHashMap<>(parent.all());
        out.putAll(sources);
        return Collections.unmodifiableMap(out);
    }

    public static String cluster(String name) {
        return "cluster/" + name;
    }

    public static String listener(String name) {
        return "listener/" + name;
    }

    public static String routeConfig(String name) {
        return "routeconfig/" + name;
    }

    public static String vhost(String rc, String vh) {
        return "vhost/" + rc + "/" + vh;
    }

    /**
     * Marks a virtual host istiod builds for a VirtualService host that names no service on the route
     * configuration's port: its routes may name clusters that do not exist, as istiod's do.
     */
    public static String nonServiceVhost(String rc, String vh) {
        return "vhost-nonservice/" + rc + "/" + vh;
    }

    /**
     * A gateway's Service port and the pod port it targets (the listener's port, as istiod binds gateway listeners
     * to target ports); {@link Simulator} follows it from the port a client calls.
     */
    public static String servicePort(int port, int target) {
        return "serviceport/" + port + "/" + target;
    }

    public static String route(String rc, String vh, int index) {
        return "route/" + rc + "/" + vh + "/" + index;
    }
}
