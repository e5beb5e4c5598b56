package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import java.util.List;

/**
 * What a compilation produced: every decoded resource plus the Istio resources lowered from meshcd
 * policies (sorted by key), the index over them, and all diagnostics (sorted by file and position).
 */
public record CompileResult(List<Resource> resources, MeshIndex index, List<Diagnostic> diagnostics,
                            int files, int documents) {

    /**
     * The Istio resources of the snapshot, hand-written ones and those generated from meshcd policies, and the
     * Gateway API resources istiod reads beside them.
     */
    public List<Resource> istioResources() {
        return resources.stream().filter(r -> r.kind().isManagedCustomResource()).toList();
    }

    /** The resources generated from meshcd policies (label app.kubernetes.io/managed-by: meshcd). */
    public List<Resource> generated() {
        return resources.stream().filter(dev.meshcd.compiler.lower.PolicyKinds::isGenerated).toList();
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public long count(dev.meshcd.compiler.diag.Severity severity) {
        return diagnostics.stream().filter(d -> d.severity() == severity).count();
    }
}
