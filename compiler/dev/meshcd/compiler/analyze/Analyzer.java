package dev.meshcd.compiler.analyze;

import dev.meshcd.compiler.diag.DiagnosticSink;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Stage 5: one cross-resource concern over the whole snapshot (compare istioctl analyze's analyzers).
 * Pure: reads the index, reports diagnostics with Istio's message codes where one fits.
 *
 * <p>Every finding is about one resource of a {@link #subjects() subject kind}. That lets a caller analyze
 * less than the whole snapshot: admission asks only about the incoming object ({@link #analyze(MeshIndex,
 * Collection, DiagnosticSink)}), and a recompile re-analyzes only the changed subjects as long as no
 * change alters what {@link #observed} says other subjects' findings read.
 */
public interface Analyzer {
    /** A short stable name, e.g. "virtualservice.destinationhosts". */
    String name();

    /** Kinds of the resources this analyzer reports findings about. */
    Set<Kind> subjects();

    void analyze(MeshIndex index, DiagnosticSink sink);

    /**
     * The findings about these subjects only (resources of other kinds are ignored), against the whole
     * index. The default analyzes everything and keeps the subjects' findings; analyzers that can look at
     * one subject alone override it.
     */
    default void analyze(MeshIndex index, Collection<Resource> subjects, DiagnosticSink sink) {
        Set<ResourceKey> wanted = new HashSet<>();
        for (Resource r : subjects) {
            if (subjects().contains(r.kind())) {
                wanted.add(r.key());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        Diagnostics all = new Diagnostics();
        analyze(index, all);
        all.sorted().stream().filter(d -> wanted.contains(d.subject())).forEach(sink::report);
    }

    /**
     * What this analyzer's findings about <em>other</em> resources can depend on in {@code r}; null when
     * none can. If a change leaves this equal for every resource it touches, the findings about untouched
     * subjects stand. The default is conservative: the whole object for the kinds in {@link #reads()}.
     */
    default Object observed(Resource r) {
        return reads().contains(r.kind()) ? r.object() : null;
    }

    /** Kinds whose resources this analyzer reads while analyzing a subject other than themselves. */
    Set<Kind> reads();

    /**
     * The subjects whose findings may change when {@code before} (null: added) becomes {@code after} (null:
     * removed) and what this analyzer {@linkplain #observed observes} of it changed; keys are enough, the
     * caller looks them up in the new snapshot. Null (the default) means "cannot tell": analyze everything.
     */
    default Collection<ResourceKey> dependents(MeshIndex beforeIndex, MeshIndex afterIndex, Resource before,
                                               Resource after) {
        return null;
    }
}
