package dev.meshcd.sync.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;

/**
 * What a sync will do, in order. Objects within one wave do not depend on each other and may be
 * applied in parallel; a wave starts when the previous one has finished.
 *
 * @param applyWaves  objects to create or update, dependencies first
 * @param unchanged   desired objects whose live content hash already matches
 * @param pruneWaves  live objects gone from Git, to delete, dependents first
 */
public record Plan(List<List<DesiredObject>> applyWaves, List<ResourceKey> unchanged,
                   List<List<LiveObject>> pruneWaves) {

    /** A live object meshcd manages, as listed from the cluster. */
    public record LiveObject(ResourceKey key, String apiVersion, ObjectNode body) {
    }

    public int applyCount() {
        return applyWaves.stream().mapToInt(List::size).sum();
    }

    public int pruneCount() {
        return pruneWaves.stream().mapToInt(List::size).sum();
    }

    public boolean isEmpty() {
        return applyCount() == 0 && pruneCount() == 0;
    }

    /** The wave an object is applied in, or -1. */
    public int applyWaveOf(ResourceKey key) {
        return waveOf(applyWaves, key, DesiredObject::key);
    }

    /** The wave an object is pruned in, or -1. */
    public int pruneWaveOf(ResourceKey key) {
        return waveOf(pruneWaves, key, LiveObject::key);
    }

    private static <T> int waveOf(List<List<T>> waves, ResourceKey key, java.util.function.Function<T, ResourceKey> keyOf) {
        for (int i = 0; i < waves.size(); i++) {
            for (T item : waves.get(i)) {
                if (keyOf.apply(item).equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
