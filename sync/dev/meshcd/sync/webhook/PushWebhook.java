package dev.meshcd.sync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push webhooks from GitHub, Gitea/Forgejo and GitLab as a plain handler: request headers and body in,
 * HTTP status code out (the server hosting it lives elsewhere). A verified push to the tracked branch
 * calls the trigger (an immediate sync).
 *
 * <ul>
 *   <li>{@code /hooks/github}: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>}</li>
 *   <li>{@code /hooks/gitea}: {@code X-Gitea-Signature: <hex HMAC-SHA256(secret, body)>} (Forgejo sends
 *       the same header, and also {@code X-Forgejo-Signature})</li>
 *   <li>{@code /hooks/gitlab}: {@code X-Gitlab-Token: <secret>}</li>
 * </ul>
 * Signatures are compared in constant time. Answers: 202 sync triggered, 200 accepted but ignored (ping,
 * other branch, other event), 400 unreadable body, 401 bad or missing signature, 404 unknown path,
 * 405 not POST.
 */
public final class PushWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(PushWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Forge { GITHUB, GITEA, GITLAB }

    private final WebhookSignature signature;
    private final String branch;
    private final Runnable trigger;

    /**
     * @param secret  the shared webhook secret (never logged)
     * @param branch  the tracked branch (pushes to others are ignored)
     * @param trigger what a push to the branch starts (e.g. {@code SyncLoop::trigger})
     */
    public PushWebhook(String secret, String branch, Runnable trigger) {
        this.signature = new WebhookSignature(secret);
        this.branch = branch;
        this.trigger = trigger;
    }

    /** The paths this handler answers. */
    public static Forge forgeOf(String path) {
        return switch (path) {
            case "/hooks/github" -> Forge.GITHUB;
            case "/hooks/gitea", "/hooks/forgejo" -> Forge.GITEA;
            case "/hooks/gitlab" -> Forge.GITLAB;
            default -> null;
        };
    }

    public int handle(String method, String path, Map<String, String> headers, byte[] body) {
        Forge forge = forgeOf(path);
        if (forge == null) {
            return 404;
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return 405;
        }
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        byte[] payload = body == null ? new byte[0] : body;
        if (!verify(forge, h, payload)) {
            LOG.warn("webhook {}: rejected request with a missing or bad signature ({} bytes)", path, payload.length);
            return 401;
        }
        String event = switch (forge) {
            case GITHUB -> h.getOrDefault("X-GitHub-Event", "");
            case GITEA -> h.getOrDefault("X-Gitea-Event", h.getOrDefault("X-Forgejo-Event", ""));
            case GITLAB -> h.getOrDefault("X-Gitlab-Event", "");
        };
        String e = event.toLowerCase(Locale.ROOT);
        if (e.equals("ping")) {
            return 200;
        }
        if (!(e.equals("push") || e.equals("push hook"))) {
            LOG.debug("webhook {}: ignoring event {}", path, event);
            return 200;
        }
        JsonNode json;
        try {
            json = JSON.readTree(payload);
        } catch (java.io.IOException ex) {
            LOG.warn("webhook {}: unreadable push payload", path);
            return 400;
        }
        if (json == null || !json.isObject()) {
            return 400;
        }
        String ref = json.path("ref").asText("");
        if (!ref.equals("refs/heads/" + branch)) {
            LOG.debug("webhook {}: push to {} ignored (tracking {})", path, ref, branch);
            return 200;
        }
        LOG.info("webhook {}: push to {} ({}), syncing now", path, branch, json.path("after").asText(""));
        trigger.run();
        return 202;
    }

    boolean verify(Forge forge, Map<String, String> h, byte[] body) {
        return signature.verify(forge, h, body);
    }

    /** Hex HMAC-SHA256 of the body with the secret (what the forge sends). */
    public byte[] hmac(byte[] body) {
        return signature.hmac(body);
    }
}
