package dev.meshcd.compiler.envoy;

import dev.meshcd.compiler.gatewayapi.GatewayApiConversion;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.MeshService;
import dev.meshcd.compiler.index.ServicePort;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Translates VirtualService HTTP routes into Envoy routes, as istiod's route package does. */
final class Routes {
    static final String DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
    static final String FAULT_FILTER = "envoy.filters.http.fault";

    /** One emitted route and the field of the VirtualService it came from. */
    record Built(Route route, Resource source, FieldPath path) {
    }

    private final MeshIndex index;

    Routes(MeshIndex index) {
        this.index = index;
    }

    /** The route istiod emits for a service no VirtualService covers. */
    static Route defaultRoute(String cluster) {
        return Route.newBuilder().setName("default")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Duration.getDefaultInstance())
                        .setRetryPolicy(defaultRetry())
                        .setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
                                .setMaxStreamDuration(Duration.getDefaultInstance())
                                .setGrpcTimeoutHeaderMax(Duration.getDefaultInstance())))
                .build();
    }

    static RetryPolicy defaultRetry() {
        return retry(DEFAULT_RETRY_ON, 2, null, List.of());
    }

    private static RetryPolicy retry(String retryOn, int attempts, Duration perTry, List<Integer> codes) {
        RetryPolicy.Builder r = RetryPolicy.newBuilder().setRetryOn(retryOn).setNumRetries(UInt32Value.of(attempts))
                .addRetryHostPredicate(RetryPolicy.RetryHostPredicate.newBuilder()
                        .setName("envoy.retry_host_predicates.previous_hosts")
                        .setTypedConfig(Xds.pack(PreviousHostsPredicate.getDefaultInstance())))
                .setHostSelectionRetryMaxAttempts(5);
        codes.forEach(r::addRetriableStatusCodes);
        if (perTry != null) {
            r.setPerTryTimeout(perTry);
        }
        return r.build();
    }

    /**
     * Routes of one VirtualService for one virtual host.
     *
     * @param port     the port the virtual host serves (match.port filters on it); 0 for gateways
     * @param gateway  "mesh" for sidecars, or "namespace/name" of the Gateway
     * @param source   the proxy's workload (sourceLabels / sourceNamespace filters), null for none
     */
    List<Built> translate(Resource vs, int port, String gateway, Workload source) {
        List<Built> out = new ArrayList<>();
        JsonNode http = vs.spec().path("http");
        for (int i = 0; i < http.size(); i++) {
            JsonNode h = http.get(i);
            FieldPath hp = FieldPath.of("spec", "http").index(i);
            JsonNode matches = h.path("match");
            if (!matches.isArray() || matches.isEmpty()) {
                out.add(new Built(route(vs, h, null, port, gateway.equals("mesh")), vs, hp));
                continue;
            }
            for (int m = 0; m < matches.size(); m++) {
                JsonNode match = matches.get(m);
                if (!applies(vs, match, port, gateway, source)) {
                    continue;
                }
                out.add(new Built(route(vs, h, match, port, gateway.equals("mesh")), vs, hp.key("match").index(m)));
            }
        }
        return out;
    }

    private boolean applies(Resource vs, JsonNode match, int port, String gateway, Workload source) {
        if (port > 0 && match.has("port") && match.path("port").asInt() != port) {
            return false;
        }
        JsonNode gws = match.path("gateways");
        if (gws.isArray() && !gws.isEmpty()) {
            boolean any = false;
            for (JsonNode g : gws) {
                String name = g.asText();
                String qualified = name.equals("mesh") || name.contains("/") ? name : vs.namespace() + "/" + name;
                any |= qualified.equals(gateway);
            }
            if (!any) {
                return false;
            }
        }
        if (source != null) {
            Map<String, String> labels = MeshIndex.stringMap(match.path("sourceLabels"));
            if (!labels.isEmpty() && !source.matches(labels)) {
                return false;
            }
            String sns = match.path("sourceNamespace").asText("");
            if (!sns.isEmpty() && !sns.equals(source.namespace())) {
                return false;
            }
        }
        return true;
    }

    private Route route(Resource vs, JsonNode h, JsonNode match, int port, boolean sidecar) {
        Route.Builder r = Route.newBuilder().setMetadata(Xds.istioMetadata(vs));
        String name = h.path("name").asText("");
        if (match != null && !match.path("name").asText("").isEmpty()) {
            name = name.isEmpty() ? match.path("name").asText() : name + "." + match.path("name").asText();
        }
        if (!name.isEmpty()) {
            r.setName(name);
        }
        r.setMatch(match(match, GatewayApiConversion.GATEWAY_SEMANTICS.equals(vs.annotation(GatewayApiConversion.ROUTE_SEMANTICS))));
        if (h.has("redirect")) {
            r.setRedirect(redirect(h.path("redirect")));
        } else if (h.has("directResponse")) {
            JsonNode d = h.path("directResponse");
            DirectResponseAction.Builder dr = DirectResponseAction.newBuilder().setStatus(d.path("status").asInt());
            JsonNode body = d.path("body");
            if (body.has("string")) {
                dr.setBody(DataSource.newBuilder().setInlineString(body.path("string").asText()));
            }
            r.setDirectResponse(dr);
        } else {
            r.setRoute(action(vs, h, port, sidecar));
        }
        headers(h.path("headers"), r);
        if (h.has("fault")) {
            r.putTypedPerFilterConfig(FAULT_FILTER, Xds.pack(fault(h.path("fault"))));
        }
        return r.build();
    }

    /**
     * @param gatewaySemantics a prefix matches whole path segments ({@code path_separated_prefix}), as istiod
     *                         translates the prefixes of Gateway API routes ("/" stays a plain prefix)
     */
    private static RouteMatch match(JsonNode m, boolean gatewaySemantics) {
        RouteMatch.Builder b = RouteMatch.newBuilder();
        if (m == null) {
            return b.setPrefix("/").build();
        }
        JsonNode uri = m.path("uri");
        if (uri.has("exact")) {
            b.setPath(uri.path("exact").asText());
        } else if (uri.has("prefix")) {
            String prefix = uri.path("prefix").asText();
            String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (gatewaySemantics && !trimmed.isEmpty()) {
                b.setPathSeparatedPrefix(trimmed);
            } else {
                b.setPrefix(prefix);
            }
        } else if (uri.has("regex")) {
            b.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.path("regex").asText()));
        } else {
            b.setPrefix("/");
        }
        if (m.path("ignoreUriCase").asBoolean(false)) {
            b.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
        }
        m.path("headers").fields().forEachRemaining(e -> b.addHeaders(header(e.getKey(), e.getValue(), false)));
        m.path("withoutHeaders").fields().forEachRemaining(e -> b.addHeaders(header(e.getKey(), e.getValue(), true)));
        for (String pseudo : new String[]{"method", "authority", "scheme"}) {
            if (m.has(pseudo)) {
                b.addHeaders(header(":" + pseudo, m.path(pseudo), false));
            }
        }
        m.path("queryParams").fields().forEachRemaining(e -> {
            QueryParameterMatcher.Builder q = QueryParameterMatcher.newBuilder().setName(e.getKey());
            StringMatcher sm = stringMatch(e.getValue());
            if (sm == null) {
                q.setPresentMatch(true);
            } else {
                q.setStringMatch(sm);
            }
            b.addQueryParameters(q);
        });
        return b.build();
    }

    private static HeaderMatcher header(String name, JsonNode v, boolean invert) {
        HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name.toLowerCase(java.util.Locale.ROOT));
        StringMatcher sm = stringMatch(v);
        if (sm == null) {
            h.setPresentMatch(true);
        } else {
            h.setStringMatch(sm);
        }
        if (invert) {
            h.setInvertMatch(true);
        }
        return h.build();
    }

    /** Istio's StringMatch (exact / prefix / regex); null for an empty match (presence only). */
    static StringMatcher stringMatch(JsonNode v) {
        if (v.has("exact")) {
            return StringMatcher.newBuilder().setExact(v.path("exact").asText()).build();
        }
        if (v.has("prefix")) {
            return StringMatcher.newBuilder().setPrefix(v.path("prefix").asText()).build();
        }
        if (v.has("regex")) {
            return StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(v.path("regex").asText()))
                    .build();
        }
        return null;
    }

    private RouteAction action(Resource vs, JsonNode h, int port, boolean sidecar) {
        RouteAction.Builder a = RouteAction.newBuilder();
        JsonNode dests = h.path("route");
        List<WeightedCluster.ClusterWeight> weighted = new ArrayList<>();
        for (JsonNode d : dests) {
            int weight = d.path("weight").asInt(0);
            if (weight == 0 && dests.size() > 1) {
                continue; // istiod drops zero-weight destinations when there are others
            }
            weighted.add(WeightedCluster.ClusterWeight.newBuilder()
                    .setName(clusterFor(d.path("destination"), vs.namespace(), port, sidecar))
                    .setWeight(UInt32Value.of(dests.size() == 1 ? 100 : weight)).build());
        }
        if (weighted.size() == 1) {
            a.setCluster(weighted.get(0).getName());
        } else {
            a.setWeightedClusters(WeightedCluster.newBuilder().addAllClusters(weighted));
        }
        Duration timeout = Xds.duration(h.path("timeout"));
        Duration t = timeout == null ? Duration.getDefaultInstance() : timeout;
        a.setTimeout(t).setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder()
                .setMaxStreamDuration(t).setGrpcTimeoutHeaderMax(t));
        JsonNode retries = h.path("retries");
        if (retries.isObject()) {
            int attempts = retries.path("attempts").asInt(0);
            if (attempts > 0) {
                String on = retries.path("retryOn").asText("");
                List<Integer> codes = new ArrayList<>();
                List<String> policies = new ArrayList<>();
                for (String p : on.split(",")) {
                    String s = p.trim();
                    if (s.matches("\\d{3}")) {
                        codes.add(Integer.parseInt(s));
                    } else if (!s.isEmpty()) {
                        policies.add(s);
                    }
                }
                if (on.isEmpty()) {
                    a.setRetryPolicy(retry(DEFAULT_RETRY_ON, attempts, Xds.duration(retries.path("perTryTimeout")),
                            List.of()));
                } else {
                    if (!codes.isEmpty() && !policies.contains("retriable-status-codes")) {
                        policies.add("retriable-status-codes");
                    }
                    a.setRetryPolicy(retry(String.join(",", policies), attempts,
                            Xds.duration(retries.path("perTryTimeout")), codes));
                }
            }
        } else {
            a.setRetryPolicy(defaultRetry());
        }
        JsonNode rewrite = h.path("rewrite");
        if (rewrite.has("uri")) {
            a.setPrefixRewrite(rewrite.path("uri").asText());
        }
        if (rewrite.has("uriRegexRewrite")) {
            JsonNode rr = rewrite.path("uriRegexRewrite");
            a.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                    .setPattern(RegexMatcher.newBuilder().setRegex(rr.path("match").asText()))
                    .setSubstitution(rr.path("rewrite").asText()));
        }
        if (rewrite.has("authority")) {
            a.setHostRewriteLiteral(rewrite.path("authority").asText());
        }
        List<JsonNode> mirrors = new ArrayList<>();
        if (h.has("mirror")) {
            mirrors.add(h);
        }
        h.path("mirrors").forEach(mirrors::add);
        for (JsonNode m : mirrors) {
            JsonNode dest = m == h ? h.path("mirror") : m.path("destination");
            JsonNode pct = m == h ? h.path("mirrorPercentage") : m.path("percentage");
            RouteAction.RequestMirrorPolicy.Builder mp = RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster(clusterFor(dest, vs.namespace(), port, sidecar));
            double value = pct.has("value") ? pct.path("value").asDouble() : 100.0;
            mp.setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(percent(value)));
            a.addRequestMirrorPolicies(mp);
        }
        return a.build();
    }

    /**
     * Cluster name for a VirtualService destination: host resolved in the VS's namespace, port and subset. Without
     * a port, istiod takes the only port of the destination service, looked up among the services it routes on
     * this port: on a sidecar those having the route configuration's port (so always that port), on a gateway
     * all services; else the port of the route configuration.
     */
    String clusterFor(JsonNode dest, String namespace, int contextPort, boolean sidecar) {
        String host = index.resolveHost(Xds.text(dest.path("host")), namespace);
        String subset = dest.path("subset").asText("");
        int p = dest.path("port").path("number").asInt(0);
        if (p == 0) {
            List<MeshService> svcs = index.servicesForHost(host);
            List<ServicePort> ports = svcs.isEmpty() ? List.of() : svcs.get(0).ports();
            p = !sidecar && ports.size() == 1 ? ports.get(0).number() : contextPort;
        }
        return Clusters.outboundName(p, subset.isEmpty() ? null : subset, host);
    }

    private static RedirectAction redirect(JsonNode r) {
        RedirectAction.Builder b = RedirectAction.newBuilder();
        if (r.has("uri")) {
            b.setPathRedirect(r.path("uri").asText());
        }
        if (r.has("authority")) {
            b.setHostRedirect(r.path("authority").asText());
        }
        if (r.has("port")) {
            b.setPortRedirect(r.path("port").asInt());
        }
        if (r.has("scheme")) {
            b.setSchemeRedirect(r.path("scheme").asText());
        }
        b.setResponseCode(switch (r.path("redirectCode").asInt(301)) {
            case 302 -> RedirectAction.RedirectResponseCode.FOUND;
            case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
            case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
            case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
            default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
        return b.build();
    }

    private static void headers(JsonNode headers, Route.Builder r) {
        JsonNode req = headers.path("request");
        JsonNode resp = headers.path("response");
        req.path("set").fields().forEachRemaining(e -> r.addRequestHeadersToAdd(hv(e.getKey(), e.getValue().asText(), true)));
        req.path("add").fields().forEachRemaining(e -> r.addRequestHeadersToAdd(hv(e.getKey(), e.getValue().asText(), false)));
        req.path("remove").forEach(n -> r.addRequestHeadersToRemove(n.asText()));
        resp.path("set").fields().forEachRemaining(e -> r.addResponseHeadersToAdd(hv(e.getKey(), e.getValue().asText(), true)));
        resp.path("add").fields().forEachRemaining(e -> r.addResponseHeadersToAdd(hv(e.getKey(), e.getValue().asText(), false)));
        resp.path("remove").forEach(n -> r.addResponseHeadersToRemove(n.asText()));
    }

    private static HeaderValueOption hv(String k, String v, boolean overwrite) {
        return HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
                .setAppendAction(overwrite ? HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD
                        : HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD).build();
    }

    private static HTTPFault fault(JsonNode f) {
        HTTPFault.Builder b = HTTPFault.newBuilder();
        JsonNode delay = f.path("delay");
        if (delay.isObject()) {
            FaultDelay.Builder d = FaultDelay.newBuilder();
            Duration fixed = Xds.duration(delay.has("fixedDelay") ? delay.path("fixedDelay") : delay.path("exponentialDelay"));
            if (fixed != null) {
                d.setFixedDelay(fixed);
            }
            d.setPercentage(percent(delay.path("percentage").path("value").asDouble(delay.path("percent").asDouble(100))));
            b.setDelay(d);
        }
        JsonNode abort = f.path("abort");
        if (abort.isObject()) {
            FaultAbort.Builder a = FaultAbort.newBuilder();
            if (abort.has("grpcStatus")) {
                a.setGrpcStatus(grpcCode(abort.path("grpcStatus").asText()));
            } else {
                a.setHttpStatus(abort.path("httpStatus").asInt());
            }
            a.setPercentage(percent(abort.path("percentage").path("value").asDouble(100)));
            b.setAbort(a);
        }
        return b.build();
    }

    private static int grpcCode(String s) {
        List<String> names = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
                "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");
        int i = names.indexOf(s);
        return i >= 0 ? i : 2;
    }

    /** A percentage as istiod writes it: parts per million. */
    static FractionalPercent percent(double value) {
        return FractionalPercent.newBuilder().setNumerator((int) Math.round(value * 10000))
                .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
    }

}
