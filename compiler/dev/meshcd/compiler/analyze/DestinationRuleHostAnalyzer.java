package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.source.FieldPath;

/**
 * A DestinationRule's host (wildcards included) should match some Service or ServiceEntry host
 * (IST0174 UnknownDestinationRuleHost). O(1) per rule through the index's host-suffix set.
 */
public final class DestinationRuleHostAnalyzer extends SubjectAnalyzer {
    public DestinationRuleHostAnalyzer() {
        super(Kind.DESTINATION_RULE);
    }

    @Override
    public String name() {
        return "destinationrule.host";
    }

    @Override
    protected void check(MeshIndex index, Resource dr, DiagnosticSink sink) {
        String host = dr.spec().path("host").asText("");
        if (host.isEmpty()) {
            return;
        }
        String fqdn = index.resolveHost(host, dr.namespace());
        if (!index.anyServiceMatching(fqdn)) {
            Messages.report(sink, dr, "IST0174", FieldPath.of("spec", "host"), host);
        }
    }

    @Override
    public java.util.Set<Kind> reads() {
        return java.util.Set.of(Kind.SERVICE, Kind.SERVICE_ENTRY);
    }
}
