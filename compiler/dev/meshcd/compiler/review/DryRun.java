package dev.meshcd.compiler.review;

import java.util.List;
import java.util.Objects;

/**
 * What applying HEAD would do to a live cluster, found by a server-side dry run (the shell runs it; this is the
 * value the review renders): per changed object whether the API server (and its admission webhooks) accepts it
 * and which fields of the live object would change, and what the sync would prune.
 *
 * @param cluster  the cluster it ran against, as the user named it (kubeconfig context or server), for the reader
 * @param objects  one entry per object of HEAD that was dry-run applied
 * @param pruned   objects the sync owns that HEAD no longer has ("Kind namespace/name")
 * @param error    why the dry run could not run at all (the cluster unreachable), or null
 */
public record DryRun(String cluster, List<ObjectResult> objects, List<String> pruned, String error) {

    public enum Outcome { CREATED, CHANGED, UNCHANGED, REJECTED }

    /**
     * @param resource "Kind namespace/name"
     * @param fields   field paths whose live value would change (CHANGED), empty otherwise
     * @param message  the API server's or webhook's refusal (REJECTED), else null
     */
    public record ObjectResult(String resource, Outcome outcome, List<String> fields, String message) {
        public ObjectResult {
            Objects.requireNonNull(resource);
            Objects.requireNonNull(outcome);
            fields = List.copyOf(fields);
        }
    }

    public DryRun {
        Objects.requireNonNull(cluster);
        objects = List.copyOf(objects);
        pruned = List.copyOf(pruned);
    }

    /** A dry run that could not run (the reason is shown in the review; the verdict does not claim acceptance). */
    public static DryRun failed(String cluster, String error) {
        return new DryRun(cluster, List.of(), List.of(), Objects.requireNonNull(error));
    }

    /** Whether the API server accepted every object (false when the dry run could not run). */
    public boolean accepted() {
        return error == null && objects.stream().noneMatch(o -> o.outcome() == Outcome.REJECTED);
    }
}
