package dev.meshcd.sync.review;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull-request reviews beside the sync loop, on threads of their own: at most {@code workers} run at once, at most
 * {@code capacity} pull requests wait, and a pull request waits once: a newer push replaces the event still waiting
 * (the newest push wins; a superseded head is never reviewed). Reviews of one pull request never overlap: one that
 * arrives during its review runs after it.
 */
public final class ReviewQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReviewQueue.class);

    /** What {@link #submit} did with an event. */
    public enum Admission {
        /** waiting for a worker */
        QUEUED,
        /** replaced the older event of the same pull request, which had not started */
        SUPERSEDED,
        /** too many pull requests wait: try later (HTTP 429) */
        FULL,
        /** shutting down (HTTP 503) */
        CLOSED
    }

    private final Consumer<PullRequestEvent> review;
    private final int capacity;
    private final ExecutorService workers;
    private final Map<String, PullRequestEvent> waiting = new LinkedHashMap<>();
    private final Set<String> active = new HashSet<>();
    private boolean closed;

    /**
     * @param workers  reviews running at once
     * @param capacity pull requests waiting at most
     * @param review   runs one review (exceptions are logged, not propagated)
     */
    public ReviewQueue(int workers, int capacity, Consumer<PullRequestEvent> review) {
        if (workers < 1 || capacity < 1) {
            throw new IllegalArgumentException("reviews need at least one worker and one waiting place");
        }
        this.review = review;
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "meshcd-review-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public synchronized Admission submit(PullRequestEvent event) {
        if (closed) {
            return Admission.CLOSED;
        }
        String key = event.key();
        if (waiting.containsKey(key)) {
            waiting.put(key, event);
            LOG.info("review {}: {} supersedes the waiting head", key, event.headSha());
            return Admission.SUPERSEDED;
        }
        if (waiting.size() >= capacity) {
            LOG.warn("review {}: refused, {} pull requests already wait", key, waiting.size());
            return Admission.FULL;
        }
        waiting.put(key, event);
        if (active.add(key)) {
            workers.execute(() -> drain(key));
        }
        return Admission.QUEUED;
    }

    /** Reviews the pull request's waiting event, then any that arrived meanwhile, until none waits. */
    private void drain(String key) {
        while (true) {
            PullRequestEvent next;
            synchronized (this) {
                next = closed ? null : waiting.remove(key);
                if (next == null) {
                    active.remove(key);
                    return;
                }
            }
            try {
                review.accept(next);
            } catch (RuntimeException e) {
                LOG.error("review {}: unexpected failure", key, e);
            }
        }
    }

    /** Pull requests waiting (not counting those under review). */
    public synchronized int waiting() {
        return waiting.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            waiting.clear();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
