package dev.meshcd.sync;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Only one meshcd replica syncs: leader election on the Lease {@code meshcd-sync-leader-<sync name>} in
 * meshcd's namespace, next to the sync's record (one Lease per sync, so two syncs in a cluster do not
 * compete). The leader runs {@code onLead}; losing the lease runs {@code onLose}.
 */
public final class LeaderElection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
    private static final String LEASE_PREFIX = "meshcd-sync-leader-";

    private final KubernetesClient client;
    private final String namespace;
    private final LeaderElector elector;
    private CompletableFuture<?> running;

    /** The Lease a sync's replicas compete for. */
    public static String leaseName(String syncName) {
        return LEASE_PREFIX + syncName;
    }

    public LeaderElection(KubernetesClient client, String namespace, String syncName, String identity,
                          Duration leaseDuration, Runnable onLead, Runnable onLose) {
        this.client = client;
        this.namespace = namespace;
        Duration renew = leaseDuration.multipliedBy(2).dividedBy(3);
        Duration retry = leaseDuration.dividedBy(5);
        this.elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName(syncName))
                .withLock(new LeaseLock(namespace, leaseName(syncName), identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(renew)
                .withRetryPeriod(retry)
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    LOG.info("{} leads syncing", identity);
                    onLead.run();
                }, () -> {
                    LOG.info("{} stopped leading", identity);
                    onLose.run();
                }, leader -> LOG.info("sync leader is {}", leader)))
                .build()).build();
    }

    public synchronized void start() {
        if (running == null) {
            dev.meshcd.sync.apply.SyncStateStore.ensureNamespace(client, namespace);
            running = elector.start();
        }
    }

    @Override
    public synchronized void close() {
        if (running != null) {
            running.cancel(true);
            running = null;
        }
    }
}
