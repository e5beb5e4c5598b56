package dev.meshcd.compiler.lower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * ServicePolicy → VirtualService (routes), DestinationRule (versions, circuit breaking, load
 * balancing), PeerAuthentication (mTLS), AuthorizationPolicies (callers, denials, required JWT),
 * RequestAuthentication (JWT issuers) and Telemetry (access logs, tracing). Each is generated only
 * when the policy says something it would carry.
 */
final class ServicePolicyLowering {
    private static final FieldPath SPEC = FieldPath.of("spec");
    private static final String NET = "networking.istio.io/v1";
    private static final String SEC = "security.istio.io/v1";
    private static final String TEL = "telemetry.istio.io/v1";

    private final Resource policy;
    private final LoweringContext ctx;
    private final JsonNode spec;
    private final String namespace;
    private final String name;
    private final String host;

    ServicePolicyLowering(Resource policy, LoweringContext ctx) {
        this.policy = policy;
        this.ctx = ctx;
        this.spec = policy.spec();
        this.namespace = policy.namespace();
        this.name = policy.name();
        this.host = ctx.fqdn(service(policy), namespace);
    }

    /** The Service a policy is for: spec.service, or the policy's name. */
    static String service(Resource policy) {
        return policy.spec().path("service").asText(policy.name());
    }

    /** The labels of the service's pods: spec.workloadSelector, or app: service. */
    static Map<String, String> selector(Resource policy) {
        JsonNode s = policy.spec().get("workloadSelector");
        if (s != null && s.isObject() && !s.isEmpty()) {
            return dev.meshcd.compiler.index.MeshIndex.stringMap(s);
        }
        return Map.of("app", service(policy));
    }

    /** Checks what the schema cannot (versions named by routes exist, splits sum to 100); true when clean. */
    boolean check(DiagnosticSink sink) {
        boolean ok = true;
        JsonNode versions = spec.path("versions");
        JsonNode routes = spec.path("routes");
        for (int i = 0; i < routes.size(); i++) {
            JsonNode route = routes.get(i);
            FieldPath at = SPEC.key("routes").index(i);
            ok &= versionDefined(route.path("to"), versions, at.key("to"), sink);
            ok &= versionDefined(route.path("mirror").path("version"), versions, at.key("mirror").key("version"), sink);
            JsonNode split = route.get("split");
            if (split != null) {
                if (split.isEmpty()) {
                    sink.report(policy.diagnostic(Severity.ERROR, Codes.POLICY_BAD_SPLIT, at.key("split"),
                            "empty split: name at least one version and its weight"));
                    ok = false;
                    continue;
                }
                int sum = 0;
                for (int j = 0; j < split.size(); j++) {
                    sum += split.get(j).path("weight").asInt();
                    ok &= versionDefined(split.get(j).path("version"), versions,
                            at.key("split").index(j).key("version"), sink);
                }
                if (sum != 100) {
                    sink.report(policy.diagnostic(Severity.ERROR, Codes.POLICY_BAD_SPLIT, at.key("split"),
                            "split weights sum to " + sum + ", not 100"));
                    ok = false;
                }
            }
        }
        return ok;
    }

    private boolean versionDefined(JsonNode version, JsonNode versions, FieldPath at, DiagnosticSink sink) {
        if (version.isMissingNode() || versions.has(version.asText())) {
            return true;
        }
        List<String> defined = new ArrayList<>();
        versions.fieldNames().forEachRemaining(defined::add);
        sink.report(policy.diagnostic(Severity.ERROR, Codes.POLICY_UNDEFINED_VERSION, at,
                "version \"" + version.asText() + "\" is not defined in spec.versions"
                        + (defined.isEmpty() ? " (the policy defines no versions)" : " (defined: " + String.join(", ", defined) + ")")));
        return false;
    }

    List<Resource> lower() {
        List<Resource> out = new ArrayList<>();
        virtualService(out);
        destinationRule(out);
        peerAuthentication(out);
        authorization(out);
        telemetry(out);
        return out;
    }

    // ---- VirtualService ----

    private void virtualService(List<Resource> out) {
        JsonNode routes = spec.path("routes");
        JsonNode timeout = spec.get("timeout");
        JsonNode retries = spec.get("retries");
        FieldPath timeoutAt = SPEC.key("timeout");
        FieldPath retriesAt = SPEC.key("retries");
        Resource resilienceFrom = policy;
        if (timeout == null && retries == null && ctx.meshDefaults() != null) {
            // MeshDefaults' timeout and retries apply to policies that set neither.
            timeout = ctx.defaults().get("timeout");
            retries = ctx.defaults().get("retries");
            resilienceFrom = ctx.meshDefaults();
        }
        if (routes.isEmpty() && timeout == null && retries == null) {
            return;
        }
        Output vs = new Output(policy, ctx, NET, "VirtualService", namespace, name);
        ObjectNode s = vs.spec();
        s.putArray("hosts").add(host);
        exportTo(vs);
        ArrayNode http = s.putArray("http");
        boolean catchAll = false;
        for (int i = 0; i < routes.size(); i++) {
            JsonNode route = routes.get(i);
            FieldPath src = SPEC.key("routes").index(i);
            FieldPath dst = FieldPath.of("http").index(http.size());
            vs.trace(dst, src);
            ObjectNode h = http.addObject();
            if (route.has("name")) {
                h.put("name", route.get("name").asText());
            }
            JsonNode matches = route.path("match");
            if (matches.isEmpty()) {
                catchAll = true;
            } else {
                ArrayNode m = h.putArray("match");
                for (int j = 0; j < matches.size(); j++) {
                    vs.trace(dst.key("match").index(j), src.key("match").index(j));
                    m.add(match(matches.get(j)));
                }
            }
            if (route.has("redirect")) {
                JsonNode r = route.get("redirect");
                ObjectNode red = h.putObject("redirect");
                copyText(r, "path", red, "uri");
                copyText(r, "authority", red, "authority");
                if (r.has("status")) {
                    red.put("redirectCode", r.get("status").asInt());
                }
                vs.trace(dst.key("redirect"), src.key("redirect"));
                continue;
            }
            ArrayNode dests = h.putArray("route");
            if (route.has("split")) {
                JsonNode split = route.get("split");
                for (int j = 0; j < split.size(); j++) {
                    ObjectNode d = dests.addObject();
                    d.set("destination", destination(split.get(j).path("version").asText()));
                    d.put("weight", split.get(j).path("weight").asInt());
                    vs.trace(dst.key("route").index(j), src.key("split").index(j));
                }
            } else {
                dests.addObject().set("destination", destination(route.path("to").asText(null)));
                vs.trace(dst.key("route").index(0), route.has("to") ? src.key("to") : src);
            }
            if (route.has("mirror")) {
                JsonNode mirror = route.get("mirror");
                h.set("mirror", destination(mirror.path("version").asText()));
                if (mirror.has("percent")) {
                    h.putObject("mirrorPercentage").put("value", mirror.get("percent").asDouble());
                }
                vs.trace(dst.key("mirror"), src.key("mirror"));
            }
            if (route.has("fault")) {
                fault(route.get("fault"), h.putObject("fault"));
                vs.trace(dst.key("fault"), src.key("fault"));
            }
            if (route.has("rewrite")) {
                ObjectNode rw = h.putObject("rewrite");
                copyText(route.get("rewrite"), "path", rw, "uri");
                copyText(route.get("rewrite"), "authority", rw, "authority");
                vs.trace(dst.key("rewrite"), src.key("rewrite"));
            }
            resilience(vs, h, dst, route.has("timeout") ? route.get("timeout") : timeout,
                    route.has("timeout") ? policy : resilienceFrom, route.has("timeout") ? src.key("timeout") : timeoutAt,
                    route.has("retries") ? route.get("retries") : retries,
                    route.has("retries") ? policy : resilienceFrom, route.has("retries") ? src.key("retries") : retriesAt);
        }
        if (!catchAll) {
            // Requests no route matches go to the whole service (Istio would answer them 404).
            FieldPath dst = FieldPath.of("http").index(http.size());
            vs.trace(dst, routes.isEmpty() ? SPEC : SPEC.key("routes"));
            ObjectNode h = http.addObject();
            h.put("name", "default");
            h.putArray("route").addObject().set("destination", destination(null));
            resilience(vs, h, dst, timeout, resilienceFrom, timeoutAt, retries, resilienceFrom, retriesAt);
        }
        out.add(vs.build());
    }

    private void resilience(Output vs, ObjectNode h, FieldPath dst, JsonNode timeout, Resource timeoutFrom,
                            FieldPath timeoutSrc, JsonNode retries, Resource retriesFrom, FieldPath retriesSrc) {
        if (timeout != null) {
            h.put("timeout", timeout.asText());
            vs.trace(dst.key("timeout"), timeoutFrom, timeoutSrc);
        }
        if (retries != null) {
            ObjectNode r = h.putObject("retries");
            r.put("attempts", retries.path("attempts").asInt());
            copyText(retries, "perTryTimeout", r, "perTryTimeout");
            if (retries.has("on")) {
                List<String> on = new ArrayList<>();
                retries.get("on").forEach(v -> on.add(v.asText()));
                r.put("retryOn", String.join(",", on));
            }
            vs.trace(dst.key("retries"), retriesFrom, retriesSrc);
        }
    }

    private ObjectNode destination(String version) {
        ObjectNode d = Output.NODES.objectNode();
        d.put("host", host);
        if (version != null) {
            d.put("subset", version);
        }
        return d;
    }

    static ObjectNode match(JsonNode m) {
        ObjectNode out = Output.NODES.objectNode();
        if (m.has("path")) {
            out.set("uri", stringMatch(m.get("path")));
        }
        if (m.has("method")) {
            out.putObject("method").put("exact", m.get("method").asText());
        }
        if (m.has("headers")) {
            ObjectNode h = out.putObject("headers");
            m.get("headers").fields().forEachRemaining(e -> h.set(e.getKey(), stringMatch(e.getValue())));
        }
        if (m.has("query")) {
            ObjectNode q = out.putObject("queryParams");
            m.get("query").fields().forEachRemaining(e -> q.set(e.getKey(), stringMatch(e.getValue())));
        }
        return out;
    }

    /** A string is an exact match; {exact|prefix|regex: ...} is copied. */
    static ObjectNode stringMatch(JsonNode v) {
        if (v.isTextual()) {
            return Output.NODES.objectNode().put("exact", v.asText());
        }
        return ((ObjectNode) v).deepCopy();
    }

    private static void fault(JsonNode f, ObjectNode out) {
        if (f.has("delay")) {
            ObjectNode d = out.putObject("delay");
            d.put("fixedDelay", f.get("delay").path("fixed").asText());
            d.putObject("percentage").put("value", f.get("delay").path("percent").asDouble());
        }
        if (f.has("abort")) {
            ObjectNode a = out.putObject("abort");
            a.put("httpStatus", f.get("abort").path("status").asInt());
            a.putObject("percentage").put("value", f.get("abort").path("percent").asDouble());
        }
    }

    // ---- DestinationRule ----

    private void destinationRule(List<Resource> out) {
        JsonNode versions = spec.get("versions");
        boolean traffic = spec.has("connectionPool") || spec.has("outlierDetection") || spec.has("loadBalancing");
        if ((versions == null || versions.isEmpty()) && !traffic) {
            return;
        }
        Output dr = new Output(policy, ctx, NET, "DestinationRule", namespace, name);
        ObjectNode s = dr.spec();
        s.put("host", host);
        exportTo(dr);
        if (traffic) {
            ObjectNode tp = s.putObject("trafficPolicy");
            if (spec.has("loadBalancing")) {
                tp.set("loadBalancer", loadBalancer(spec.get("loadBalancing")));
                dr.trace(FieldPath.of("trafficPolicy", "loadBalancer"), SPEC.key("loadBalancing"));
            }
            if (spec.has("connectionPool")) {
                tp.set("connectionPool", connectionPool(spec.get("connectionPool")));
                dr.trace(FieldPath.of("trafficPolicy", "connectionPool"), SPEC.key("connectionPool"));
            }
            if (spec.has("outlierDetection")) {
                tp.set("outlierDetection", spec.get("outlierDetection").deepCopy());
                dr.trace(FieldPath.of("trafficPolicy", "outlierDetection"), SPEC.key("outlierDetection"));
            }
        }
        if (versions != null && !versions.isEmpty()) {
            ArrayNode subsets = s.putArray("subsets");
            Iterator<Map.Entry<String, JsonNode>> it = versions.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                dr.trace(FieldPath.of("subsets").index(subsets.size()), SPEC.key("versions").key(e.getKey()));
                ObjectNode subset = subsets.addObject();
                subset.put("name", e.getKey());
                subset.set("labels", e.getValue().deepCopy());
            }
        }
        out.add(dr.build());
    }

    private static ObjectNode loadBalancer(JsonNode lb) {
        ObjectNode out = Output.NODES.objectNode();
        if (lb.isTextual()) {
            out.put("simple", lb.asText());
            return out;
        }
        JsonNode ch = lb.path("consistentHash");
        ObjectNode h = out.putObject("consistentHash");
        if (ch.has("header")) {
            h.put("httpHeaderName", ch.get("header").asText());
        } else if (ch.has("cookie")) {
            h.putObject("httpCookie").put("name", ch.get("cookie").asText()).put("ttl", "0s");
        } else if (ch.has("queryParameter")) {
            h.put("httpQueryParameterName", ch.get("queryParameter").asText());
        } else {
            h.put("useSourceIp", true);
        }
        return out;
    }

    private static ObjectNode connectionPool(JsonNode cp) {
        ObjectNode out = Output.NODES.objectNode();
        if (cp.has("maxConnections") || cp.has("connectTimeout")) {
            ObjectNode tcp = out.putObject("tcp");
            copyInt(cp, "maxConnections", tcp, "maxConnections");
            copyText(cp, "connectTimeout", tcp, "connectTimeout");
        }
        if (cp.has("maxPendingRequests") || cp.has("maxRequests") || cp.has("maxRequestsPerConnection")
                || cp.has("maxRetries") || cp.has("idleTimeout")) {
            ObjectNode http = out.putObject("http");
            copyInt(cp, "maxPendingRequests", http, "http1MaxPendingRequests");
            copyInt(cp, "maxRequests", http, "http2MaxRequests");
            copyInt(cp, "maxRequestsPerConnection", http, "maxRequestsPerConnection");
            copyInt(cp, "maxRetries", http, "maxRetries");
            copyText(cp, "idleTimeout", http, "idleTimeout");
        }
        return out;
    }

    // ---- security ----

    private ObjectNode selectorNode(Output o) {
        ObjectNode sel = o.spec().putObject("selector").putObject("matchLabels");
        selector(policy).forEach(sel::put);
        o.trace(FieldPath.of("selector"), spec.has("workloadSelector") ? SPEC.key("workloadSelector") : SPEC);
        return sel;
    }

    private void peerAuthentication(List<Resource> out) {
        if (!spec.has("mtls")) {
            return;
        }
        Output pa = new Output(policy, ctx, SEC, "PeerAuthentication", namespace, name);
        selectorNode(pa);
        pa.spec().putObject("mtls").put("mode", spec.get("mtls").asText());
        pa.trace(FieldPath.of("mtls"), SPEC.key("mtls"));
        out.add(pa.build());
    }

    private void authorization(List<Resource> out) {
        JsonNode access = spec.path("access");
        if (access.has("deny")) {
            out.add(accessPolicy(name + "-deny", "DENY", access.get("deny"), SPEC.key("access").key("deny")));
        }
        if (access.has("allow")) {
            out.add(accessPolicy(name, "ALLOW", access.get("allow"), SPEC.key("access").key("allow")));
        }
        JsonNode auth = spec.path("authentication");
        if (auth.has("jwt")) {
            Output ra = new Output(policy, ctx, SEC, "RequestAuthentication", namespace, name);
            selectorNode(ra);
            ArrayNode rules = ra.spec().putArray("jwtRules");
            JsonNode jwt = auth.get("jwt");
            for (int i = 0; i < jwt.size(); i++) {
                JsonNode j = jwt.get(i);
                ra.trace(FieldPath.of("jwtRules").index(i), SPEC.key("authentication").key("jwt").index(i));
                ObjectNode r = rules.addObject();
                r.put("issuer", j.path("issuer").asText());
                copyText(j, "jwksUri", r, "jwksUri");
                if (j.has("audiences")) {
                    r.set("audiences", Output.strings(j.get("audiences")));
                }
                if (j.has("forwardToken")) {
                    r.put("forwardOriginalToken", j.get("forwardToken").asBoolean());
                }
            }
            out.add(ra.build());
            if (auth.path("required").asBoolean(false)) {
                Output ap = new Output(policy, ctx, SEC, "AuthorizationPolicy", namespace, name + "-require-jwt");
                selectorNode(ap);
                ap.spec().put("action", "DENY");
                ObjectNode rule = ap.spec().putArray("rules").addObject();
                rule.putArray("from").addObject().putObject("source").putArray("notRequestPrincipals").add("*");
                if (auth.has("ports")) {
                    rule.putArray("to").addObject().putObject("operation").set("ports", Output.strings(auth.get("ports")));
                }
                ap.trace(FieldPath.of("rules"), SPEC.key("authentication").key("required"));
                out.add(ap.build());
            }
        }
    }

    private Resource accessPolicy(String apName, String action, JsonNode rules, FieldPath src) {
        Output ap = new Output(policy, ctx, SEC, "AuthorizationPolicy", namespace, apName);
        selectorNode(ap);
        ap.spec().put("action", action);
        ArrayNode out = ap.spec().putArray("rules");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            FieldPath at = src.index(i);
            ap.trace(FieldPath.of("rules").index(i), at);
            ObjectNode r = out.addObject();
            JsonNode from = rule.path("from");
            if (!from.isMissingNode()) {
                ObjectNode source = r.putArray("from").addObject().putObject("source");
                if (from.has("serviceAccounts")) {
                    ArrayNode principals = source.putArray("principals");
                    for (JsonNode sa : from.get("serviceAccounts")) {
                        principals.add(principal(sa.asText()));
                    }
                    ap.trace(FieldPath.of("rules").index(i).key("from").index(0).key("source").key("principals"),
                            at.key("from").key("serviceAccounts"));
                }
                if (from.has("namespaces")) {
                    source.set("namespaces", Output.strings(from.get("namespaces")));
                }
            }
            JsonNode to = rule.path("to");
            if (!to.isMissingNode()) {
                ObjectNode operation = r.putArray("to").addObject().putObject("operation");
                if (to.has("methods")) {
                    operation.set("methods", Output.strings(to.get("methods")));
                }
                if (to.has("paths")) {
                    operation.set("paths", Output.strings(to.get("paths")));
                }
                if (to.has("ports")) {
                    operation.set("ports", Output.strings(to.get("ports")));
                }
            }
        }
        return ap.build();
    }

    /** "sa" (in the policy's namespace) or "ns/sa" → the SPIFFE principal Istio matches. */
    private String principal(String sa) {
        int slash = sa.indexOf('/');
        String ns = slash < 0 ? namespace : sa.substring(0, slash);
        String account = slash < 0 ? sa : sa.substring(slash + 1);
        return ctx.domainSuffix() + "/ns/" + ns + "/sa/" + account;
    }

    // ---- telemetry ----

    private void telemetry(List<Resource> out) {
        JsonNode obs = spec.get("observability");
        if (obs == null) {
            return;
        }
        Output t = new Output(policy, ctx, TEL, "Telemetry", namespace, name);
        selectorNode(t);
        telemetrySpec(t, obs, SPEC.key("observability"));
        out.add(t.build());
    }

    /** accessLogging → accessLogging[0].disabled; tracingSampling → tracing[0].randomSamplingPercentage. */
    static void telemetrySpec(Output t, JsonNode obs, FieldPath src) {
        if (obs.has("accessLogging")) {
            t.spec().putArray("accessLogging").addObject().put("disabled", !obs.get("accessLogging").asBoolean());
            t.trace(FieldPath.of("accessLogging"), src.key("accessLogging"));
        }
        if (obs.has("tracingSampling")) {
            t.spec().putArray("tracing").addObject().put("randomSamplingPercentage", obs.get("tracingSampling").asDouble());
            t.trace(FieldPath.of("tracing"), src.key("tracingSampling"));
        }
    }

    private void exportTo(Output o) {
        if (spec.has("exportTo")) {
            o.spec().set("exportTo", spec.get("exportTo").deepCopy());
            o.trace(FieldPath.of("exportTo"), SPEC.key("exportTo"));
        }
    }

    static void copyText(JsonNode from, String field, ObjectNode to, String as) {
        if (from.has(field)) {
            to.put(as, from.get(field).asText());
        }
    }

    static void copyInt(JsonNode from, String field, ObjectNode to, String as) {
        if (from.has(field)) {
            to.put(as, from.get(field).asInt());
        }
    }
}
