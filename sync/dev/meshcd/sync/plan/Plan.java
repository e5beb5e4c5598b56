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
        for (int i = 0; i < applyWaves.size(); i++) {
            for (DesiredObject d : applyWaves.get(i)) {
                if (d.key().equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The wave an object is pruned in, or -1. */
    public int pruneWaveOf(ResourceKey key) {
        for (int i = 0; i < pruneWaves.size(); i++) {
            for (LiveObject l : pruneWaves.get(i)) {
                if (l.key().equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
