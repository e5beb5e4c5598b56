package dev.meshcd.sync.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The references between Istio objects that decide apply order: a VirtualService uses Gateways (by
 * name) and the hosts of DestinationRules and ServiceEntries (by host); a DestinationRule may target a
 * ServiceEntry host. Hosts are compared as FQDNs ({@code cart} in namespace {@code shop} is
 * {@code cart.shop.svc.cluster.local}).
 */
final class References {
    private References() {
    }

    static String fqdn(String host, String namespace, String domainSuffix) {
        if (host == null || host.isEmpty() || host.contains("*")) {
            return host == null ? "" : host;
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        int dots = h.length() - h.replace(".", "").length();
        if (dots == 0) {
            return h + "." + namespace + ".svc." + domainSuffix;
        }
        if (dots == 1) {
            return h + ".svc." + domainSuffix;
        }
        if (h.endsWith(".svc")) {
            return h + "." + domainSuffix;
        }
        return h;
    }

    /** Gateways a VirtualService binds to, as keys ("mesh" excluded). */
    static Set<ResourceKey> gateways(ResourceKey vs, JsonNode spec) {
        Set<ResourceKey> out = new LinkedHashSet<>();
        List<JsonNode> lists = new ArrayList<>();
        lists.add(spec.path("gateways"));
        for (JsonNode http : spec.path("http")) {
            for (JsonNode m : http.path("match")) {
                lists.add(m.path("gateways"));
            }
        }
        for (JsonNode list : lists) {
            for (JsonNode g : list) {
                String name = g.asText("");
                if (name.isEmpty() || name.equals("mesh")) {
                    continue;
                }
                int slash = name.indexOf('/');
                String ns = slash < 0 ? vs.namespace() : name.substring(0, slash);
                String n = slash < 0 ? name : name.substring(slash + 1);
                if (n.contains(".")) {
                    n = n.substring(0, n.indexOf('.')); // legacy "name.namespace.svc.cluster.local" form
                }
                out.add(new ResourceKey(Kind.NETWORKING, "Gateway", ns, n));
            }
        }
        return out;
    }

    /** Destination hosts of a VirtualService's routes and mirrors, as FQDNs. */
    static Set<String> destinationHosts(ResourceKey vs, JsonNode spec, String suffix) {
        Set<String> out = new LinkedHashSet<>();
        for (String section : new String[]{"http", "tcp", "tls"}) {
            for (JsonNode rule : spec.path(section)) {
                for (JsonNode route : rule.path("route")) {
                    add(out, route.path("destination").path("host"), vs.namespace(), suffix);
                }
                add(out, rule.path("mirror").path("host"), vs.namespace(), suffix);
                for (JsonNode m : rule.path("mirrors")) {
                    add(out, m.path("destination").path("host"), vs.namespace(), suffix);
                }
            }
        }
        return out;
    }

    /** Subset names a VirtualService routes to, per destination FQDN ("host#subset"). */
    static Set<String> routedSubsets(ResourceKey vs, JsonNode spec, String suffix) {
        Set<String> out = new LinkedHashSet<>();
        for (String section : new String[]{"http", "tcp", "tls"}) {
            for (JsonNode rule : spec.path(section)) {
                for (JsonNode route : rule.path("route")) {
                    JsonNode d = route.path("destination");
                    if (d.hasNonNull("subset")) {
                        out.add(fqdn(d.path("host").asText(""), vs.namespace(), suffix) + "#" + d.path("subset").asText());
                    }
                }
            }
        }
        return out;
    }

    static Set<String> subsets(JsonNode drSpec) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode s : drSpec.path("subsets")) {
            out.add(s.path("name").asText(""));
        }
        return out;
    }

    /** The hosts an object provides: a DestinationRule's host, a ServiceEntry's hosts. */
    static Set<String> providedHosts(ResourceKey key, JsonNode spec, String suffix) {
        Set<String> out = new LinkedHashSet<>();
        if (key.kind().equals("DestinationRule")) {
            add(out, spec.path("host"), key.namespace(), suffix);
        } else if (key.kind().equals("ServiceEntry")) {
            for (JsonNode h : spec.path("hosts")) {
                out.add(h.asText(""));
            }
        }
        return out;
    }

    private static void add(Set<String> out, JsonNode host, String ns, String suffix) {
        if (host.isTextual() && !host.asText().isEmpty()) {
            out.add(fqdn(host.asText(), ns, suffix));
        }
    }
}
