package dev.meshcd.compiler.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.FieldPath;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Telemetry tracing through a Lightstep extension provider of the mesh config (IST0002 Deprecated: migrate to
 * OpenTelemetry), as istio's telemetry.LightstepAnalyzer reports it. The mesh config is ConfigMap {@code istio} of
 * the root namespace.
 */
public final class TelemetryLightstepAnalyzer extends SubjectAnalyzer {
    public TelemetryLightstepAnalyzer() {
        super(Kind.TELEMETRY_KIND);
    }

    @Override
    public String name() {
        return "telemetry.lightstep";
    }

    @Override
    protected void check(MeshIndex index, Resource telemetry, DiagnosticSink sink) {
        JsonNode tracing = telemetry.spec().path("tracing");
        if (tracing.isEmpty()) {
            return;
        }
        Set<String> lightstep = lightstepProviders(RootMeshConfig.of(index));
        if (lightstep.isEmpty()) {
            return;
        }
        for (int i = 0; i < tracing.size(); i++) {
            JsonNode providers = tracing.path(i).path("providers");
            for (int j = 0; j < providers.size(); j++) {
                String name = providers.path(j).path("name").asText("");
                if (lightstep.contains(name)) {
                    Messages.report(sink, telemetry, "IST0002",
                            FieldPath.of("spec", "tracing", i, "providers", j, "name"), "The Lightstep provider " + name
                                    + " is deprecated, please migrate to OpenTelemetry provider.");
                }
            }
        }
    }

    private static Set<String> lightstepProviders(JsonNode meshConfig) {
        Set<String> out = new TreeSet<>();
        for (JsonNode p : meshConfig.path("extensionProviders")) {
            if (p.has("lightstep")) {
                out.add(p.path("name").asText(""));
            }
        }
        return out;
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.CONFIG_MAP);
    }

    /** Only the mesh config's Lightstep providers matter; the root namespace is not known here, so any "istio". */
    @Override
    public Object observed(Resource r) {
        return r.is(Kind.CONFIG_MAP) && r.name().equals(RootMeshConfig.CONFIG_MAP)
                ? lightstepProviders(RootMeshConfig.parse(r)) : null;
    }

    /** A change of the Lightstep providers concerns every Telemetry with tracing. */
    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        Set<ResourceKey> out = new java.util.HashSet<>();
        for (Resource t : afterIndex.ofKind(Kind.TELEMETRY_KIND)) {
            if (!t.spec().path("tracing").isEmpty()) {
                out.add(t.key());
            }
        }
        return out;
    }
}
