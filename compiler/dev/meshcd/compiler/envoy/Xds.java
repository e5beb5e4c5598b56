package dev.meshcd.compiler.envoy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshcd.compiler.model.Resource;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import java.util.Collection;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small builders shared by the translation: ADS config source, durations, Any, Istio metadata. */
final class Xds {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");

    static final String PASSTHROUGH = "PassthroughCluster";
    static final String BLACKHOLE = "BlackHoleCluster";
    static final String INBOUND_PASSTHROUGH = "InboundPassthroughCluster";

    private Xds() {
    }

    static ConfigSource ads() {
        return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
                .setInitialFetchTimeout(Duration.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3).build();
    }

    static Any pack(Message m) {
        return Any.pack(m, "type.googleapis.com");
    }

    static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }

    static Duration millis(long ms) {
        return Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
    }

    /** Parses an Istio (Go) duration such as {@code 1.5s}, {@code 300ms}, {@code 1h30m}; null when malformed. */
    static Duration duration(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        String text = node.asText().trim().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            return null;
        }
        Matcher m = DURATION.matcher(text);
        int pos = 0;
        double nanos = 0;
        while (m.find()) {
            if (m.start() != pos) {
                return null;
            }
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "h" -> 3600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            pos = m.end();
        }
        if (pos != text.length()) {
            return null;
        }
        long total = Math.round(nanos);
        return Duration.newBuilder().setSeconds(total / 1_000_000_000L).setNanos((int) (total % 1_000_000_000L)).build();
    }

    static String format(Duration d) {
        if (d.getNanos() == 0) {
            return d.getSeconds() + "s";
        }
        long ms = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
        return ms + "ms";
    }

    /** Istio's {@code istio.config} metadata: the path of the resource that produced an element. */
    static Metadata istioMetadata(Resource r) {
        return Metadata.newBuilder().putFilterMetadata("istio", Struct.newBuilder()
                .putFields("config", Value.newBuilder().setStringValue(configPath(r)).build()).build()).build();
    }

    static Metadata clusterMetadata(Resource dr, Collection<String> services) {
        Struct.Builder s = Struct.newBuilder();
        if (dr != null) {
            s.putFields("config", Value.newBuilder().setStringValue(configPath(dr)).build());
        }
        ListValue.Builder list = ListValue.newBuilder();
        for (String svc : services) {
            list.addValues(Value.newBuilder().setStringValue(svc));
        }
        s.putFields("services", Value.newBuilder().setListValue(list).build());
        return Metadata.newBuilder().putFilterMetadata("istio", s.build()).build();
    }

    /** "/apis/networking.istio.io/v1/namespaces/shop/virtual-service/cart", the form istiod writes. */
    private static final java.util.Map<Resource, String> PATHS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    static String configPath(Resource r) {
        return PATHS.computeIfAbsent(r, Xds::computeConfigPath);
    }

    private static String computeConfigPath(Resource r) {
        String kebab = r.key().kind().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        return "/apis/" + r.key().group() + "/" + r.version() + "/namespaces/" + r.namespace() + "/" + kebab + "/"
                + r.name();
    }

    static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.asText("");
    }
}
