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

/**
 * Access logging without providers (Istio's telemetry/providers.go, IST0157): when the mesh config names no default
 * access log provider ({@code defaultProviders.accessLogging}), a Telemetry's {@code accessLogging} entry that is not
 * disabled and names no provider is ignored.
 */
public final class TelemetryProviderAnalyzer extends SubjectAnalyzer {
    public TelemetryProviderAnalyzer() {
        super(Kind.TELEMETRY_KIND);
    }

    @Override
    public String name() {
        return "telemetry.provider";
    }

    @Override
    protected void check(MeshIndex index, Resource t, DiagnosticSink sink) {
        JsonNode logging = t.spec().path("accessLogging");
        // Lowered from a meshcd policy (MeshDefaults observability): the policy's lowering owns its providers.
        if (t.annotation("meshcd.dev/source") != null) {
            return;
        }
        if (logging.isEmpty() || !MeshInputs.meshConfig(index).path("defaultProviders").path("accessLogging").isEmpty()) {
            return;
        }
        for (int i = 0; i < logging.size(); i++) {
            JsonNode l = logging.path(i);
            if (!l.path("disabled").asBoolean(false) && l.path("providers").isEmpty()) {
                Messages.report(sink, t, "IST0157", FieldPath.of("spec", "accessLogging", i), t.name(), t.namespace());
            }
        }
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.CONFIG_MAP);
    }

    /** Of the mesh ConfigMap, its mesh config (default providers). */
    @Override
    public Object observed(Resource r) {
        return r.is(Kind.CONFIG_MAP) && r.name().equals(dev.meshcd.compiler.config.MeshcdConfig.MESH_CONFIG_MAP)
                ? r.object().path("data").path(dev.meshcd.compiler.config.MeshcdConfig.MESH_KEY) : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return null;
    }
}
