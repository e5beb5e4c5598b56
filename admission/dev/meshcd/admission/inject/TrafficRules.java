package dev.meshcd.admission.inject;

import static dev.meshcd.admission.inject.Json.arr;
import static dev.meshcd.admission.inject.Json.obj;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Traffic interception: validation of the pod's interception annotations (Istio's
 * {@code AnnotationValidation} table) and the {@code istio-init} (or, with CNI, {@code istio-validation})
 * init container that programs iptables from them.
 */
final class TrafficRules {
    /** annotation name → validator returning null or the problem (Istio's wording). */
    static final Map<String, Function<String, String>> VALIDATION = new LinkedHashMap<>();

    static {
        VALIDATION.put("sidecar.istio.io/interceptionMode", v -> List.of("REDIRECT", "TPROXY", "NONE").contains(v)
                ? null : "interceptionMode invalid, use REDIRECT,TPROXY,NONE: " + v);
        VALIDATION.put("status.sidecar.istio.io/port", v -> portError(v) == null ? null
                : "excludeInboundPorts invalid: " + portError(v));
        VALIDATION.put("readiness.status.sidecar.istio.io/initialDelaySeconds", TrafficRules::uint32);
        VALIDATION.put("readiness.status.sidecar.istio.io/periodSeconds", TrafficRules::uint32);
        VALIDATION.put("readiness.status.sidecar.istio.io/failureThreshold", TrafficRules::uint32);
        VALIDATION.put("traffic.sidecar.istio.io/includeOutboundIPRanges", v -> v.equals("*") ? null
                : prefixed("includeIPRanges invalid: ", cidrListError(v)));
        VALIDATION.put("traffic.sidecar.istio.io/excludeOutboundIPRanges",
                v -> prefixed("excludeIPRanges invalid: ", cidrListError(v)));
        VALIDATION.put("traffic.sidecar.istio.io/includeInboundPorts", v -> v.equals("*") ? null
                : prefixed("includeInboundPorts invalid: ", portListError(v)));
        VALIDATION.put("traffic.sidecar.istio.io/excludeInboundPorts",
                v -> prefixed("excludeInboundPorts invalid: ", portListError(v)));
        VALIDATION.put("traffic.sidecar.istio.io/excludeOutboundPorts",
                v -> prefixed("excludeOutboundPorts invalid: ", portListError(v)));
        VALIDATION.put("prometheus.istio.io/merge-metrics", v -> parseBool(v) == null ? "invalid syntax" : null);
        VALIDATION.put("proxy.istio.io/config", ProxyConfigs::validate);
    }

    private TrafficRules() {
    }

    /** Problems with the pod's annotations, in annotation-name order, formatted like Istio's. */
    static List<String> validate(Map<String, String> annotations) {
        List<String> errors = new ArrayList<>();
        new TreeMap<>(annotations).forEach((name, value) -> {
            Function<String, String> check = VALIDATION.get(name);
            if (check != null) {
                String problem = check.apply(value);
                if (problem != null) {
                    errors.add("invalid value '" + value + "' for annotation '" + name + "': " + problem);
                }
            }
        });
        return errors;
    }

    /** The istio-init / istio-validation container, or null when interception is NONE. */
    static ObjectNode initContainer(PodContext ctx) {
        if (ctx.interceptionMode.equals("NONE")) {
            return null;
        }
        InjectionSettings s = ctx.settings;
        InjectionSettings.Traffic t = s.traffic();
        boolean cni = s.mesh().cniEnabled();
        ObjectNode c = obj("name", cni ? "istio-validation" : "istio-init",
                "image", ctx.proxyImage(s.images().proxyInitImage()));
        List<String> args = new ArrayList<>(List.of("istio-iptables",
                "-p", String.valueOf(t.proxyListenPort()),
                "-z", String.valueOf(t.proxyInboundListenPort()),
                "-u", ctx.tproxy ? "1337" : String.valueOf(s.proxy().uid()),
                "-m", ctx.interceptionMode,
                "-i", ctx.annotation("traffic.sidecar.istio.io/includeOutboundIPRanges", t.includeIPRanges()),
                "-x", ctx.annotation("traffic.sidecar.istio.io/excludeOutboundIPRanges", t.excludeIPRanges()),
                "-b", ctx.annotation("traffic.sidecar.istio.io/includeInboundPorts", t.includeInboundPorts()),
                "-d"));
        String excluded = excludedInboundPorts(ctx);
        args.add(excluded.isEmpty() ? "15090,15021" : "15090,15021," + excluded);
        if (ctx.hasAnnotation("traffic.sidecar.istio.io/includeOutboundPorts") || !t.includeOutboundPorts().isEmpty()) {
            args.add("-q");
            args.add(ctx.annotation("traffic.sidecar.istio.io/includeOutboundPorts", t.includeOutboundPorts()));
        }
        if (ctx.hasAnnotation("traffic.sidecar.istio.io/excludeOutboundPorts") || !t.excludeOutboundPorts().isEmpty()) {
            args.add("-o");
            args.add(ctx.annotation("traffic.sidecar.istio.io/excludeOutboundPorts", t.excludeOutboundPorts()));
        }
        if (ctx.hasAnnotation("istio.io/reroute-virtual-interfaces")) {
            args.add("-k");
            args.add(ctx.annotations.get("istio.io/reroute-virtual-interfaces"));
        } else if (ctx.hasAnnotation("traffic.sidecar.istio.io/kubevirtInterfaces")) {
            args.add("-k");
            args.add(ctx.annotations.get("traffic.sidecar.istio.io/kubevirtInterfaces"));
        }
        if (ctx.hasAnnotation("traffic.sidecar.istio.io/excludeInterfaces")) {
            args.add("-c");
            args.add(ctx.annotations.get("traffic.sidecar.istio.io/excludeInterfaces"));
        }
        args.add("--log_output_level=" + ctx.annotation("sidecar.istio.io/agentLogLevel", s.proxy().agentLogLevel()));
        if (s.mesh().logAsJson()) {
            args.add("--log_as_json");
        }
        if (cni) {
            args.add("--run-validation");
            args.add("--skip-rule-apply");
        }
        c.set("args", Json.strings(args));
        if (!s.images().imagePullPolicy().isEmpty()) {
            c.put("imagePullPolicy", s.images().imagePullPolicy());
        }
        Map<String, String> metadata = ctx.proxyConfig.proxyMetadata();
        if (!metadata.isEmpty()) {
            ArrayNode env = c.putArray("env");
            metadata.forEach((k, v) -> env.add(obj("name", k, "value", v)));
        }
        c.set("resources", ctx.resources());
        c.set("securityContext", securityContext(ctx, cni));
        return c;
    }

    private static ObjectNode securityContext(PodContext ctx, boolean cni) {
        boolean privileged = ctx.settings.proxy().privileged();
        ObjectNode sc = obj("allowPrivilegeEscalation", privileged, "privileged", privileged);
        if (!cni) {
            sc.set("capabilities", obj("add", arr("NET_ADMIN", "NET_RAW"), "drop", arr("ALL")));
            sc.put("readOnlyRootFilesystem", false);
            sc.put("runAsGroup", 0);
            sc.put("runAsNonRoot", false);
            sc.put("runAsUser", 0);
        } else {
            sc.set("capabilities", obj("drop", arr("ALL")));
            sc.put("readOnlyRootFilesystem", true);
            sc.put("runAsGroup", ctx.tproxy ? 1337 : ctx.settings.proxy().gid());
            sc.put("runAsUser", ctx.tproxy ? 1337 : ctx.settings.proxy().uid());
            sc.put("runAsNonRoot", true);
        }
        return sc;
    }

    /**
     * The template's {@code excludeInboundPort statusPort excludeInboundPorts}: the excluded inbound ports
     * with the status port appended unless already there (or 0).
     */
    static String excludedInboundPorts(PodContext ctx) {
        String excluded = ctx.annotation("traffic.sidecar.istio.io/excludeInboundPorts",
                ctx.settings.traffic().excludeInboundPorts());
        String port = ctx.statusPort.trim();
        if (port.isEmpty() || port.equals("0")) {
            return excluded;
        }
        List<String> out = new ArrayList<>();
        for (String p : excluded.split(",", -1)) {
            if (p.equals(port)) {
                return excluded;
            }
            if (!p.trim().isEmpty()) {
                out.add(p.trim());
            }
        }
        out.add(port);
        return String.join(",", out);
    }

    // --- validators (Go semantics: strconv.ParseUint, netip.ParsePrefix) ---

    private static String prefixed(String prefix, String problem) {
        return problem == null ? null : prefix + problem;
    }

    static String portError(String s) {
        String t = s.trim();
        if (!t.matches("[0-9]{1,5}") || Integer.parseInt(t) > 65535) {
            return "failed parsing port '" + s + "': strconv.ParseUint: parsing \"" + t + "\": invalid syntax";
        }
        return null;
    }

    static String portListError(String ports) {
        String trimmed = ports.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        for (String p : trimmed.split(",", -1)) {
            String e = portError(p);
            if (e != null) {
                return "failed parsing port '" + p + "': " + e;
            }
        }
        return null;
    }

    static String cidrListError(String cidrs) {
        if (cidrs.isEmpty()) {
            return null;
        }
        for (String cidr : cidrs.split(",", -1)) {
            if (!isPrefix(cidr)) {
                return "failed parsing cidr '" + cidr + "': netip.ParsePrefix(\"" + cidr + "\"): no '/'";
            }
        }
        return null;
    }

    /** netip.ParsePrefix: an IPv4 or IPv6 address (no zone, no surrounding spaces), '/', a decimal length. */
    static boolean isPrefix(String s) {
        int slash = s.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        String addr = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (!bits.matches("0|[1-9][0-9]{0,2}") || addr.contains("%")) {
            return false;
        }
        int len = Integer.parseInt(bits);
        if (addr.matches("[0-9.]+")) {
            if (!addr.matches("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])")) {
                return false;
            }
            return len <= 32;
        }
        if (!addr.contains(":") || !addr.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(addr); // literal only: contains ':' so no DNS lookup happens
        } catch (UnknownHostException e) {
            return false;
        }
        return len <= 128;
    }

    private static String uint32(String v) {
        if (!v.matches("[0-9]+")) {
            return "strconv.ParseUint: parsing \"" + v + "\": invalid syntax";
        }
        if (Long.parseLong(v.length() > 11 ? "99999999999" : v) > 4294967295L) {
            return "strconv.ParseUint: parsing \"" + v + "\": value out of range";
        }
        return null;
    }

    /** Go's strconv.ParseBool, null when not a bool. */
    static Boolean parseBool(String v) {
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }
}
