package dev.meshcd.compiler.review;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diff.DiffReport;
import dev.meshcd.compiler.model.ResourceKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The review of a change (BASE to HEAD) as a value: what a pull-request comment says. Rendered by
 * {@link #markdown(int)}; built by {@link Review}.
 *
 * @param base        BASE's counts
 * @param head        HEAD's counts
 * @param findings    findings HEAD introduces and fixes, compared by code, resource and field path
 * @param diff        Istio resources added, removed and changed, and per proxy the routing change in words
 * @param routes      the routes whose targets or weights changed, per group of callers (the flowchart)
 * @param applied     HEAD's Istio resources that are new or changed (what a sync would apply)
 * @param removed     BASE's Istio resources HEAD no longer has (what a sync would prune)
 * @param dryRun      what the live cluster said of HEAD's changes, when it was asked
 */
public record ReviewReport(Counts base, Counts head, DiagnosticDelta findings, DiffReport diff,
                           List<RouteChange> routes, List<ResourceKey> applied, List<ResourceKey> removed,
                           Optional<DryRun> dryRun) {

    /** The hidden first line a poster finds its own comment by (to edit it in place on the next push). */
    public static final String MARKER = "<!-- meshcd-review -->";

    /** The largest comment GitHub, GitLab and Gitea all accept is 65,536 characters; this leaves room to spare. */
    public static final int DEFAULT_MAX_CHARS = 65_000;

    /** One side's totals, as check's summary line counts them. */
    public record Counts(long errors, long warnings, long infos, int resources, int files) {
        public static Counts of(List<Diagnostic> diagnostics, int resources, int files) {
            long e = 0;
            long w = 0;
            long i = 0;
            for (Diagnostic d : diagnostics) {
                switch (d.severity()) {
                    case ERROR -> e++;
                    case WARNING -> w++;
                    case INFO -> i++;
                }
            }
            return new Counts(e, w, i, resources, files);
        }
    }

    public ReviewReport {
        Objects.requireNonNull(base);
        Objects.requireNonNull(head);
        Objects.requireNonNull(findings);
        Objects.requireNonNull(diff);
        routes = List.copyOf(routes);
        applied = List.copyOf(applied);
        removed = List.copyOf(removed);
        Objects.requireNonNull(dryRun);
    }

    /** Whether HEAD compiles (no error). */
    public boolean compiles() {
        return head.errors() == 0;
    }

    /**
     * Whether a sync would apply HEAD: it compiles, and the cluster accepted it when a dry run was made (without
     * one, the sync's own gate, compiling, is all that is known).
     */
    public boolean wouldSync() {
        return compiles() && dryRun.map(DryRun::accepted).orElse(true);
    }

    /** The same review with the live cluster's answer added. */
    public ReviewReport withDryRun(DryRun run) {
        return new ReviewReport(base, head, findings, diff, routes, applied, removed, Optional.of(run));
    }

    /** The comment, at most {@code maxChars} characters: sections summarised, then truncated with a note. */
    public String markdown(int maxChars) {
        return ReviewMarkdown.render(this, maxChars);
    }

    /** The comment within {@link #DEFAULT_MAX_CHARS}. */
    public String markdown() {
        return markdown(DEFAULT_MAX_CHARS);
    }

    /** The flowchart of the changed routes (Mermaid source), or "" when no route changed. */
    public String mermaid() {
        return routes.isEmpty() ? "" : Mermaid.flowchart(routes);
    }
}
