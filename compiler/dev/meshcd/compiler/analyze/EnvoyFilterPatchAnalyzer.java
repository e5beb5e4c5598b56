package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * EnvoyFilter patch operations that do not do what they seem to, as istio's envoyfilter.EnvoyPatchAnalyzer checks
 * them: ADD (IST0153) or REMOVE (IST0154) on ROUTE_CONFIGURATION or HTTP_ROUTE are ignored; REPLACE outside
 * HTTP_FILTER, NETWORK_FILTER and VIRTUAL_HOST is invalid (IST0152); a relative operation (INSERT_BEFORE,
 * INSERT_AFTER, REPLACE, REMOVE) without a {@code priority} may be applied out of order (IST0151), or during an
 * upgrade (IST0155) when an earlier patch with a {@code proxyVersion} match names the same filter. "Earlier" runs
 * over the EnvoyFilters in namespace/name order (Istio's is its store's) and the patches of each in order.
 */
public final class EnvoyFilterPatchAnalyzer implements Analyzer {
    private static final Comparator<Resource> ORDER = Comparator.comparing(Resource::namespace)
            .thenComparing(Resource::name);
    private static final Set<String> ROUTE_LEVEL = Set.of("ROUTE_CONFIGURATION", "HTTP_ROUTE");
    private static final Set<String> REPLACEABLE = Set.of("NETWORK_FILTER", "HTTP_FILTER", "VIRTUAL_HOST");

    @Override
    public String name() {
        return "envoyfilter.patches";
    }

    @Override
    public Set<Kind> subjects() {
        return Set.of(Kind.ENVOY_FILTER);
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.ENVOY_FILTER);
    }

    @Override
    public void analyze(MeshIndex index, DiagnosticSink sink) {
        List<String> versioned = new ArrayList<>();
        for (Resource ef : sorted(index)) {
            check(ef, versioned, sink);
        }
    }

    @Override
    public void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        Set<ResourceKey> wanted = new HashSet<>();
        subjects.stream().filter(r -> r.is(Kind.ENVOY_FILTER)).forEach(r -> wanted.add(r.key()));
        if (wanted.isEmpty()) {
            return;
        }
        List<String> versioned = new ArrayList<>();
        for (Resource ef : sorted(index)) {
            check(ef, versioned, wanted.contains(ef.key()) ? sink : d -> { });
        }
    }

    private static List<Resource> sorted(MeshIndex index) {
        List<Resource> out = new ArrayList<>(index.ofKind(Kind.ENVOY_FILTER));
        out.sort(ORDER);
        return out;
    }

    /** Reports one EnvoyFilter's findings; {@code versioned} holds the filter names of earlier proxyVersion patches. */
    private static void check(Resource ef, List<String> versioned, DiagnosticSink sink) {
        JsonNode patches = ef.spec().path("configPatches");
        int priority = ef.spec().path("priority").asInt(0);
        for (int i = 0; i < patches.size(); i++) {
            JsonNode cp = patches.path(i);
            JsonNode patch = cp.path("patch");
            if (!patch.isObject()) {
                break;
            }
            String instance = instanceName(cp);
            String op = patch.path("operation").asText("");
            String applyTo = cp.path("applyTo").asText("");
            FieldPath at = FieldPath.of("spec", "configPatches", i, "patch", "operation");
            switch (op) {
                case "ADD" -> {
                    if (ROUTE_LEVEL.contains(applyTo)) {
                        Messages.report(sink, ef, "IST0153", at);
                    }
                }
                case "REMOVE" -> {
                    if (ROUTE_LEVEL.contains(applyTo)) {
                        Messages.report(sink, ef, "IST0154", at);
                    } else {
                        relative(ef, priority, versioned, instance, at, sink);
                    }
                }
                case "REPLACE" -> {
                    if (!REPLACEABLE.contains(applyTo)) {
                        Messages.report(sink, ef, "IST0152", at);
                    } else {
                        relative(ef, priority, versioned, instance, at, sink);
                    }
                }
                case "INSERT_BEFORE", "INSERT_AFTER" -> relative(ef, priority, versioned, instance, at, sink);
                default -> {
                }
            }
            if (!cp.path("match").path("proxy").path("proxyVersion").asText("").isEmpty()) {
                versioned.add(instance);
            }
        }
    }

    private static void relative(Resource ef, int priority, List<String> versioned, String instance, FieldPath at,
                                 DiagnosticSink sink) {
        if (priority == 0) {
            Messages.report(sink, ef, versioned.contains(instance) ? "IST0155" : "IST0151", at);
        }
    }

    /**
     * The filter a patch is about, as Istio keys it: the patch value's {@code name} (as the value prints), else the
     * listener filter chain's filter name; empty when the patch has no value.
     */
    private static String instanceName(JsonNode configPatch) {
        JsonNode value = configPatch.path("patch").path("value");
        if (!value.isObject() || value.isEmpty()) {
            return "";
        }
        if (value.has("name")) {
            return "value:" + value.get("name");
        }
        return "filter:" + configPatch.path("match").path("listener").path("filterChain").path("filter").path("name")
                .asText("");
    }

    /** Other EnvoyFilters' findings read the filter names of this one's proxyVersion patches. */
    @Override
    public Object observed(Resource r) {
        if (!r.is(Kind.ENVOY_FILTER)) {
            return null;
        }
        List<String> versioned = new ArrayList<>();
        check(r, versioned, d -> { });
        return versioned.isEmpty() ? null : versioned;
    }

    /** Those names matter to the EnvoyFilters after this one: every EnvoyFilter (there are few). */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return afterIndex.ofKind(Kind.ENVOY_FILTER).stream().map(Resource::key).toList();
    }
}
