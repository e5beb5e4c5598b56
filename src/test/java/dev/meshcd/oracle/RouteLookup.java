package dev.meshcd.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.envoy.SimRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Envoy's route lookup, written independently of meshcd's Simulator, over a route configuration as istiod sends it
 * (xdsdump's protojson): the virtual host by domain (exact, then the longest {@code *suffix}, then the longest
 * {@code prefix*}, then {@code *}; the port ignored when {@code ignore_port_in_host_matching}), then the first route
 * whose path, headers and query parameters match. The outcome is one line comparable with
 * {@link #outcome(String, String, String)} of meshcd's result.
 */
final class RouteLookup {
    private RouteLookup() {
    }

    /** "vhost | route | action" for the request, or "no virtual host". */
    static String lookup(JsonNode rc, SimRequest req) {
        String authority = req.authority().toLowerCase(Locale.ROOT);
        if (rc.path("ignore_port_in_host_matching").asBoolean(false)) {
            authority = stripPort(authority);
        }
        JsonNode vh = virtualHost(rc, authority);
        if (vh == null) {
            return "no virtual host";
        }
        if (!vh.path("require_tls").asText("NONE").equals("NONE") && !req.scheme().equals("https")) {
            return outcome(vh.path("name").asText(), null, "redirect 301 to https");
        }
        for (JsonNode r : vh.path("routes")) {
            if (matches(r.path("match"), req)) {
                return outcome(vh.path("name").asText(), r.path("name").asText(null), action(r));
            }
        }
        return outcome(vh.path("name").asText(), null, "no route");
    }

    static String outcome(String vhost, String route, String action) {
        return vhost + " | " + (route == null || route.isEmpty() ? "-" : route) + " | " + action;
    }

    private static String stripPort(String authority) {
        int colon = authority.lastIndexOf(':');
        return colon > 0 && authority.indexOf(']') < colon ? authority.substring(0, colon) : authority;
    }

    static JsonNode virtualHost(JsonNode rc, String host) {
        JsonNode suffixBest = null;
        int suffixLen = -1;
        JsonNode prefixBest = null;
        int prefixLen = -1;
        JsonNode any = null;
        for (JsonNode vh : rc.path("virtual_hosts")) {
            for (JsonNode dn : vh.path("domains")) {
                String d = dn.asText().toLowerCase(Locale.ROOT);
                if (d.equals(host)) {
                    return vh;
                } else if (d.equals("*")) {
                    any = any == null ? vh : any;
                } else if (d.startsWith("*")) {
                    String s = d.substring(1);
                    if (host.length() > s.length() && host.endsWith(s) && s.length() > suffixLen) {
                        suffixBest = vh;
                        suffixLen = s.length();
                    }
                } else if (d.endsWith("*")) {
                    String p = d.substring(0, d.length() - 1);
                    if (host.length() > p.length() && host.startsWith(p) && p.length() > prefixLen) {
                        prefixBest = vh;
                        prefixLen = p.length();
                    }
                }
            }
        }
        return suffixBest != null ? suffixBest : prefixBest != null ? prefixBest : any;
    }

    static boolean matches(JsonNode m, SimRequest req) {
        String path = req.path();
        boolean cs = m.path("case_sensitive").asBoolean(true);
        String p = cs ? path : path.toLowerCase(Locale.ROOT);
        if (m.has("prefix")) {
            String want = m.path("prefix").asText();
            if (!p.startsWith(cs ? want : want.toLowerCase(Locale.ROOT))) {
                return false;
            }
        } else if (m.has("path")) {
            String want = m.path("path").asText();
            if (!p.equals(cs ? want : want.toLowerCase(Locale.ROOT))) {
                return false;
            }
        } else if (m.has("safe_regex")) {
            if (!Pattern.compile(m.path("safe_regex").path("regex").asText()).matcher(path).matches()) {
                return false;
            }
        } else if (m.has("path_separated_prefix")) {
            String want = m.path("path_separated_prefix").asText();
            if (!(path.equals(want) || path.startsWith(want + "/"))) {
                return false;
            }
        }
        for (JsonNode h : m.path("headers")) {
            String value = req.header(h.path("name").asText().toLowerCase(Locale.ROOT));
            boolean ok;
            if (h.has("present_match")) {
                ok = (value != null) == h.path("present_match").asBoolean();
            } else if (value == null) {
                ok = false;
            } else if (h.has("string_match")) {
                ok = stringMatch(h.path("string_match"), value);
            } else if (h.has("exact_match")) {
                ok = value.equals(h.path("exact_match").asText());
            } else if (h.has("prefix_match")) {
                ok = value.startsWith(h.path("prefix_match").asText());
            } else if (h.has("safe_regex_match")) {
                ok = Pattern.compile(h.path("safe_regex_match").path("regex").asText()).matcher(value).matches();
            } else {
                ok = true; // name only: present
            }
            if (ok == h.path("invert_match").asBoolean(false)) {
                return false;
            }
        }
        Map<String, String> params = req.queryParams();
        for (JsonNode q : m.path("query_parameters")) {
            String value = params.get(q.path("name").asText());
            boolean ok = q.has("present_match") ? value != null
                    : value != null && stringMatch(q.path("string_match"), value);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean stringMatch(JsonNode sm, String value) {
        boolean ic = sm.path("ignore_case").asBoolean(false);
        String v = ic ? value.toLowerCase(Locale.ROOT) : value;
        if (sm.has("exact")) {
            return v.equals(lower(sm.path("exact").asText(), ic));
        } else if (sm.has("prefix")) {
            return v.startsWith(lower(sm.path("prefix").asText(), ic));
        } else if (sm.has("suffix")) {
            return v.endsWith(lower(sm.path("suffix").asText(), ic));
        } else if (sm.has("contains")) {
            return v.contains(lower(sm.path("contains").asText(), ic));
        } else if (sm.has("safe_regex")) {
            return Pattern.compile(sm.path("safe_regex").path("regex").asText()).matcher(value).matches();
        }
        return false;
    }

    private static String lower(String s, boolean ic) {
        return ic ? s.toLowerCase(Locale.ROOT) : s;
    }

    /** The route's action as one comparable phrase: clusters and weights, a direct response or a redirect. */
    static String action(JsonNode r) {
        if (r.has("route")) {
            JsonNode a = r.path("route");
            if (a.has("cluster")) {
                return "route " + a.path("cluster").asText() + ":100";
            }
            List<String> ws = new ArrayList<>();
            int total = 0;
            for (JsonNode c : a.path("weighted_clusters").path("clusters")) {
                total += c.path("weight").asInt();
            }
            for (JsonNode c : a.path("weighted_clusters").path("clusters")) {
                // as a percentage, whatever total the side uses
                ws.add(c.path("name").asText() + ":" + Math.round(100.0 * c.path("weight").asInt() / Math.max(1, total)));
            }
            ws.sort(null);
            return "route " + String.join(",", ws);
        }
        if (r.has("direct_response")) {
            return "direct response " + r.path("direct_response").path("status").asInt();
        }
        if (r.has("redirect")) {
            return "redirect";
        }
        return "none";
    }
}
