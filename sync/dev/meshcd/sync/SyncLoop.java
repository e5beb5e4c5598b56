package dev.meshcd.sync;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Reconciler} on its poll interval on one thread; {@link #trigger()} (a push webhook)
 * runs it now. Triggers that arrive while a run is queued are coalesced into it; triggers while the loop
 * is stopped (this replica is not the leader) are ignored. Start and stop may alternate, so the loop can
 * follow {@link LeaderElection}: {@code new LeaderElection(client, syncName, id, ttl, loop::start, loop::stop)}.
 */
public final class SyncLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncLoop.class);

    private final Reconciler reconciler;
    private final SyncOptions options;
    private final Consumer<SyncResult> listener;
    private ScheduledExecutorService executor;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile boolean running;

    public SyncLoop(Reconciler reconciler, SyncOptions options, Consumer<SyncResult> listener) {
        this.reconciler = reconciler;
        this.options = options;
        this.listener = listener == null ? r -> { } : listener;
    }

    /** A loop over a new {@link Reconciler} for the options: what {@code meshcd run} starts. */
    public static SyncLoop create(io.fabric8.kubernetes.client.KubernetesClient client, SyncOptions options,
                                  dev.meshcd.sync.status.StatusBackend statuses, Consumer<SyncResult> listener)
            throws java.io.IOException {
        return new SyncLoop(Reconciler.create(options, client, statuses), options, listener);
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    /** Starts polling (first run immediately). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshcd-sync-" + options.name());
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::runOnce, 0, options.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for an immediate sync (coalesced with one already queued). */
    public synchronized void trigger() {
        if (!running) {
            LOG.debug("sync {}: trigger ignored, loop not running", options.name());
            return;
        }
        if (queued.compareAndSet(false, true)) {
            executor.execute(() -> {
                queued.set(false);
                runOnce();
            });
        }
    }

    private void runOnce() {
        try {
            SyncResult r = reconciler.reconcile();
            LOG.debug("sync {}: {} {}", options.name(), r.phase(), r.message());
            listener.accept(r);
            if (reconciler.driftCheckDue()) {
                trigger(); // the full drift check of the commit just applied (and its meshcd/drift status), next
            }
        } catch (RuntimeException e) {
            LOG.error("sync {}: unexpected failure", options.name(), e);
        }
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops polling; a run in progress finishes. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
