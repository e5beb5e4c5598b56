package dev.meshcd.sync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshcd.sync.review.PullRequestEvent;
import dev.meshcd.sync.review.ReviewQueue;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull-request webhooks (GitHub and Gitea {@code pull_request}, GitLab {@code Merge Request Hook}) at the push hooks'
 * paths, verified the same way ({@link WebhookSignature}). A verified event that brings new code to a pull request
 * into the tracked branch is queued for review; nothing is ever applied. Answers: 202 queued (or superseding the
 * waiting event of the same pull request), 200 ignored (closed, labelled, another base branch), 400 unreadable,
 * 401 bad or missing signature, 429 too many reviews waiting, 503 shutting down.
 */
public final class PullRequestWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(PullRequestWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookSignature signature;
    private final String branch;
    private final Function<PullRequestEvent, ReviewQueue.Admission> queue;

    /**
     * @param branch the tracked branch: pull requests into others are not reviewed
     * @param queue  where events go ({@code ReviewQueue::submit})
     */
    public PullRequestWebhook(String secret, String branch, Function<PullRequestEvent, ReviewQueue.Admission> queue) {
        this.signature = new WebhookSignature(secret);
        this.branch = branch;
        this.queue = queue;
    }

    /** The event name header of a delivery (any case), or "". */
    public static String event(PushWebhook.Forge forge, Map<String, String> headers) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        return switch (forge) {
            case GITHUB -> h.getOrDefault("X-GitHub-Event", "");
            case GITEA -> h.getOrDefault("X-Gitea-Event", h.getOrDefault("X-Forgejo-Event", ""));
            case GITLAB -> h.getOrDefault("X-Gitlab-Event", "");
        };
    }

    public int handle(String path, Map<String, String> headers, byte[] body) {
        PushWebhook.Forge forge = PushWebhook.forgeOf(path);
        if (forge == null) {
            return 404;
        }
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        byte[] payload = body == null ? new byte[0] : body;
        if (!signature.verify(forge, h, payload)) {
            LOG.warn("webhook {}: rejected a pull-request event with a missing or bad signature ({} bytes)", path,
                    payload.length);
            return 401;
        }
        JsonNode json;
        try {
            json = JSON.readTree(payload);
        } catch (java.io.IOException e) {
            LOG.warn("webhook {}: unreadable pull-request payload", path);
            return 400;
        }
        if (json == null || !json.isObject()) {
            return 400;
        }
        PullRequestEvent event = PullRequestEvent.parse(forge, json);
        if (event == null) {
            LOG.debug("webhook {}: pull-request event without new code, ignored", path);
            return 200;
        }
        if (!event.baseBranch().equals(branch)) {
            LOG.debug("webhook {}: {} targets {}, not {}; not reviewed", path, event.key(), event.baseBranch(), branch);
            return 200;
        }
        ReviewQueue.Admission a = queue.apply(event);
        LOG.info("webhook {}: {} {} at {}: {}", path, event.key(), event.action(), event.headSha(), a);
        return switch (a) {
            case QUEUED, SUPERSEDED -> 202;
            case FULL -> 429;
            case CLOSED -> 503;
        };
    }
}
