package dev.meshcd.kube;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.compiler.lower.PolicyKinds;

/**
 * The labels and annotations meshcd writes on the objects it applies from Git, and reads back: the contract
 * between sync (which writes them, and prunes and skips by them) and admission (whose ownership guard lets
 * only the sync identity change an object carrying them). Defined once, here, so the two cannot drift apart;
 * the label and the source annotation are the compiler's, which writes them on what it lowers and on what
 * {@code compile} outputs ({@code IstioOutput.appliedBody}).
 */
public final class Ownership {
    /** Label: who manages the object; {@link #MANAGER} on everything synced from Git. */
    public static final String MANAGED_BY = PolicyKinds.MANAGED_BY_LABEL;
    /** The {@link #MANAGED_BY} value of objects synced from Git. */
    public static final String MANAGER = PolicyKinds.MANAGED_BY_VALUE;
    /** Annotation: the commit the object was last applied from. */
    public static final String COMMIT = "meshcd.dev/commit";
    /** Annotation: {@code file#Lline} of the object's document in the repository. */
    public static final String SOURCE = PolicyKinds.SOURCE_ANNOTATION;
    /** Annotation: the sync name (repository) that owns the object; prune only touches its own. */
    public static final String REPO = "meshcd.dev/repo";
    /** Annotation: SHA-256 of the applied content (all but the commit annotation): unchanged objects are not re-applied. */
    public static final String CONTENT_HASH = "meshcd.dev/content-hash";
    /**
     * Annotation: lets someone other than the sync identity change or delete a managed object in an emergency
     * (audited); its value is the reason.
     */
    public static final String BREAK_GLASS = "meshcd.dev/break-glass";
    /** Field manager of meshcd's server-side applies. */
    public static final String FIELD_MANAGER = "meshcd";

    private Ownership() {
    }

    /** The label selector of everything synced from Git: {@code app.kubernetes.io/managed-by=meshcd}. */
    public static String selector() {
        return MANAGED_BY + "=" + MANAGER;
    }

    /** Whether an object (a Kubernetes JSON object) carries the label of objects synced from Git. */
    public static boolean managed(JsonNode object) {
        return object != null && MANAGER.equals(object.path("metadata").path("labels").path(MANAGED_BY).asText(null));
    }

    /** A string annotation of an object, or null when absent or not a string. */
    public static String annotation(JsonNode object, String name) {
        JsonNode v = object == null ? null : object.path("metadata").path("annotations").get(name);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
