package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What one compile leaves for the next, kept apart from the (stateless) {@link Compiler}: per-file results by
 * content hash, lowered policies, the tree, the merged snapshot, the last index and findings. Not thread-safe:
 * it has one writer at a time, the {@link dev.meshcd.compiler.workspace.Workspace} that owns it (or a one-shot
 * compile). The maps written by the parallel per-file stage are concurrent.
 */
public final class IncrementalState {
    final Map<String, Compiler.FileUnit> cache = new ConcurrentHashMap<>();
    final Map<String, Compiler.LoweredUnit> lowerCache = new ConcurrentHashMap<>();
    /** The files of the last compile, by name: the base {@link Compiler#recompile} applies changes to. */
    final TreeMap<String, SourceFile> current = new TreeMap<>();
    /** Keys of the last result, in order: the starting point of the next sort. */
    List<ResourceKey> lastOrder;
    /** What the last run merged, for the patch path of a recompile. */
    Compiler.Snapshot snapshot;
    /** Index and findings of the last compile or recompile, the base of the next incremental one. */
    Analysis lastAnalysis;
    /** The answer of the last compile or recompile, returned again when a recompile changes nothing. */
    LastResult lastResult;
    /** The context of the next compile, and the one the last index was built with (see {@link #context(MeshContext)}). */
    PreparedContext context = PreparedContext.NONE;
    PreparedContext indexedContext = PreparedContext.NONE;
    private final Map<String, Long> timings = new ConcurrentSkipListMap<>();

    /**
     * What lives outside the repository for the next compile or recompile to analyze against. A context that is
     * {@linkplain MeshContext#sameAs the same} as the one in force changes nothing; another one makes the next
     * recompile re-analyze (per-file results stay cached: the repository did not change).
     */
    public void context(MeshContext next) {
        if (next.sameAs(context.context)) {
            return;
        }
        context = new PreparedContext(next);
        lastResult = null;
    }

    public MeshContext context() {
        return context.context;
    }

    record LastResult(CompileResult result, Compiler.Mode mode) {
    }

    void phase(String name, long nanos) {
        timings.put(name, nanos);
    }

    /** The tree of the last compile or recompile. */
    public SourceTree tree() {
        return new SourceTree(List.copyOf(current.values()));
    }

    /**
     * Wall time (ns) of each phase of the last compile: files (load, decode, validate, with cache hits), lower,
     * merge (duplicates, conflicts, sort), index, analyze, report; and "incremental": 1 when the index and
     * findings were derived from the previous run's. For benchmarks and the sync loop's metrics.
     */
    public Map<String, Long> lastTimings() {
        return Map.copyOf(timings);
    }
}
