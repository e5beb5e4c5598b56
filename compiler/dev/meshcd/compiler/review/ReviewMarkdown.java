package dev.meshcd.compiler.review;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diff.DiffReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ReviewReport} as the pull-request comment. The comment never exceeds its size limit: the verdict
 * and a one-line summary come first and always fit; each section then gets a share of what is left, in order of
 * importance (findings introduced, fixed, the dry run, resources, routing in words, the flowchart, the YAML diffs),
 * shows as many entries as fit and says how many it left out; room a section does not use goes to the next
 * truncated one.
 */
final class ReviewMarkdown {
    private static final String MORE = "_… and %d more not shown (the comment is limited to %,d characters;"
            + " `meshcd review` with `--max-chars 0` prints everything)._\n";
    /** The longest a single resource's YAML diff may be before it is cut (other resources still get shown). */
    private static final int MAX_DIFF_CHARS = 8_000;

    private ReviewMarkdown() {
    }

    /** A section: renders itself within a budget (characters), best effort. */
    private interface Section {
        String render(int budget);
    }

    static String render(ReviewReport r, int maxChars) {
        int max = maxChars <= 0 ? Integer.MAX_VALUE : maxChars;
        String head = ReviewReport.MARKER + "\n## meshcd review\n\n" + verdict(r) + "\n\n" + summary(r) + "\n";
        // display order; the budget is shared in priority order (the array index into it)
        List<Section> sections = List.of(
                b -> findings("Findings introduced", r.findings().introduced(), "No finding introduced.", b, max),
                b -> findings("Findings fixed", r.findings().fixed(), null, b, max),
                b -> dryRun(r, b, max),
                b -> resources(r.diff(), b, max),
                b -> routing(r.diff(), b, max),
                b -> mermaid(r.routes(), b, max),
                b -> diffs(r.diff(), b, max));
        double[] shares = {0.30, 0.10, 0.15, 0.10, 0.15, 0.15, 1.0};
        int remaining = max == Integer.MAX_VALUE ? max : Math.max(0, max - head.length() - sections.size());
        String[] out = new String[sections.size()];
        int total = remaining;
        for (int i = 0; i < out.length; i++) {
            int budget = total == Integer.MAX_VALUE ? total : (int) Math.min(remaining, Math.max(0, shares[i] * total));
            out[i] = sections.get(i).render(budget);
            remaining -= out[i].length();
        }
        // what the capped sections left goes to those that were cut, most important first
        for (int i = 0; i < out.length && remaining > 0 && total != Integer.MAX_VALUE; i++) {
            String again = sections.get(i).render(out[i].length() + remaining);
            if (again.length() > out[i].length()) {
                remaining -= again.length() - out[i].length();
                out[i] = again;
            }
        }
        StringBuilder b = new StringBuilder(head);
        for (String s : out) {
            if (!s.isEmpty()) {
                b.append('\n').append(s);
            }
        }
        // the separating newlines were reserved above; only a limit smaller than the verdict itself cuts here
        return b.length() <= max ? b.toString() : b.substring(0, max);
    }

    static String verdict(ReviewReport r) {
        ReviewReport.Counts h = r.head();
        String counts = count(h.errors(), "error") + ", " + count(h.warnings(), "warning") + ", " + h.infos()
                + " info in " + count(h.resources(), "resource") + " from " + count(h.files(), "file");
        String compiles = r.compiles() ? "✅ **HEAD compiles**: " + counts
                : "❌ **HEAD does not compile**: " + counts;
        String sync;
        if (!r.compiles()) {
            sync = "**would not sync** (the sync applies no commit with errors)";
        } else if (r.dryRun().isEmpty()) {
            sync = "**would sync** (no dry run against a cluster: `--kubeconfig`)";
        } else if (r.dryRun().get().error() != null) {
            sync = "**would sync** as far as meshcd can tell (the cluster could not be asked)";
        } else if (r.dryRun().get().accepted()) {
            sync = "**would sync**: the API server accepts every changed object";
        } else {
            long n = r.dryRun().get().objects().stream().filter(o -> o.outcome() == DryRun.Outcome.REJECTED).count();
            sync = "**would not sync**: the API server rejects " + count(n, "object");
        }
        return compiles + "; " + sync + ".";
    }

    static String summary(ReviewReport r) {
        long added = r.diff().resources().stream().filter(c -> c.change() == DiffReport.Change.ADDED).count();
        long removed = r.diff().resources().stream().filter(c -> c.change() == DiffReport.Change.REMOVED).count();
        long changed = r.diff().resources().size() - added - removed;
        return "**Summary:** " + count(r.findings().introduced().size(), "finding") + " introduced, "
                + number(r.findings().fixed().size()) + " fixed · Istio resources: " + number(added) + " added, "
                + number(removed) + " removed, " + number(changed) + " changed · routing changes on " + count(r.diff().proxies().size(), "proxy")
                + " · " + count(r.routes().size(), "changed route") + " (BASE: " + count(r.base().errors(), "error")
                + ", " + count(r.base().warnings(), "warning") + ")";
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String count(long n, String noun) {
        String plural = noun.endsWith("y") ? noun.substring(0, noun.length() - 1) + "ies" : noun + "s";
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? noun : plural);
    }

    // ------------------------------------------------------------------ sections

    /** A list section: its heading, as many items as fit in the budget, and a note saying how many did not. */
    private static String list(String heading, List<String> items, String trailer, int budget, int max) {
        StringBuilder b = new StringBuilder(heading);
        String note = String.format(Locale.ROOT, MORE, items.size(), max);
        if (b.length() + note.length() > budget) {
            return "";
        }
        int shown = 0;
        for (String item : items) {
            if (b.length() + item.length() + trailer.length() + note.length() > budget) {
                break;
            }
            b.append(item);
            shown++;
        }
        b.append(trailer);
        if (shown < items.size()) {
            b.append(String.format(Locale.ROOT, MORE, items.size() - shown, max));
        }
        return b.toString();
    }

    private static String findings(String title, List<Diagnostic> ds, String none, int budget, int max) {
        if (ds.isEmpty()) {
            return none == null ? "" : "### " + title + "\n\n" + none + "\n";
        }
        List<String> rows = new ArrayList<>();
        for (Diagnostic d : ds) {
            String where = d.location().file().isEmpty() ? "" : Markdown.code(d.location().file()
                    + (d.location().hasPosition() ? ":" + d.location().line() + ":" + d.location().column() : ""));
            rows.add("| " + d.severity().name().toLowerCase(Locale.ROOT) + " | " + d.code() + " | " + where + " | "
                    + Markdown.code(d.resource()) + " | " + Markdown.text(d.message())
                    + (d.path().isEmpty() ? "" : " (" + Markdown.code(d.path()) + ")") + " |\n");
        }
        return list("### " + title + " (" + number(ds.size()) + ")\n\n| severity | code | where | resource | finding |\n"
                + "| --- | --- | --- | --- | --- |\n", rows, "", budget, max);
    }

    private static String dryRun(ReviewReport r, int budget, int max) {
        if (r.dryRun().isEmpty()) {
            return "";
        }
        DryRun d = r.dryRun().get();
        String heading = "### Dry run on the cluster (" + Markdown.code(d.cluster()) + ")\n\n";
        if (d.error() != null) {
            String s = heading + "Not run: " + Markdown.text(d.error()) + "\n";
            return s.length() <= budget ? s : "";
        }
        List<String> rows = new ArrayList<>();
        for (DryRun.ObjectResult o : d.objects()) {
            String detail = switch (o.outcome()) {
                case REJECTED -> Markdown.text(o.message() == null ? "" : o.message());
                case CHANGED -> String.join(", ", o.fields().stream().map(Markdown::code).toList());
                default -> "";
            };
            rows.add("| " + Markdown.code(o.resource()) + " | " + o.outcome().name().toLowerCase(Locale.ROOT) + " | "
                    + detail + " |\n");
        }
        for (String p : d.pruned()) {
            rows.add("| " + Markdown.code(p) + " | pruned | no longer in the repository |\n");
        }
        if (rows.isEmpty()) {
            String s = heading + "Nothing to apply or prune.\n";
            return s.length() <= budget ? s : "";
        }
        return list(heading + "| object | on the cluster | fields that change, or why it is rejected |\n"
                + "| --- | --- | --- |\n", rows, "", budget, max);
    }

    private static String resources(DiffReport diff, int budget, int max) {
        if (diff.resources().isEmpty()) {
            return "### Istio resources\n\nNo Istio resource changed.\n";
        }
        List<String> rows = new ArrayList<>();
        for (DiffReport.ResourceChange c : diff.resources()) {
            rows.add("| " + c.change().name().toLowerCase(Locale.ROOT) + " | " + Markdown.code(c.resource()) + " | "
                    + Markdown.code(c.path()) + " |\n");
        }
        return list("### Istio resources (" + number(rows.size()) + ")\n\n| change | resource | output path |\n"
                + "| --- | --- | --- |\n", rows, "", budget, max);
    }

    /**
     * Per proxy, in words. Each line names its proxy first ("shop/frontend → cart: ..."); proxies whose lines are
     * the same but for that name are listed together, once (a VirtualService change reaches every sidecar).
     */
    private static String routing(DiffReport diff, int budget, int max) {
        if (diff.proxies().isEmpty()) {
            return "### Effective routing\n\nNo proxy's routing changed.\n";
        }
        Map<List<String>, List<String>> byChanges = new LinkedHashMap<>();
        diff.proxies().forEach((proxy, lines) -> byChanges.computeIfAbsent(
                lines.stream().map(l -> l.startsWith(proxy + " ") ? l.substring(proxy.length() + 1) : l).toList(),
                k -> new ArrayList<>()).add(proxy));
        List<String> items = new ArrayList<>();
        byChanges.forEach((lines, proxies) -> {
            StringBuilder b = new StringBuilder("**");
            int shown = Math.min(5, proxies.size());
            b.append(String.join(", ", proxies.subList(0, shown).stream().map(Markdown::text).toList()));
            b.append("**");
            if (proxies.size() > shown) {
                b.append(" and ").append(count(proxies.size() - shown, "other proxy")).append(" alike");
            }
            b.append("\n\n");
            lines.forEach(l -> b.append("- ").append(Markdown.text(l)).append('\n'));
            items.add(b.append('\n').toString());
        });
        return list("### Effective routing (" + count(diff.proxies().size(), "proxy") + ")\n\n", items, "", budget,
                max);
    }

    /**
     * Mermaid's own defaults (maxTextSize 50,000 characters, maxEdges 500), which GitHub and GitLab keep: a larger
     * chart renders as an error box instead of a diagram, so fewer routes are drawn.
     */
    static final int MERMAID_MAX_TEXT = 50_000;
    static final int MERMAID_MAX_EDGES = 500;

    private static String mermaid(List<RouteChange> routes, int budget, int max) {
        if (routes.isEmpty()) {
            return "";
        }
        String heading = "### Changed routes\n\nDotted: before only; thick: after only; solid: both, before → after.\n\n";
        for (int n = routes.size(); n > 0; n = n > 8 ? n * 3 / 4 : n - 1) {
            String note = n == routes.size() ? "" : String.format(Locale.ROOT,
                    "_… and %d more changed routes not drawn (the comment is limited to %,d characters)._\n",
                    routes.size() - n, max);
            String chart = Mermaid.flowchart(routes.subList(0, n));
            String s = heading + Markdown.fence("mermaid", chart) + note;
            if (s.length() <= budget && chart.length() <= MERMAID_MAX_TEXT && Mermaid.edges(chart) <= MERMAID_MAX_EDGES) {
                return s;
            }
        }
        return "";
    }

    private static String diffs(DiffReport diff, int budget, int max) {
        List<String> items = new ArrayList<>();
        for (DiffReport.ResourceChange c : diff.resources()) {
            if (c.change() != DiffReport.Change.CHANGED || c.diff() == null) {
                continue;
            }
            String text = c.diff();
            if (text.length() > MAX_DIFF_CHARS) {
                int cut = text.lastIndexOf('\n', MAX_DIFF_CHARS);
                text = text.substring(0, cut < 0 ? MAX_DIFF_CHARS : cut + 1) + "… (diff truncated)\n";
            }
            items.add("<details><summary>" + Markdown.text(c.resource()) + "</summary>\n\n"
                    + Markdown.fence("diff", text) + "\n</details>\n\n");
        }
        if (items.isEmpty()) {
            return "";
        }
        return list("### Changes to the YAML\n\n", items, "", budget, max);
    }
}
