package dev.meshcd.compiler.review;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changed routes as a Mermaid flowchart: caller, then host and route, then the clusters with their weights,
 * each edge marked before (dotted), after (thick) or both (solid, "90% → 50%"). Node ids are generated; every label
 * is written as a quoted string whose characters outside a small safe set are Mermaid entity codes ({@code #60;}),
 * so a name from users' YAML can neither end the label, inject syntax, nor close the markdown fence around it.
 */
final class Mermaid {
    private Mermaid() {
    }

    static String flowchart(List<RouteChange> changes) {
        StringBuilder b = new StringBuilder("flowchart LR\n");
        Map<String, String> callerIds = new LinkedHashMap<>();
        int routeNo = 0;
        for (RouteChange c : changes) {
            String callerKey = String.join(",", c.callers());
            String callerId = callerIds.get(callerKey);
            if (callerId == null) {
                callerId = "c" + callerIds.size();
                callerIds.put(callerKey, callerId);
                b.append("  ").append(callerId).append("[\"").append(label(callers(c.callers()))).append("\"]\n");
            }
            String routeId = "r" + routeNo;
            b.append("  ").append(routeId).append("[\"").append(label(c.host() + " · route " + c.route())).append("\"]\n");
            b.append("  ").append(callerId).append(" --> ").append(routeId).append('\n');
            Map<String, Integer> before = new LinkedHashMap<>();
            c.before().forEach(t -> before.merge(t.name(), t.percent(), Integer::sum));
            Map<String, Integer> after = new LinkedHashMap<>();
            c.after().forEach(t -> after.merge(t.name(), t.percent(), Integer::sum));
            Set<String> names = new LinkedHashSet<>(before.keySet());
            names.addAll(after.keySet());
            int targetNo = 0;
            for (String name : names) {
                String targetId = routeId + "t" + targetNo++;
                b.append("  ").append(targetId).append("[\"").append(label(name)).append("\"]\n");
                Integer was = before.get(name);
                Integer now = after.get(name);
                String edge;
                if (was != null && now != null) {
                    edge = " -->|\"" + label(was.equals(now) ? now + "%" : was + "% → " + now + "%") + "\"| ";
                } else if (was != null) {
                    edge = " -.->|\"" + label("before " + was + "%") + "\"| ";
                } else {
                    edge = " ==>|\"" + label("after " + now + "%") + "\"| ";
                }
                b.append("  ").append(routeId).append(edge).append(targetId).append('\n');
            }
            routeNo++;
        }
        return b.toString();
    }

    /** The number of edges in a chart {@link #flowchart} wrote (one per line with an arrow). */
    static int edges(String chart) {
        int n = 0;
        for (String line : chart.split("\n")) {
            if (line.contains(" --> ") || line.contains(" -.->") || line.contains(" ==>") || line.contains(" -->|")) {
                n++;
            }
        }
        return n;
    }

    private static String callers(List<String> callers) {
        int shown = Math.min(3, callers.size());
        String s = String.join(", ", callers.subList(0, shown));
        return callers.size() > shown ? s + " +" + (callers.size() - shown) + " more" : s;
    }

    /** A label's text: letters, digits and " ./-_:," as they are; everything else as a Mermaid entity code. */
    static String label(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> {
            boolean safe = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == ' ' || cp == '.' || cp == '/' || cp == '-' || cp == '_' || cp == ',' || cp == ':';
            if (safe) {
                b.appendCodePoint(cp);
            } else {
                b.append('#').append(cp).append(';');
            }
        });
        return b.toString();
    }
}
