package dev.meshcd.admission.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VersionedResourcesTest {

    static Resource service(int i) {
        return new Resource("v1", new ResourceKey("", "Service", "shop", "svc-" + i),
                JsonNodeFactory.instance.objectNode(), Origin.NONE);
    }

    @Test
    void listFollowsChangesAndIsReusedBetweenThem() {
        VersionedResources store = new VersionedResources();
        assertThat(store.resources()).isEmpty();
        store.put(service(1));
        store.put(service(2));
        List<Resource> two = store.resources();
        assertThat(two).extracting(r -> r.key().name()).containsExactlyInAnyOrder("svc-1", "svc-2");
        assertThat(store.resources()).as("no change, no copy").isSameAs(two);
        store.remove(service(1).key());
        assertThat(store.resources()).extracting(r -> r.key().name()).containsExactly("svc-2");
        assertThat(store.version()).isEqualTo(3);
    }

    @Test
    void changesSinceNamesEachChangedKeyWithItsResourceNow() {
        VersionedResources store = new VersionedResources();
        store.put(service(1));
        long v = store.version();
        store.put(service(2));
        store.remove(service(1).key());
        assertThat(store.changesSince(v)).containsOnlyKeys(service(1).key(), service(2).key())
                .containsEntry(service(1).key(), null);
        assertThat(store.changesSince(store.version())).isEmpty();
    }

    /**
     * Readers racing a writer and each other: a list read after version v holds every resource put up to v.
     * (A reader that found another one mid-copy used to take the list from before it.)
     */
    @Test
    void aListIsNeverOlderThanTheVersionReadBeforeIt() throws Exception {
        VersionedResources store = new VersionedResources();
        int writes = 5_000;
        int readers = 3;
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> stale = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                stale.add(pool.submit(() -> {
                    start.await();
                    long staleReads = 0;
                    while (store.version() < writes) {
                        long v = store.version(); // only puts of new keys: v resources exist at version v
                        if (store.resources().size() < v) {
                            staleReads++;
                        }
                    }
                    return staleReads;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                start.await();
                for (int i = 0; i < writes; i++) {
                    store.put(service(i));
                }
                return null;
            });
            start.countDown();
            writer.get(60, TimeUnit.SECONDS);
            for (Future<Long> f : stale) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("reads older than their version").isZero();
            }
            assertThat(store.resources()).hasSize(writes);
        } finally {
            pool.shutdownNow();
        }
    }
}
