package dev.meshcd.compiler.index;

import java.util.Locale;
import java.util.Set;

/** Istio's protocol selection for service ports: appProtocol first, then the port name's prefix. */
public final class Protocols {
    private static final Set<String> KNOWN = Set.of("HTTP", "HTTP2", "HTTPS", "GRPC", "GRPC-WEB", "TCP", "TLS",
            "MONGO", "MYSQL", "REDIS", "UDP", "HTTP_PROXY");

    private Protocols() {
    }

    /** Ports Istio treats as TCP when their name gives no protocol (SMTP, DNS, MySQL, MongoDB). */
    private static final Set<Integer> WELL_KNOWN_TCP = Set.of(25, 53, 3306, 27017);

    /** The Istio protocol of a port, or "UNKNOWN" when neither appProtocol nor the name says (Istio sniffs those). */
    public static String of(String name, String appProtocol, String l4Protocol) {
        return of(name, appProtocol, l4Protocol, 0);
    }

    /**
     * Istio's ConvertProtocol (pkg/config/kube/conversion.go): UDP; else appProtocol when set (then the name is not
     * looked at), else the port name's prefix; a port without protocol among the well-known ones (25, 53, 3306,
     * 27017) is TCP.
     */
    public static String of(String name, String appProtocol, String l4Protocol, int port) {
        if ("UDP".equalsIgnoreCase(l4Protocol)) {
            return "UDP";
        }
        String n = name == null ? "" : name;
        if (appProtocol != null && !appProtocol.isEmpty()) {
            switch (appProtocol.toLowerCase(Locale.ROOT)) {
                case "kubernetes.io/h2c" -> {
                    return "HTTP2";
                }
                case "kubernetes.io/ws" -> {
                    return "HTTP";
                }
                case "kubernetes.io/wss" -> {
                    return "HTTPS";
                }
                default -> n = appProtocol;
            }
        }
        // "grpc-web" has a dash of its own
        if (n.toLowerCase(Locale.ROOT).startsWith("grpc-web")) {
            return "GRPC-WEB";
        }
        int dash = n.indexOf('-');
        String p = normalize(dash < 0 ? n : n.substring(0, dash));
        if (p != null) {
            return p;
        }
        return WELL_KNOWN_TCP.contains(port) ? "TCP" : "UNKNOWN";
    }

    private static String normalize(String p) {
        String u = p.toUpperCase(Locale.ROOT);
        return KNOWN.contains(u) ? u : null;
    }

    public static boolean isHttp(String protocol) {
        return switch (protocol) {
            case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY" -> true;
            default -> false;
        };
    }
}
