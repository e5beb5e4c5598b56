package dev.meshcd.sync.status;

import java.util.Objects;

/**
 * One status of one commit, as forges show them next to the commit.
 *
 * @param sha         the full commit id
 * @param context     {@code meshcd/compile}, {@code meshcd/sync}, {@code meshcd/drift}, suffixed with the
 *                    cluster name when one is set: {@code meshcd/sync (prod-eu)}
 * @param description short text (forges cut it: GitHub allows 140 characters)
 * @param targetUrl   where the details are, or null
 */
public record CommitStatus(String sha, String context, State state, String description, String targetUrl) {
    /** GitHub's limit for descriptions; the shortest among the forges. */
    public static final int MAX_DESCRIPTION = 140;

    public enum State { PENDING, SUCCESS, FAILURE, ERROR }

    public CommitStatus {
        Objects.requireNonNull(sha, "sha");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(state, "state");
        description = shorten(description == null ? "" : description, MAX_DESCRIPTION);
    }

    static String shorten(String s, int max) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        if (oneLine.codePointCount(0, oneLine.length()) <= max) {
            return oneLine;
        }
        int end = oneLine.offsetByCodePoints(0, max - 1);
        return oneLine.substring(0, end) + "…";
    }

    public static String context(String base, String cluster) {
        return cluster == null || cluster.isBlank() ? base : base + " (" + cluster + ")";
    }

    public static final String COMPILE = "meshcd/compile";
    public static final String SYNC = "meshcd/sync";
    public static final String DRIFT = "meshcd/drift";
    /** The review of a pull request's head commit ({@code meshcd review --post}, pull-request events). */
    public static final String REVIEW = "meshcd/review";
}
