package dev.meshcd.sync.plan;

/** The labels and annotations meshcd puts on what it applies. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MESHCD = "meshcd";
    /** The commit the object was last applied from. */
    public static final String COMMIT = "meshcd.dev/commit";
    /** {@code file#Lline} of the object's document in the repository. */
    public static final String SOURCE = "meshcd.dev/source";
    /** The sync name (repository) that owns the object; prune only touches its own. */
    public static final String REPO = "meshcd.dev/repo";
    /** SHA-256 of the applied content (all but the commit annotation): unchanged objects are not re-applied. */
    public static final String CONTENT_HASH = "meshcd.dev/content-hash";
    /** Field manager for server-side apply. */
    public static final String FIELD_MANAGER = "meshcd";

    private Labels() {
    }
}
