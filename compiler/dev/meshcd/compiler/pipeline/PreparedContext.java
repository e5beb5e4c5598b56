package dev.meshcd.compiler.pipeline;

import dev.meshcd.compiler.context.ContextOrigin;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link MeshContext} ready to join a snapshot: its objects marked as context ({@link ContextOrigin}), one per
 * key (the first wins), sorted by key, so merging it with the repository's sorted resources is one linear pass.
 * Built once per context, not per compile.
 */
final class PreparedContext {
    static final PreparedContext NONE = new PreparedContext(MeshContext.NONE);

    final MeshContext context;
    private final List<Resource> sorted;
    private final Map<ResourceKey, Resource> byKey;

    PreparedContext(MeshContext context) {
        this.context = context;
        Map<ResourceKey, Resource> keyed = new HashMap<>(context.resources().size() * 2);
        for (Resource r : context.resources()) {
            keyed.putIfAbsent(r.key(), ContextOrigin.mark(r, context.source()));
        }
        List<Resource> list = new ArrayList<>(keyed.values());
        list.sort(Comparator.comparing(Resource::key));
        this.sorted = List.copyOf(list);
        this.byKey = keyed;
    }

    boolean isEmpty() {
        return sorted.isEmpty();
    }

    Resource get(ResourceKey key) {
        return byKey.get(key);
    }

    /** The repository's resources (sorted by key) with the context objects no repository object shadows, by key. */
    List<Resource> merge(List<Resource> repository) {
        if (sorted.isEmpty()) {
            return repository;
        }
        List<Resource> out = new ArrayList<>(repository.size() + sorted.size());
        int i = 0;
        int j = 0;
        while (i < repository.size() || j < sorted.size()) {
            if (j == sorted.size()) {
                out.add(repository.get(i++));
            } else if (i == repository.size()) {
                out.add(sorted.get(j++));
            } else {
                int c = repository.get(i).key().compareTo(sorted.get(j).key());
                if (c <= 0) {
                    out.add(repository.get(i++));
                    if (c == 0) {
                        j++; // the repository's object wins over the context's
                    }
                } else {
                    out.add(sorted.get(j++));
                }
            }
        }
        return out;
    }
}
