package dev.meshcd.compiler.envoy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request to simulate, parsed from a curl-like line: {@code GET http://cart:8080/items -H x-canary:true}
 * ({@code -H "x-canary: true"} and, unquoted, {@code -H x-canary: true} too).
 * Headers are lower-cased; {@code :authority} is the URL's host and (non-default) port, as a client sends it.
 */
public record SimRequest(String method, String scheme, String host, int port, String authority, String path,
                         String query, Map<String, String> headers) {

    public static SimRequest parse(String line) {
        List<String> tokens = tokenize(line);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("empty request; expected e.g. \"GET http://cart:8080/items -H x-canary:true\"");
        }
        int i = 0;
        String method = "GET";
        if (!tokens.get(0).contains("://") && !tokens.get(0).startsWith("-")) {
            method = tokens.get(0).toUpperCase(Locale.ROOT);
            i = 1;
        }
        String url = null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("-H") || t.equals("--header")) {
                if (i + 1 >= tokens.size()) {
                    throw new IllegalArgumentException("-H needs a header \"name: value\"");
                }
                String h = tokens.get(++i);
                if (h.endsWith(":") && h.length() > 1 && i + 1 < tokens.size() && !tokens.get(i + 1).startsWith("-")) {
                    h = h + " " + tokens.get(++i); // curl's -H "name: value" typed without the quotes
                }
                int colon = h.indexOf(':', h.startsWith(":") ? 1 : 0);
                if (colon <= 0) {
                    throw new IllegalArgumentException("header \"" + h + "\" is not \"name: value\"");
                }
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            } else if (t.equals("-X") || t.equals("--request")) {
                if (i + 1 >= tokens.size()) {
                    throw new IllegalArgumentException("-X needs a method");
                }
                method = tokens.get(++i).toUpperCase(Locale.ROOT);
            } else if (url == null) {
                url = t;
            } else {
                throw new IllegalArgumentException("unexpected \"" + t + "\" in request");
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("request has no URL");
        }
        if (!url.contains("://")) {
            url = "http://" + url;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad URL \"" + url + "\": " + e.getReason());
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https, not " + scheme);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("URL \"" + url + "\" has no host");
        }
        host = host.toLowerCase(Locale.ROOT);
        int defaultPort = scheme.equals("https") ? 443 : 80;
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        String authority = headers.containsKey("host") ? headers.remove("host")
                : uri.getPort() < 0 ? host : host + ":" + port;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        return new SimRequest(method, scheme, host, port, authority.toLowerCase(Locale.ROOT), path, query, headers);
    }

    /** The value of a header, pseudo-headers included (:method, :authority, :path, :scheme). */
    public String header(String name) {
        return switch (name) {
            case ":method" -> method;
            case ":authority", "host" -> authority;
            case ":path" -> query.isEmpty() ? path : path + "?" + query;
            case ":scheme" -> scheme;
            default -> headers.get(name);
        };
    }

    public Map<String, String> queryParams() {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static List<String> tokenize(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
