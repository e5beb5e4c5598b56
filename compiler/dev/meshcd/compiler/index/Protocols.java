package dev.meshcd.compiler.index;

import java.util.Locale;
import java.util.Set;

/** Istio's protocol selection for service ports: appProtocol first, then the port name's prefix. */
public final class Protocols {
    private static final Set<String> KNOWN = Set.of("HTTP", "HTTP2", "HTTPS", "GRPC", "GRPC-WEB", "TCP", "TLS",
            "MONGO", "MYSQL", "REDIS", "UDP", "HTTP_PROXY");

    private Protocols() {
    }

    /** The Istio protocol of a port, or "UNKNOWN" when neither appProtocol nor the name says (Istio sniffs those). */
    public static String of(String name, String appProtocol, String l4Protocol) {
        if ("UDP".equalsIgnoreCase(l4Protocol)) {
            return "UDP";
        }
        if (appProtocol != null && !appProtocol.isEmpty()) {
            String p = normalize(appProtocol);
            if (p != null) {
                return p;
            }
        }
        if (name != null && !name.isEmpty()) {
            int dash = name.indexOf('-');
            String prefix = dash < 0 ? name : name.substring(0, dash);
            String p = normalize(prefix);
            if (p != null) {
                return p;
            }
            // "grpc-web" has a dash of its own
            if (name.toLowerCase(Locale.ROOT).startsWith("grpc-web")) {
                return "GRPC-WEB";
            }
        }
        return "UNKNOWN";
    }

    private static String normalize(String p) {
        String u = p.toUpperCase(Locale.ROOT);
        if (u.equals("KUBERNETES.IO/H2C")) {
            return "HTTP2";
        }
        if (u.equals("KUBERNETES.IO/WS") || u.equals("KUBERNETES.IO/WSS")) {
            return "HTTP";
        }
        return KNOWN.contains(u) ? u : null;
    }

    public static boolean isHttp(String protocol) {
        return switch (protocol) {
            case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY" -> true;
            default -> false;
        };
    }
}
