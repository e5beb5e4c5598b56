package dev.meshcd.compiler.context;

import dev.meshcd.compiler.model.Resource;
import java.util.List;
import java.util.Objects;

/**
 * What lives outside the repository but matters to its analysis: objects read from a live cluster, from
 * {@code context:} paths in meshcd.yaml, or synthesized from its {@code external:} declarations. Context is
 * read-only: it is indexed and analyzed against, never validated, compiled, applied or pruned, and a repository
 * object with the same key wins over it.
 *
 * @param resources the objects (any namespace), each with an origin naming where it came from
 * @param complete  true when the context is a whole cluster's view: every namespace is then visible, so a
 *                  reference that does not resolve anywhere is an error, not a warning
 * @param source    a short human description for messages and logs ("cluster https://10.0.0.1:6443",
 *                  "meshcd.yaml context:")
 * @param version   changes whenever the objects change (a resourceVersion, a content hash); two contexts with
 *                  equal source and version hold the same objects, so a workspace need not re-analyze
 */
public record MeshContext(List<Resource> resources, boolean complete, String source, String version) {
    public static final MeshContext NONE = new MeshContext(List.of(), false, "", "");

    public MeshContext {
        resources = List.copyOf(resources);
        Objects.requireNonNull(source);
        Objects.requireNonNull(version);
    }

    public boolean isEmpty() {
        return resources.isEmpty() && !complete;
    }

    /** Whether this context holds the same objects as {@code other} (by source and version). */
    public boolean sameAs(MeshContext other) {
        return other != null && source.equals(other.source) && version.equals(other.version);
    }
}
