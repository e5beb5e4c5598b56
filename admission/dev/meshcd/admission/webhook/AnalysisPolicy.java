package dev.meshcd.admission.webhook;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import java.util.function.Predicate;

/**
 * Which cross-resource findings deny an admission request. The cluster fills up in whatever order
 * kubectl, Helm or the sync loop apply objects, so most analyzer errors (a destination Service not
 * created yet, a subset whose pods are still rolling out, two VirtualServices for one host) would
 * deny legitimate, temporarily inconsistent states: those are returned as warnings. What denies is
 * what cannot become right by applying the rest: a route to a subset that the host's existing
 * DestinationRule does not define. Per-resource validation errors always deny.
 */
public record AnalysisPolicy(Predicate<Diagnostic> denies) {
    /** IST0101 on a destination subset: the DestinationRule exists and lacks the subset. */
    public static final AnalysisPolicy STANDARD = new AnalysisPolicy(
            d -> d.code().equals("IST0101") && d.path().endsWith(".subset"));

    /** The finding as admission reports it: an error only where the policy denies, otherwise a warning. */
    public Diagnostic apply(Diagnostic d) {
        return d.isError() && !denies.test(d) ? d.withSeverity(Severity.WARNING) : d;
    }
}
