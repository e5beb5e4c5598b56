package dev.meshcd.compiler.validate.istio;

import static dev.meshcd.compiler.validate.istio.Nodes.get;
import static dev.meshcd.compiler.validate.istio.Nodes.has;
import static dev.meshcd.compiler.validate.istio.Nodes.integer;
import static dev.meshcd.compiler.validate.istio.Nodes.list;
import static dev.meshcd.compiler.validate.istio.Nodes.number;
import static dev.meshcd.compiler.validate.istio.Nodes.size;
import static dev.meshcd.compiler.validate.istio.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.ValidationWarning;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.validate.ResourceValidator;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** istiod's ValidateTelemetry, ValidateWasmPlugin, ValidateProxyConfig and ValidateEnvoyFilter (structural part). */
public final class ExtensionsValidator implements ResourceValidator {
    private static final FieldPath SPEC = FieldPath.of("spec");
    private static final Set<String> WASM_SCHEMES = Set.of("", "file", "http", "https", "oci");

    @Override
    public void validate(Resource r, DiagnosticSink sink) {
        if (r.is(Kind.TELEMETRY_KIND)) {
            telemetry(new Findings(r, sink), r.spec());
        } else if (r.is(Kind.WASM_PLUGIN)) {
            wasmPlugin(new Findings(r, sink), r.spec());
        } else if (r.is(Kind.PROXY_CONFIG)) {
            Findings f = new Findings(r, sink);
            Common.workloadSelector(f, r.spec(), "selector", SPEC);
            if (integer(r.spec(), "concurrency") < 0) {
                f.error(SPEC.key("concurrency"), "concurrency must be greater than or equal to 0");
            }
        } else if (r.is(Kind.ENVOY_FILTER)) {
            envoyFilter(new Findings(r, sink), r.spec());
        }
    }

    // ------------------------------------------------------------------ Telemetry

    private static void telemetry(Findings f, JsonNode spec) {
        Common.policyTargets(f, spec, SPEC);
        JsonNode metrics = list(spec, "metrics");
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode m = metrics.get(i);
            FieldPath mp = SPEC.key("metrics").index(i);
            if (m == null || !m.isObject()) {
                continue;
            }
            providers(f, m, mp);
            JsonNode overrides = list(m, "overrides");
            for (int j = 0; j < overrides.size(); j++) {
                JsonNode o = overrides.get(j);
                FieldPath op = mp.key("overrides").index(j);
                if (o == null || !o.isObject()) {
                    f.error(op, "tagOverrides may not be null");
                    continue;
                }
                for (Map.Entry<String, JsonNode> e : Nodes.entries(o, "tagOverrides")) {
                    FieldPath tp = op.key("tagOverrides").key(e.getKey());
                    if (e.getKey().isEmpty()) {
                        f.warn(ValidationWarning.TELEMETRY_EMPTY_TAG_NAME, tp, "tagOverrides.name may not be empty");
                    }
                    JsonNode to = e.getValue();
                    if (to == null || to.isNull()) {
                        f.error(tp, "tagOverrides may not be null");
                        continue;
                    }
                    String operation = text(to, "operation");
                    String value = text(to, "value");
                    if ((operation.isEmpty() || operation.equals("UPSERT")) && value.isEmpty()) {
                        f.error(tp.key("value"), "tagOverrides.value must be set when operation is UPSERT");
                    } else if (operation.equals("REMOVE") && !value.isEmpty()) {
                        f.error(tp.key("value"), "tagOverrides.value may only be set when operation is UPSERT");
                    }
                }
                JsonNode match = get(o, "match");
                if (match != null && match.has("customMetric") && text(match, "customMetric").isEmpty()) {
                    f.error(op.key("match").key("customMetric"), "customMetric may not be empty");
                }
            }
        }
        JsonNode tracing = list(spec, "tracing");
        if (tracing.size() > 1) {
            f.warn(ValidationWarning.TELEMETRY_MULTIPLE_TRACING, SPEC.key("tracing"),
                    "multiple tracing is not currently supported");
        }
        for (int i = 0; i < tracing.size(); i++) {
            JsonNode t = tracing.get(i);
            FieldPath tp = SPEC.key("tracing").index(i);
            if (t == null || !t.isObject()) {
                continue;
            }
            if (size(t, "providers") > 1) {
                f.warn(ValidationWarning.TELEMETRY_MULTIPLE_PROVIDERS, tp.key("providers"),
                        "multiple providers is not currently supported");
            }
            providers(f, t, tp);
            double pct = number(t, "randomSamplingPercentage");
            if (pct < 0 || pct > 100) {
                f.error(tp.key("randomSamplingPercentage"), "randomSamplingPercentage must be in range [0.0, 100.0]");
            }
            for (Map.Entry<String, JsonNode> e : Nodes.entries(t, "customTags")) {
                FieldPath cp = tp.key("customTags").key(e.getKey());
                if (e.getKey().isEmpty()) {
                    f.error(cp, "tag name may not be empty");
                }
                JsonNode tag = e.getValue();
                if (tag == null || tag.isNull()) {
                    f.error(cp, "tag '" + e.getKey() + "' may not have a nil value");
                    continue;
                }
                if (has(tag, "literal") && text(get(tag, "literal"), "value").isEmpty()) {
                    f.error(cp.key("literal").key("value"), "literal tag value may not be empty");
                } else if (has(tag, "header") && text(get(tag, "header"), "name").isEmpty()) {
                    f.error(cp.key("header").key("name"), "header tag name may not be empty");
                } else if (has(tag, "environment") && text(get(tag, "environment"), "name").isEmpty()) {
                    f.error(cp.key("environment").key("name"), "environment tag name may not be empty");
                }
            }
        }
        JsonNode logging = list(spec, "accessLogging");
        for (int i = 0; i < logging.size(); i++) {
            JsonNode l = logging.get(i);
            if (l == null || !l.isObject()) {
                continue;
            }
            FieldPath lp = SPEC.key("accessLogging").index(i);
            JsonNode filter = get(l, "filter");
            if (filter != null) {
                f.check(lp.key("filter").key("expression"), Checks.celExpression(text(filter, "expression")));
            }
            providers(f, l, lp);
        }
    }

    private static void providers(Findings f, JsonNode node, FieldPath p) {
        JsonNode providers = list(node, "providers");
        for (int i = 0; i < providers.size(); i++) {
            JsonNode pr = providers.get(i);
            if (pr == null || pr.isNull() || text(pr, "name").isEmpty()) {
                f.error(p.key("providers").index(i).key("name"), "providers.name may not be empty");
                return;
            }
        }
    }

    // ------------------------------------------------------------------ WasmPlugin

    private static void wasmPlugin(Findings f, JsonNode spec) {
        Common.policyTargets(f, spec, SPEC);
        String url = text(spec, "url");
        if (url.isEmpty()) {
            f.error(SPEC.key("url"), "url field needs to be set");
        } else {
            String scheme = SecurityValidator.scheme(url);
            if (!WASM_SCHEMES.contains(scheme)) {
                f.error(SPEC.key("url"), "url contains unsupported scheme: " + scheme);
            }
        }
        String sha = text(spec, "sha256");
        if (!sha.isEmpty()) {
            if (sha.length() != 64) {
                f.error(SPEC.key("sha256"), "sha256 field must be 64 characters long");
            } else {
                for (int i = 0; i < sha.length(); i++) {
                    char c = sha.charAt(i);
                    if (!((c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'))) {
                        f.error(SPEC.key("sha256"), "sha256 field must match [a-f0-9]{64} pattern");
                        break;
                    }
                }
            }
        }
        if (text(spec, "imagePullSecret").length() > 253) {
            f.error(SPEC.key("imagePullSecret"), "imagePullSecret field must be less than 253 characters long");
        }
        if (text(spec, "pluginName").length() > 256) {
            f.error(SPEC.key("pluginName"), "pluginName field must be less than 255 characters long");
        }
        JsonNode env = list(get(spec, "vmConfig"), "env");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < env.size(); i++) {
            JsonNode e = env.get(i);
            FieldPath ep = SPEC.key("vmConfig").key("env").index(i);
            if (e == null || e.isNull()) {
                continue;
            }
            String name = text(e, "name");
            if (name.isEmpty()) {
                f.error(ep.key("name"), "spec.vmConfig.env invalid");
                break;
            }
            if (name.length() > 256) {
                f.error(ep.key("name"), "env.name field must be less than 255 characters long");
                break;
            }
            if (!names.add(name)) {
                f.error(ep.key("name"), "duplicate env");
                break;
            }
            String from = text(e, "valueFrom");
            if (!from.isEmpty() && !from.equals("INLINE") && !text(e, "value").isEmpty()) {
                f.error(ep.key("value"), "value may only be set when valueFrom is INLINE");
                break;
            }
        }
        JsonNode match = list(spec, "match");
        for (int i = 0; i < match.size(); i++) {
            JsonNode sel = match.get(i);
            FieldPath mp = SPEC.key("match").index(i);
            if (sel == null || sel.isNull()) {
                f.error(mp, "spec.Match[" + i + "] is nil");
                return;
            }
            JsonNode ports = list(sel, "ports");
            for (int j = 0; j < ports.size(); j++) {
                long n = integer(ports.get(j), "number");
                if (n <= 0 || n > 65535) {
                    f.error(mp.key("ports").index(j).key("number"), "spec.Match[" + i + "].Ports[" + j
                            + "] is out of range: " + n);
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ EnvoyFilter

    private static void envoyFilter(Findings f, JsonNode spec) {
        f.warn(ValidationWarning.ENVOY_FILTER_INTERNALS, SPEC,
                "EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs "
                + "if possible, and exercise extreme caution, especially around upgrades.");
        if (!Common.alphaWorkloadSelector(f, spec, SPEC, "Envoy filter")) {
            return;
        }
        JsonNode patches = list(spec, "configPatches");
        for (int i = 0; i < patches.size(); i++) {
            JsonNode cp = patches.get(i);
            FieldPath p = SPEC.key("configPatches").index(i);
            if (cp == null || !cp.isObject()) {
                f.error(p, "Envoy filter: null config patch");
                continue;
            }
            String applyTo = text(cp, "applyTo");
            if (applyTo.isEmpty() || applyTo.equals("INVALID")) {
                f.error(p.key("applyTo"), "Envoy filter: missing applyTo");
                continue;
            }
            JsonNode patch = get(cp, "patch");
            if (patch == null) {
                f.error(p.key("patch"), "Envoy filter: missing patch");
                continue;
            }
            String op = text(patch, "operation");
            if (op.isEmpty() || op.equals("INVALID")) {
                f.error(p.key("patch").key("operation"), "Envoy filter: missing patch operation");
                continue;
            }
            if (!op.equals("REMOVE") && !has(patch, "value")) {
                f.error(p.key("patch").key("value"), "Envoy filter: missing patch value for non-remove operation");
                continue;
            }
            JsonNode match = get(cp, "match");
            String version = text(get(match, "proxy"), "proxyVersion");
            if (!version.isEmpty()) {
                Optional<String> err = Checks.regex(version, "proxyVersion");
                if (err.isPresent()) {
                    f.error(p.key("match").key("proxy").key("proxyVersion"), "Envoy filter: invalid regex for proxy version, ["
                            + err.get() + "]");
                    continue;
                }
            }
            if (match == null) {
                continue;
            }
            boolean objectTypes = has(match, "listener") || has(match, "routeConfiguration") || has(match, "cluster");
            switch (applyTo) {
                case "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER", "LISTENER_FILTER" -> {
                    if (!objectTypes) {
                        break;
                    }
                    JsonNode listener = get(match, "listener");
                    if (listener == null) {
                        f.error(p.key("match"), "Envoy filter: applyTo for listener class objects cannot have non listener match");
                        break;
                    }
                    JsonNode filter = get(get(listener, "filterChain"), "filter");
                    if (filter == null) {
                        break;
                    }
                    FieldPath fp = p.key("match").key("listener").key("filterChain").key("filter");
                    if (applyTo.equals("LISTENER") || applyTo.equals("FILTER_CHAIN")) {
                        f.warn(ValidationWarning.ENVOY_FILTER_MATCH_IGNORED, fp,
                                "Envoy filter: filter match has no effect when used with " + applyTo);
                    }
                    String name = text(filter, "name");
                    JsonNode sub = get(filter, "subFilter");
                    if (name.isEmpty()) {
                        f.error(fp.key("name"), "Envoy filter: filter match has no name to match on");
                    } else if (sub != null) {
                        if (!applyTo.equals("HTTP_FILTER")) {
                            f.error(fp.key("subFilter"), "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only");
                        } else if (!name.equals("envoy.filters.network.http_connection_manager")
                                && !name.equals("envoy.http_connection_manager")) {
                            f.error(fp.key("subFilter"), "Envoy filter: subfilter match requires filter match with "
                                    + "envoy.filters.network.http_connection_manager");
                        } else if (text(sub, "name").isEmpty()) {
                            f.error(fp.key("subFilter").key("name"), "Envoy filter: subfilter match has no name to match on");
                        }
                    }
                }
                case "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE" -> {
                    if (objectTypes && !has(match, "routeConfiguration")) {
                        f.error(p.key("match"), "Envoy filter: applyTo for http route class objects cannot have non route "
                                + "configuration match");
                    }
                }
                case "CLUSTER" -> {
                    if (objectTypes && !has(match, "cluster")) {
                        f.error(p.key("match"), "Envoy filter: applyTo for cluster class objects cannot have non cluster match");
                    }
                }
                default -> {
                }
            }
        }
    }
}
