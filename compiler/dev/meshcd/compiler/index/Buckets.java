package dev.meshcd.compiler.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A multimap of an index (host → services, kind → resources...) that can be derived from a larger one by
 * replacing a few owners' entries: the derived map shares every untouched bucket with its base and holds
 * fresh copies of the touched ones only, so a change costs the size of the buckets it touches, not of the
 * index. An entry's owner is the resource it was extracted from (null: never replaced).
 */
final class Buckets<K, V> {
    private final Map<K, List<V>> base;
    /** Derived only: how touched buckets are recomputed from the base, on first use. */
    private final Patch<K, V> patch;
    private final Map<K, List<V>> touched = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Set<K> keys;

    /** The entries of changed owners: their new entries by bucket and owner, and buckets their old ones were in. */
    private record Patch<K, V>(Set<Object> changedOwners, Map<K, LinkedHashMap<Object, List<V>>> fresh, Set<K> affected,
                               Function<V, Object> owner) {
    }

    private Buckets(Map<K, List<V>> base, Patch<K, V> patch) {
        this.base = base;
        this.patch = patch;
    }

    static <K, V> Buckets<K, V> of(Map<K, List<V>> built) {
        return new Buckets<>(built, null);
    }

    List<V> get(K key) {
        if (patch != null && patch.affected().contains(key)) {
            return touched.computeIfAbsent(key, this::merge);
        }
        return base.getOrDefault(key, Collections.emptyList());
    }

    boolean has(K key) {
        return !get(key).isEmpty();
    }

    /** Keys with at least one entry. */
    Set<K> keys() {
        if (patch == null) {
            return Collections.unmodifiableSet(base.keySet());
        }
        Set<K> k = keys;
        if (k == null) {
            k = new HashSet<>(base.keySet());
            for (K key : patch.affected()) {
                if (get(key).isEmpty()) {
                    k.remove(key);
                } else {
                    k.add(key);
                }
            }
            keys = k = Collections.unmodifiableSet(k);
        }
        return k;
    }

    boolean isEmpty() {
        return keys().isEmpty();
    }

    void forEach(BiConsumer<K, List<V>> action) {
        for (K k : keys()) {
            action.accept(k, get(k));
        }
    }

    /**
     * This map's base with the entries of {@code changedOwners} replaced: in each touched bucket an owner's
     * new entries take the place of its first old one (so order is kept for edits), entries of removed
     * owners go, and entries of owners new to the bucket are appended. O(changes): a touched bucket is
     * recomputed when first read.
     *
     * @param fresh new entries by bucket, then owner (owners absent from it have no entries any more)
     * @param stale buckets where the old versions of changed owners had entries
     */
    Buckets<K, V> derive(Set<Object> changedOwners, Map<K, LinkedHashMap<Object, List<V>>> fresh, Set<K> stale,
                         Function<V, Object> owner) {
        Set<K> affected = new HashSet<>(stale);
        affected.addAll(fresh.keySet());
        return new Buckets<>(base, new Patch<>(changedOwners, fresh, affected, owner));
    }

    private List<V> merge(K key) {
        Map<Object, List<V>> mine = patch.fresh().getOrDefault(key, new LinkedHashMap<>());
        List<V> old = base.getOrDefault(key, Collections.emptyList());
        List<V> next = new ArrayList<>(old.size() + 1);
        Set<Object> placed = new HashSet<>();
        for (V v : old) {
            Object o = patch.owner().apply(v);
            if (o == null || !patch.changedOwners().contains(o)) {
                next.add(v);
            } else if (placed.add(o)) {
                next.addAll(mine.getOrDefault(o, Collections.emptyList()));
            }
        }
        for (Map.Entry<Object, List<V>> e : mine.entrySet()) {
            if (!placed.contains(e.getKey())) {
                next.addAll(e.getValue());
            }
        }
        return Collections.unmodifiableList(next);
    }
}
