package dev.meshcd.admission.cluster;

import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resources by key, written by informer threads and read by webhook requests: a list of all of them, copied
 * only after a change, and a version with a log of the last {@link #LOG_SIZE} changed keys, so a reader
 * holding an index built at an older version can derive the current one from what changed since.
 */
public final class VersionedResources {
    public static final int LOG_SIZE = 4096;

    private final Map<ResourceKey, Resource> byKey = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, ResourceKey> changeLog = new ConcurrentSkipListMap<>();
    private final AtomicLong version = new AtomicLong();
    private volatile Listed listed = new Listed(0, List.of());

    public void put(Resource r) {
        byKey.put(r.key(), r);
        changed(r.key());
    }

    public void remove(ResourceKey key) {
        byKey.remove(key);
        changed(key);
    }

    public int size() {
        return byKey.size();
    }

    /**
     * Every resource, in no particular order, including every change up to {@link #version()} read before; the
     * same list instance until the next change. The list is stamped with the version read before copying it,
     * so a reader never takes a list another thread is still copying for a newer one.
     */
    public List<Resource> resources() {
        Listed l = listed;
        if (l.version() == version.get()) {
            return l.resources();
        }
        synchronized (this) {
            long v = version.get(); // a change is in byKey before its version is published: the copy has it
            l = listed;
            if (l.version() != v) {
                l = new Listed(v, List.copyOf(byKey.values()));
                listed = l;
            }
            return l.resources();
        }
    }

    public long version() {
        return version.get();
    }

    /**
     * Keys changed after {@code since}, each with its resource now (null: removed); null when the log no
     * longer reaches back that far. Every change up to {@link #version()} read before is included.
     */
    public Map<ResourceKey, Resource> changesSince(long since) {
        if (since >= version.get()) {
            return Map.of();
        }
        Map.Entry<Long, ResourceKey> oldest = changeLog.firstEntry();
        if (oldest == null || oldest.getKey() > since + 1) {
            return null;
        }
        Map<ResourceKey, Resource> out = new HashMap<>();
        for (ResourceKey k : changeLog.tailMap(since, false).values()) {
            out.put(k, byKey.get(k));
        }
        return out;
    }

    /** The version is published only once the change is logged: whoever sees it finds every change up to it. */
    private void changed(ResourceKey key) {
        synchronized (changeLog) {
            long v = version.get() + 1;
            changeLog.put(v, key);
            while (changeLog.size() > LOG_SIZE) {
                changeLog.pollFirstEntry();
            }
            version.set(v);
        }
    }

    private record Listed(long version, List<Resource> resources) {
    }
}
