package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Resource;
import java.util.List;

/**
 * What a compilation produced: every decoded resource (sorted by key), the index over them, and all
 * diagnostics (sorted by file and position).
 */
public record CompileResult(List<Resource> resources, MeshIndex index, List<Diagnostic> diagnostics,
                            int files, int documents) {

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    public long count(dev.meshcd.compiler.diag.Severity severity) {
        return diagnostics.stream().filter(d -> d.severity() == severity).count();
    }
}
