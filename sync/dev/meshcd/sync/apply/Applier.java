package dev.meshcd.sync.apply;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.plan.DesiredObject;
import dev.meshcd.sync.plan.Plan;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes a {@link Plan} with server-side apply (field manager {@code meshcd}), wave by wave, with at
 * most {@code parallelism} requests in flight. Transient failures (API server unreachable, 429, 5xx, a
 * conflict when not forcing) are retried with exponential backoff; permanent ones (invalid object,
 * admission webhook denial) are not. A wave with a failure stops the plan: later waves (which depend on
 * it) and pruning are not attempted, and the outcome is never reported as success.
 */
public final class Applier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    /** One object that could not be applied or deleted. */
    public record Failure(ResourceKey key, String action, int code, String message) {
        @Override
        public String toString() {
            return action + " " + key.display() + ": " + (code > 0 ? code + " " : "") + message;
        }
    }

    /**
     * What an execution did.
     *
     * @param live the applied objects as the API server answered (after admission), for drift checks
     */
    public record Outcome(List<ResourceKey> applied, List<ResourceKey> pruned, List<Failure> failures, int attempts,
                          Map<ResourceKey, ObjectNode> live) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final KubeObjects kube;
    private final boolean forceConflicts;
    private final int maxAttempts;
    private final Duration backoff;
    private final ExecutorService pool;

    public Applier(KubeObjects kube, int parallelism, boolean forceConflicts, int maxAttempts, Duration backoff) {
        this.kube = kube;
        this.forceConflicts = forceConflicts;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.backoff = backoff;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, parallelism), r -> {
            Thread t = new Thread(r, "meshcd-apply-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public Outcome execute(Plan plan, boolean prune) {
        List<ResourceKey> applied = java.util.Collections.synchronizedList(new ArrayList<>());
        List<ResourceKey> pruned = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger attempts = new AtomicInteger();
        Map<ResourceKey, ObjectNode> live = new ConcurrentHashMap<>();
        for (List<DesiredObject> wave : plan.applyWaves()) {
            if (!runWave(wave, "apply", DesiredObject::key, d -> live.put(d.key(), apply(d)), applied, failures,
                    attempts)) {
                return new Outcome(List.copyOf(applied), List.of(), List.copyOf(failures), attempts.get(), live);
            }
        }
        if (prune) {
            for (List<Plan.LiveObject> wave : plan.pruneWaves()) {
                if (!runWave(wave, "delete", Plan.LiveObject::key, this::delete, pruned, failures, attempts)) {
                    break;
                }
            }
        }
        return new Outcome(List.copyOf(applied), List.copyOf(pruned), List.copyOf(failures), attempts.get(), live);
    }

    /**
     * Runs one wave on the pool; false when any item failed. Once an item has failed for good with the API
     * server unreachable (a transport failure after all retries), the items not yet started are not attempted (each would
     * only wait out its own retries): they are reported as failures right away.
     */
    private <T> boolean runWave(List<T> wave, String action, java.util.function.Function<T, ResourceKey> key,
                                java.util.function.Consumer<T> op, List<ResourceKey> done, List<Failure> failures,
                                AtomicInteger attempts) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean unreachable = new java.util.concurrent.atomic.AtomicBoolean();
        for (T item : wave) {
            futures.add(CompletableFuture.runAsync(() -> {
                if (unreachable.get()) {
                    failures.add(new Failure(key.apply(item), action, 0, "not attempted: API server unreachable"));
                    return;
                }
                Failure f = withRetry(action, key.apply(item), attempts, () -> op.accept(item));
                if (f == null) {
                    done.add(key.apply(item));
                } else {
                    failures.add(f); // first, so the first failure reported is the real one
                    unreachable.compareAndSet(false, f.code() < 0); // a transport failure (fabric8: -1)
                }
            }, pool));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        return failures.isEmpty();
    }

    /**
     * Server-side apply of one object (also used by self-heal, always forcing conflicts then); returns
     * the live object as the API server answered.
     */
    public ObjectNode apply(DesiredObject d) {
        return apply(d, forceConflicts);
    }

    public ObjectNode apply(DesiredObject d, boolean force) {
        return kube.serverSideApply(d.key(), d.apiVersion(), d.body(), Ownership.FIELD_MANAGER, force);
    }

    private void delete(Plan.LiveObject l) {
        kube.delete(l.key(), l.apiVersion());
    }

    private Failure withRetry(String action, ResourceKey key, AtomicInteger attempts, Runnable op) {
        long delay = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            attempts.incrementAndGet();
            try {
                op.run();
                return null;
            } catch (KubernetesClientException e) {
                int code = e.getCode();
                String msg = message(e);
                if (!retriable(code) || attempt >= maxAttempts) {
                    LOG.warn("{} {} failed after {} attempt(s): {}", action, key.display(), attempt, msg);
                    return new Failure(key, action, code, msg);
                }
                LOG.info("{} {}: {} (attempt {}/{}), retrying in {} ms", action, key.display(), msg, attempt,
                        maxAttempts, delay);
            } catch (RuntimeException e) {
                if (attempt >= maxAttempts) {
                    return new Failure(key, action, 0, String.valueOf(e.getMessage()));
                }
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return new Failure(key, action, 0, "interrupted");
            }
            delay = Math.min(delay * 2, 30_000);
        }
    }

    /**
     * A code of 0 or below is a transport failure (API server unreachable; fabric8 7 reports -1); 409 only without
     * forcing (a conflict with another manager is retried once forced elsewhere).
     */
    boolean retriable(int code) {
        return code <= 0 || code == 429 || code >= 500 || (code == 409 && !forceConflicts) || code == 408;
    }

    static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        String m = e.getMessage();
        Throwable c = e.getCause();
        while (c != null && c.getCause() != null && c.getCause() != c) {
            c = c.getCause(); // the root cause says what happened (ConnectException: Connection refused)
        }
        if (c != null) {
            m = m + ": " + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
        }
        return m;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
