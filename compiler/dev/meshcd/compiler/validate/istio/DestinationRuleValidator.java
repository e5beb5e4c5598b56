package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.size;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** istiod's ValidateDestinationRule: host, traffic policies, subsets, exportTo, workload selector. */
public final class DestinationRuleValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (!r.is(Kind.DESTINATION_RULE)) {
            return;
        }
        Findings f = new Findings(r, sink);
        JsonNode spec = r.spec();
        f.check(SPEC.key("host"), Checks.wildcardDomain(text(spec, "host")));
        trafficPolicy(f, get(spec, "trafficPolicy"), SPEC.key("trafficPolicy"));
        Set<String> names = new HashSet<>();
        JsonNode subsets = list(spec, "subsets");
        for (int i = 0; i < subsets.size(); i++) {
            JsonNode s = subsets.get(i);
            FieldPath sp = SPEC.key("subsets").index(i);
            if (s == null || !s.isObject()) {
                f.error(sp, "subset may not be null");
                continue;
            }
            String name = text(s, "name");
            if (!names.add(name)) {
                f.error(sp.key("name"), "duplicate subset names: " + name);
            }
            f.check(sp.key("name"), Common.subsetName(name));
            Common.labels(f, s, "labels", sp);
            trafficPolicy(f, get(s, "trafficPolicy"), sp.key("trafficPolicy"));
        }
        Common.exportTo(f, spec, SPEC, r.namespace(), false, has(spec, "workloadSelector"));
        Common.workloadSelector(f, spec, "workloadSelector", SPEC);
    }

    static void trafficPolicy(Findings f, JsonNode tp, FieldPath p) {
        if (tp == null) {
            return;
        }
        if (!has(tp, "outlierDetection") && !has(tp, "connectionPool") && !has(tp, "loadBalancer") && !has(tp, "tls")
                && !has(tp, "portLevelSettings") && !has(tp, "tunnel") && !has(tp, "proxyProtocol")
                && !has(tp, "retryBudget")) {
            f.error(p, "traffic policy must have at least one field");
            return;
        }
        if (has(tp, "tunnel") && has(tp, "proxyProtocol")) {
            f.error(p, "tunnel and proxyProtocol must not be set together");
            return;
        }
        outlier(f, get(tp, "outlierDetection"), p.key("outlierDetection"));
        Common.connectionPool(f, get(tp, "connectionPool"), p.key("connectionPool"));
        loadBalancer(f, get(tp, "loadBalancer"), has(tp, "outlierDetection"), p.key("loadBalancer"));
        Common.clientTls(f, get(tp, "tls"), p.key("tls"));
        JsonNode pls = list(tp, "portLevelSettings");
        for (int i = 0; i < pls.size(); i++) {
            JsonNode pl = pls.get(i);
            FieldPath pp = p.key("portLevelSettings").index(i);
            if (pl == null || !pl.isObject()) {
                f.error(pp, "traffic policy may not be null");
                continue;
            }
            if (!has(pl, "port")) {
                f.error(pp.key("port"), "portTrafficPolicy must have valid port");
            }
            if (!has(pl, "outlierDetection") && !has(pl, "connectionPool") && !has(pl, "loadBalancer") && !has(pl, "tls")) {
                f.error(pp, "port traffic policy must have at least one field");
            } else {
                outlier(f, get(pl, "outlierDetection"), pp.key("outlierDetection"));
                Common.connectionPool(f, get(pl, "connectionPool"), pp.key("connectionPool"));
                loadBalancer(f, get(pl, "loadBalancer"), has(pl, "outlierDetection"), pp.key("loadBalancer"));
                Common.clientTls(f, get(pl, "tls"), pp.key("tls"));
            }
        }
        JsonNode tunnel = get(tp, "tunnel");
        if (tunnel != null) {
            FieldPath tun = p.key("tunnel");
            String proto = text(tunnel, "protocol");
            if (!proto.isEmpty() && !proto.equals("CONNECT") && !proto.equals("POST")) {
                f.error(tun.key("protocol"), "tunnel protocol must be \"CONNECT\" or \"POST\"");
            }
            String target = text(tunnel, "targetHost");
            Checks.fqdn(target).filter(err -> !Checks.isIpAddress(target)).ifPresent(err -> f.error(tun.key("targetHost"),
                    "tunnel target host must be valid FQDN or IP address: " + err + "; " + target + " is not a valid IP"));
            Checks.port(integer(tunnel, "targetPort"))
                    .ifPresent(err -> f.error(tun.key("targetPort"), "tunnel target port is invalid: " + err));
        }
        JsonNode pp = get(tp, "proxyProtocol");
        if (pp != null) {
            String v = text(pp, "version");
            if (!v.isEmpty() && !v.equals("V1") && !v.equals("V2")) {
                f.error(p.key("proxyProtocol").key("version"), "proxy protocol version is invalid: " + v);
            }
        }
    }

    private static void outlier(Findings f, JsonNode o, FieldPath p) {
        if (o == null) {
            return;
        }
        Common.duration(f, o, "baseEjectionTime", p);
        if (integer(o, "consecutiveErrors") != 0) {
            f.warn(ValidationWarning.DEPRECATED_CONSECUTIVE_ERRORS, p.key("consecutiveErrors"),
                    "outlier detection consecutive errors is deprecated, use "
                    + "consecutiveGatewayErrors or consecutive5xxErrors instead");
        }
        if (!Nodes.bool(o, "splitExternalLocalOriginErrors") && integer(o, "consecutiveLocalOriginFailures") > 0) {
            f.error(p.key("consecutiveLocalOriginFailures"), "outlier detection consecutive local origin failures is "
                    + "specified, but split external local origin errors is set to false");
        }
        Common.duration(f, o, "interval", p);
        f.check(p.key("maxEjectionPercent"), Checks.percent(integer(o, "maxEjectionPercent")));
        f.check(p.key("minHealthPercent"), Checks.percent(integer(o, "minHealthPercent")));
    }

    private static void loadBalancer(Findings f, JsonNode lb, boolean outlier, FieldPath p) {
        if (lb == null) {
            return;
        }
        JsonNode ch = get(lb, "consistentHash");
        if (ch != null) {
            FieldPath cp = p.key("consistentHash");
            JsonNode cookie = get(ch, "httpCookie");
            if (cookie != null && text(cookie, "name").isEmpty()) {
                f.error(cp.key("httpCookie").key("name"), "name required for HttpCookie");
            }
            boolean ring = integer(ch, "minimumRingSize") != 0;
            if (ring) {
                f.warn(ValidationWarning.DEPRECATED_MINIMUM_RING_SIZE, cp.key("minimumRingSize"),
                        "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's "
                        + "RingHash configuration instead");
                if (has(ch, "ringHash") || has(ch, "maglev")) {
                    f.error(cp.key("minimumRingSize"), "only one of MinimumRingSize or Maglev/Ringhash can be specified");
                }
            }
            JsonNode ml = get(ch, "maglev");
            if (ml != null) {
                long size = integer(ml, "tableSize");
                FieldPath mp = cp.key("maglev").key("tableSize");
                if (size == 0) {
                    f.error(mp, "tableSize must be set for maglev");
                }
                if (size >= 5000011) {
                    f.error(mp, "tableSize must be less than 5000011 for maglev");
                }
                if (!isPrime(size)) {
                    f.error(mp, "tableSize must be a prime number for maglev");
                }
            }
        }
        locality(f, get(lb, "localityLbSetting"), outlier, p.key("localityLbSetting"));
        Common.duration(f, lb, "warmupDurationSecs", p);
    }

    static boolean isPrime(long x) {
        if (x != 0 && x < 4) {
            return x > 0;
        }
        if ((x & 1) == 0) {
            return false;
        }
        long limit = (long) Math.sqrt((double) x);
        for (long factor = 3; factor <= limit; factor += 2) {
            if (x % factor == 0) {
                return false;
            }
        }
        return true;
    }

    private static void locality(Findings f, JsonNode lb, boolean outlier, FieldPath p) {
        if (lb == null) {
            return;
        }
        JsonNode distribute = list(lb, "distribute");
        JsonNode failover = list(lb, "failover");
        JsonNode priority = list(lb, "failoverPriority");
        if (!distribute.isEmpty() && !failover.isEmpty()) {
            f.error(p, "can not simultaneously specify 'distribute' and 'failover'");
            return;
        }
        if (!failover.isEmpty()) {
            for (JsonNode l : priority) {
                String label = l.asText();
                if (label.equals("topology.kubernetes.io/region") || label.equals("topology.kubernetes.io/zone")
                        || label.equals("topology.istio.io/subzone")) {
                    f.error(p.key("failoverPriority"), "can not simultaneously set 'failover' and topology label '"
                            + label + "' in 'failover_priority'");
                    return;
                }
            }
        }
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < distribute.size(); i++) {
            JsonNode d = distribute.get(i);
            FieldPath dp = p.key("distribute").index(i);
            sources.add(text(d, "from"));
            long total = 0;
            List<String> dests = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : Nodes.entries(d, "to")) {
                dests.add(e.getKey());
                long w = Nodes.asLong(e.getValue());
                if (w <= 0 || w > 100) {
                    f.error(dp.key("to").key(e.getKey()), "locality weight must be in range [1, 100]");
                    return;
                }
                total += w;
            }
            if (total != 100) {
                f.error(dp.key("to"), "total locality weight " + total + " != 100");
                return;
            }
            f.check(dp.key("to"), localities(dests));
        }
        f.check(p.key("distribute"), localities(sources));
        if ((!failover.isEmpty() || !priority.isEmpty()) && !outlier) {
            f.warn(ValidationWarning.FAILOVER_WITHOUT_OUTLIER_DETECTION, p,
                    "outlier detection policy must be provided for failover");
        }
        for (int i = 0; i < failover.size(); i++) {
            JsonNode fo = failover.get(i);
            FieldPath fp = p.key("failover").index(i);
            String from = text(fo, "from");
            String to = text(fo, "to");
            if (from.equals(to)) {
                f.error(fp, "locality lb failover settings must specify different regions");
            }
            if (from.contains("/") || to.contains("/")) {
                f.error(fp, "locality lb failover only specify region");
            }
            if (from.contains("*") || to.contains("*")) {
                f.error(fp, "locality lb failover region should not contain '*' wildcard");
            }
        }
    }

    private static Optional<String> localities(List<String> localities) {
        Map<String, Map<String, Set<String>>> seen = new HashMap<>();
        for (String loc : localities) {
            int stars = 0;
            for (int i = 0; i < loc.length(); i++) {
                if (loc.charAt(i) == '*') {
                    stars++;
                }
            }
            if (stars > 0 && (stars > 1 || !loc.endsWith("*"))) {
                return Optional.of("locality " + loc + " wildcard '*' number can not exceed 1 and must be in the end");
            }
            if (seen.containsKey("*")) {
                return Optional.of("locality " + loc + " overlap with previous specified ones");
            }
            String[] items = loc.split("/", 3);
            for (String item : items) {
                if (item.isEmpty()) {
                    return Optional.of("locality " + loc + " must not contain empty region/zone/subzone info");
                }
            }
            String region = items[0];
            String overlap = "locality " + loc + " overlap with previous specified ones";
            Map<String, Set<String>> zones = seen.get(region);
            if (items.length == 1) {
                if (zones != null) {
                    return Optional.of(overlap);
                }
                Map<String, Set<String>> all = new HashMap<>();
                all.put("*", new HashSet<>(Set.of("*")));
                seen.put(region, all);
            } else if (items.length == 2) {
                if (zones != null) {
                    if (zones.containsKey("*") || zones.containsKey(items[1])) {
                        return Optional.of(overlap);
                    }
                    zones.put(items[1], new HashSet<>(Set.of("*")));
                } else {
                    Map<String, Set<String>> z = new HashMap<>();
                    z.put(items[1], new HashSet<>(Set.of("*")));
                    seen.put(region, z);
                }
            } else {
                if (zones != null) {
                    if (zones.containsKey("*")) {
                        return Optional.of(overlap);
                    }
                    Set<String> subs = zones.get(items[1]);
                    if (subs != null) {
                        if (subs.contains("*") || subs.contains(items[2])) {
                            return Optional.of(overlap);
                        }
                        subs.add(items[2]);
                    } else {
                        zones.put(items[1], new HashSet<>(Set.of(items[2])));
                    }
                } else {
                    Map<String, Set<String>> z = new HashMap<>();
                    z.put(items[1], new HashSet<>(Set.of(items[2])));
                    seen.put(region, z);
                }
            }
        }
        return Optional.empty();
    }
}
