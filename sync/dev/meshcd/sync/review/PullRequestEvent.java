package dev.meshcd.sync.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshcd.sync.webhook.PushWebhook;
import java.util.Locale;
import java.util.Set;

/**
 * A pull request (merge request) that got new commits, as a forge's webhook tells it.
 *
 * @param forge      who sent it
 * @param number     the pull request's number (GitLab: the merge request's IID)
 * @param action     the forge's action word (opened, synchronize, update, ...)
 * @param baseBranch the branch it would merge into
 * @param headSha    the head commit the event names
 * @param headRef    the ref the forge keeps the head under in the base repository ({@code refs/pull/N/head},
 *                   {@code refs/merge-requests/N/head})
 * @param forkUrl    the clone URL of the repository the head comes from when that is another one (a fork), else null;
 *                   as hostile as the rest of the payload
 * @param forkBranch the head's branch in the fork (with {@code forkUrl})
 */
public record PullRequestEvent(PushWebhook.Forge forge, long number, String action, String baseBranch, String headSha,
                               String headRef, String forkUrl, String forkBranch) {
    /** GitHub's actions that bring new code (Gitea and Forgejo say {@code synchronized}). */
    private static final Set<String> NEW_CODE = Set.of("opened", "reopened", "synchronize", "synchronized");
    private static final Set<String> GITLAB_NEW_CODE = Set.of("open", "reopen", "update");

    /** The key events of the same pull request share: a newer one supersedes an older one. */
    public String key() {
        return forge.name().toLowerCase(Locale.ROOT) + "#" + number;
    }

    /** Whether the forge event name is a pull-request event ({@code pull_request}, {@code Merge Request Hook}). */
    public static boolean isPullRequestEvent(String event) {
        String e = event == null ? "" : event.toLowerCase(Locale.ROOT);
        return e.equals("pull_request") || e.equals("merge request hook");
    }

    /**
     * The event in a verified payload, or null when it brings no new code to review (closed, labelled, a title
     * edit), or misses what a review needs.
     */
    public static PullRequestEvent parse(PushWebhook.Forge forge, JsonNode json) {
        if (json == null || !json.isObject()) {
            return null;
        }
        return switch (forge) {
            case GITHUB, GITEA -> {
                String action = json.path("action").asText("");
                JsonNode pr = json.path("pull_request");
                long number = json.path("number").asLong(pr.path("number").asLong(-1));
                if (!NEW_CODE.contains(action) || !"open".equals(pr.path("state").asText("open"))) {
                    yield null;
                }
                String fork = null;
                JsonNode headRepo = pr.path("head").path("repo");
                JsonNode baseRepo = pr.path("base").path("repo");
                if (headRepo.isObject() && headRepo.path("id").asLong(-1) != baseRepo.path("id").asLong(-2)) {
                    fork = text(headRepo.path("clone_url"));
                }
                yield of(forge, number, action, text(pr.path("base").path("ref")), text(pr.path("head").path("sha")),
                        "refs/pull/" + number + "/head", fork, text(pr.path("head").path("ref")));
            }
            case GITLAB -> {
                if (!"merge_request".equals(json.path("object_kind").asText())) {
                    yield null;
                }
                JsonNode mr = json.path("object_attributes");
                String action = mr.path("action").asText("");
                // An update without oldrev changed the title, labels or assignees, not the code.
                if (!GITLAB_NEW_CODE.contains(action) || (action.equals("update") && !mr.hasNonNull("oldrev"))
                        || !"opened".equals(mr.path("state").asText("opened"))) {
                    yield null;
                }
                long iid = mr.path("iid").asLong(-1);
                String fork = mr.path("source_project_id").asLong(-1) != mr.path("target_project_id").asLong(-1)
                        ? text(mr.path("source").path("git_http_url")) : null;
                yield of(forge, iid, action, text(mr.path("target_branch")), text(mr.path("last_commit").path("id")),
                        "refs/merge-requests/" + iid + "/head", fork, text(mr.path("source_branch")));
            }
        };
    }

    private static PullRequestEvent of(PushWebhook.Forge forge, long number, String action, String base, String sha,
                                       String headRef, String fork, String forkBranch) {
        if (number <= 0 || base == null || sha == null || !sha.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
            return null;
        }
        boolean forkUsable = fork != null && forkBranch != null && ForkUrls.allowed(fork)
                && ForkUrls.branchName(forkBranch);
        return new PullRequestEvent(forge, number, action, base, sha, headRef, forkUsable ? fork : null,
                forkUsable ? forkBranch : null);
    }

    private static String text(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }
}
