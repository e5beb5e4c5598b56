package dev.meshcd.compiler.validate.cel;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A URL parsed the way Go's {@code net/url.ParseRequestURI} parses it, which is what the Kubernetes CEL
 * {@code url()} and {@code isURL()} functions use: an absolute URI or an absolute path, no fragment.
 * Only the parts the Kubernetes URL library exposes are kept.
 */
public record GoUrl(String scheme, String opaque, String userinfo, String host, String path, String rawQuery) {

    /** Parses like Go's {@code url.ParseRequestURI}; throws IllegalArgumentException with Go's reason. */
    public static GoUrl parseRequestUri(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("invalid control character in URL");
            }
        }
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("empty url");
        }
        if (raw.equals("*")) {
            return new GoUrl("", "", "", "", "*", "");
        }
        String scheme = "";
        String rest = raw;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                continue;
            }
            if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
                if (i == 0) {
                    break;
                }
                continue;
            }
            if (c == ':') {
                if (i == 0) {
                    throw new IllegalArgumentException("missing protocol scheme");
                }
                scheme = raw.substring(0, i).toLowerCase(Locale.ROOT);
                rest = raw.substring(i + 1);
            }
            break;
        }
        String rawQuery = "";
        if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
            rest = rest.substring(0, rest.length() - 1);
        } else {
            int q = rest.indexOf('?');
            if (q >= 0) {
                rawQuery = rest.substring(q + 1);
                rest = rest.substring(0, q);
            }
        }
        if (!rest.startsWith("/")) {
            if (!scheme.isEmpty()) {
                return new GoUrl(scheme, rest, "", "", "", rawQuery);
            }
            throw new IllegalArgumentException("invalid URI for request");
        }
        String userinfo = "";
        String host = "";
        if (!scheme.isEmpty() && rest.startsWith("//")) {
            String authority = rest.substring(2);
            int slash = authority.indexOf('/');
            if (slash >= 0) {
                rest = authority.substring(slash);
                authority = authority.substring(0, slash);
            } else {
                rest = "";
            }
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                userinfo = authority.substring(0, at);
                if (!validUserinfo(userinfo)) {
                    throw new IllegalArgumentException("net/url: invalid userinfo");
                }
                authority = authority.substring(at + 1);
            }
            host = parseHost(authority);
        }
        checkEscapes(rest, false);
        return new GoUrl(scheme, "", userinfo, host, rest, rawQuery);
    }

    public static boolean isValid(String raw) {
        try {
            parseRequestUri(raw);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Host with the port, as Go's {@code URL.Host}. */
    public String hostWithPort() {
        return host;
    }

    /** Go's {@code URL.Hostname()}: no port, IPv6 without brackets. */
    public String hostname() {
        String[] hp = splitHostPort(host);
        return hp[0];
    }

    /** Go's {@code URL.Port()}. */
    public String port() {
        return splitHostPort(host)[1];
    }

    /** The path in its escaped form. */
    public String escapedPath() {
        return path;
    }

    /** Go's {@code URL.Query()}: decoded keys to decoded values; malformed pairs are dropped. */
    public Map<String, List<String>> query() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty() || pair.contains(";")) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                checkEscapes(k, false);
                checkEscapes(v, false);
                k = URLDecoder.decode(k, StandardCharsets.UTF_8);
                v = URLDecoder.decode(v, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue;
            }
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String[] splitHostPort(String hostPort) {
        String host = hostPort;
        String port = "";
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && validOptionalPort(hostPort.substring(colon))) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new String[]{host, port};
    }

    private static String parseHost(String host) {
        if (host.startsWith("[")) {
            int close = host.lastIndexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in host");
            }
            String colonPort = host.substring(close + 1);
            if (!validOptionalPort(colonPort)) {
                throw new IllegalArgumentException("invalid port \"" + colonPort + "\" after host");
            }
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                String colonPort = host.substring(colon);
                if (!validOptionalPort(colonPort)) {
                    throw new IllegalArgumentException("invalid port \"" + colonPort + "\" after host");
                }
            }
        }
        checkEscapes(host, true);
        return host;
    }

    private static boolean validOptionalPort(String port) {
        if (port.isEmpty()) {
            return true;
        }
        if (port.charAt(0) != ':') {
            return false;
        }
        for (int i = 1; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean validUserinfo(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                continue;
            }
            if ("-._:~!$&'()*+,;=%@".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Go's unescape validation: '%' must start a two-digit hex escape; hosts allow only some characters. */
    private static void checkEscapes(String s, boolean host) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("invalid URL escape \"" + s.substring(i) + "\"");
                }
                if (!isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    throw new IllegalArgumentException("invalid URL escape \"" + s.substring(i, i + 3) + "\"");
                }
                i += 2;
            } else if (host && c < 0x80 && shouldEscapeInHost(c)) {
                throw new IllegalArgumentException("invalid character \"" + c + "\" in host name");
            }
        }
    }

    private static boolean shouldEscapeInHost(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return false;
        }
        return "-_.~!$&'()*+,;=:[]<>\"".indexOf(c) < 0;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
