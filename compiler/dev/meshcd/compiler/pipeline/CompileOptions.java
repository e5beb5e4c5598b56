package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.load.LoadLimits;
import java.util.List;

/**
 * Settings of one compilation.
 *
 * @param defaultNamespace   namespace of namespaced objects that name none
 * @param domainSuffix       the cluster's DNS suffix (cluster.local)
 * @param rootNamespace      Istio's root namespace (istio-system)
 * @param externalWorkloads  workloads that run in the cluster but are not in the repo (from meshcd's config)
 * @param limits             loading bounds
 * @param commit             the Git commit being compiled, recorded on generated resources
 *                           (annotation meshcd.dev/commit), or null
 * @param unresolvedErrors   every reference that does not resolve is an error, even into a namespace meshcd
 *                           cannot see (meshcd.yaml's {@code unresolved: error}); by default those are warnings
 */
public record CompileOptions(String defaultNamespace, String domainSuffix, String rootNamespace,
                             List<Workload> externalWorkloads, LoadLimits limits, String commit,
                             boolean unresolvedErrors) {
    public static final CompileOptions DEFAULT = new CompileOptions("default", MeshIndex.DEFAULT_DOMAIN_SUFFIX,
            MeshIndex.DEFAULT_ROOT_NAMESPACE, List.of(), LoadLimits.DEFAULT);

    public CompileOptions(String defaultNamespace, String domainSuffix, String rootNamespace,
                          List<Workload> externalWorkloads, LoadLimits limits) {
        this(defaultNamespace, domainSuffix, rootNamespace, externalWorkloads, limits, null);
    }

    public CompileOptions(String defaultNamespace, String domainSuffix, String rootNamespace,
                          List<Workload> externalWorkloads, LoadLimits limits, String commit) {
        this(defaultNamespace, domainSuffix, rootNamespace, externalWorkloads, limits, commit, false);
    }

    public CompileOptions withUnresolvedErrors(boolean errors) {
        return new CompileOptions(defaultNamespace, domainSuffix, rootNamespace, externalWorkloads, limits, commit,
                errors);
    }

    public CompileOptions withCommit(String commit) {
        return new CompileOptions(defaultNamespace, domainSuffix, rootNamespace, externalWorkloads, limits, commit, unresolvedErrors);
    }

    public CompileOptions withDefaultNamespace(String namespace) {
        return new CompileOptions(namespace, domainSuffix, rootNamespace, externalWorkloads, limits, commit,
                unresolvedErrors);
    }

    public CompileOptions withLimits(LoadLimits limits) {
        return new CompileOptions(defaultNamespace, domainSuffix, rootNamespace, externalWorkloads, limits, commit);
    }

    public CompileOptions withExternalWorkloads(List<Workload> workloads) {
        return new CompileOptions(defaultNamespace, domainSuffix, rootNamespace, List.copyOf(workloads), limits, commit,
                unresolvedErrors);
    }
}
