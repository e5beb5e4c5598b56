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
 * ServiceEntry ports serving TCP (or no protocol) need addresses to be told apart (IST0134
 * ServiceEntryAddressesRequired), as istio's serviceentry.ProtocolAddressesAnalyzer checks them: unless the
 * ServiceEntry has addresses, or addresses in its status (allocated by istiod), or the mesh config's
 * {@code defaultConfig.proxyMetadata} turns on DNS capture ({@code ISTIO_META_DNS_CAPTURE}) with address
 * auto-allocation ({@code ISTIO_META_DNS_AUTO_ALLOCATE} or {@code PILOT_ENABLE_IP_AUTOALLOCATE}). Once per port.
 */
public final class ServiceEntryAddressesAnalyzer extends SubjectAnalyzer {
    public ServiceEntryAddressesAnalyzer() {
        super(Kind.SERVICE_ENTRY);
    }

    @Override
    public String name() {
        return "serviceentry.addresses";
    }

    @Override
    protected void check(MeshIndex index, Resource se, DiagnosticSink sink) {
        if (!se.spec().path("addresses").isEmpty() || !se.object().path("status").path("addresses").isEmpty()) {
            return;
        }
        JsonNode ports = se.spec().path("ports");
        if (ports.isEmpty() || autoAllocated(RootMeshConfig.of(index))) {
            return;
        }
        for (int i = 0; i < ports.size(); i++) {
            String protocol = ports.path(i).path("protocol").asText("");
            if (protocol.isEmpty() || protocol.equalsIgnoreCase("TCP")) {
                Messages.report(sink, se, "IST0134", FieldPath.of("spec", "ports", i));
            }
        }
    }

    private static boolean autoAllocated(JsonNode meshConfig) {
        JsonNode metadata = meshConfig.path("defaultConfig").path("proxyMetadata");
        if (!metadata.path("ISTIO_META_DNS_CAPTURE").asText("").equals("true")) {
            return false;
        }
        return metadata.path("ISTIO_META_DNS_AUTO_ALLOCATE").asText("").equals("true")
                || metadata.path("PILOT_ENABLE_IP_AUTOALLOCATE").asText("").equals("true");
    }

    @Override
    public Set<Kind> reads() {
        return Set.of(Kind.CONFIG_MAP);
    }

    /** Only whether the mesh config auto-allocates matters (any "istio" ConfigMap: the root is not known here). */
    @Override
    public Object observed(Resource r) {
        return r.is(Kind.CONFIG_MAP) && r.name().equals(RootMeshConfig.CONFIG_MAP)
                ? autoAllocated(RootMeshConfig.parse(r)) : null;
    }

    @Override
    public Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                              Resource after) {
        return afterIndex.ofKind(Kind.SERVICE_ENTRY).stream().map(Resource::key).toList();
    }
}
