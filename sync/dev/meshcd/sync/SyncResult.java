package dev.meshcd.sync;

import dev.meshcd.sync.drift.Drift;
import java.util.List;

/**
 * The outcome of one reconciliation.
 *
 * @param commit   the head commit seen, or null when Git could not be reached
 * @param phase    how far it got
 * @param message  one-line summary (the sync status description)
 * @param drift    drifted fields found after the sync (before self-heal)
 */
public record SyncResult(String commit, Phase phase, String message, int applied, int pruned, int unchanged,
                         List<Drift> drift) {
    public enum Phase {
        /** Git fetch failed. */
        FETCH_FAILED,
        /** Signed commits are required and the head commit is unsigned or not signed by a trusted key; nothing applied. */
        UNTRUSTED,
        /** The commit does not compile; nothing applied. */
        COMPILE_FAILED,
        /** Applying failed part-way; the recorded commit stays the last good one. */
        APPLY_FAILED,
        /** Applied (or nothing to do) and recorded. */
        SYNCED,
        /** The commit was already applied; only drift was checked. */
        UP_TO_DATE
    }

    public boolean ok() {
        return phase == Phase.SYNCED || phase == Phase.UP_TO_DATE;
    }
}
