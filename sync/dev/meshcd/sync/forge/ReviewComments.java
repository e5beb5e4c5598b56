package dev.meshcd.sync.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * meshcd's one comment on a pull request (merge request), kept up to date: the comment with the hidden marker line
 * ({@value #MARKER}, or {@code <!-- meshcd-review (KEY) -->} for a keyed poster such as one cluster of several
 * following the same repository) is edited in place; without one, a comment is created. The endpoints:
 * <ul>
 *   <li>GitHub: {@code GET /repos/O/R/issues/N/comments?per_page=100}, {@code PATCH /repos/O/R/issues/comments/ID},
 *       {@code POST /repos/O/R/issues/N/comments}</li>
 *   <li>Gitea/Forgejo: the same under {@code /api/v1} (its list is not paged)</li>
 *   <li>GitLab: {@code GET /api/v4/projects/ID/merge_requests/N/notes?per_page=100&sort=asc},
 *       {@code PUT .../notes/NOTE}, {@code POST .../notes}</li>
 * </ul>
 */
public final class ReviewComments {
    private static final Logger LOG = LoggerFactory.getLogger(ReviewComments.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The hidden line {@code meshcd review} puts in its document, by which its comment is found. */
    public static final String MARKER = "<!-- meshcd-review -->";
    /** The forges' limit on a comment body (GitHub's 65,536 characters; GitLab and Gitea allow more). */
    public static final int MAX_BODY_CHARS = 65_536;

    private final ForgeHttp http;
    private final String marker;

    public ReviewComments(ForgeHttp http) {
        this(http, null);
    }

    /**
     * @param key whose comment this is when several post on one pull request (the cluster name), or null: each key
     *            keeps its own comment
     */
    public ReviewComments(ForgeHttp http, String key) {
        this.http = http;
        if (key != null && (!key.matches("[^\\r\\n<>]{1,63}") || key.contains("--"))) {
            throw new IllegalArgumentException("a review comment key is a short name, not " + key);
        }
        this.marker = key == null ? MARKER : "<!-- meshcd-review (" + key + ") -->";
    }

    /** The marker line this poster's comment carries. */
    public String marker() {
        return marker;
    }

    /** What {@link #post} did. */
    public record Posted(long id, boolean created) {
    }

    /**
     * Creates or updates meshcd's comment on pull request {@code number}. The body's {@link #MARKER} line becomes
     * this poster's marker; a body without one gets it as its first line, so that the next post finds it. A body
     * over {@link #MAX_BODY_CHARS} is refused (the review document summarises and truncates itself before that).
     */
    public Posted post(long number, String body) throws IOException {
        if (number <= 0) {
            throw new IllegalArgumentException("a pull request number is positive: " + number);
        }
        String text = hasLine(body, MARKER) ? body.replaceFirst(java.util.regex.Pattern.quote(MARKER),
                java.util.regex.Matcher.quoteReplacement(marker)) : marker + "\n" + body;
        if (text.length() > MAX_BODY_CHARS) {
            throw new IOException("the review is " + text.length() + " characters; forges take at most "
                    + MAX_BODY_CHARS + " in a comment");
        }
        ForgeTarget t = http.target();
        String thread = switch (t.forge()) {
            case GITHUB, GITEA -> t.projectPath() + "/issues/" + number + "/comments";
            case GITLAB -> t.projectPath() + "/merge_requests/" + number + "/notes";
        };
        String list = switch (t.forge()) {
            case GITHUB -> thread + "?per_page=100";
            case GITEA -> thread;
            case GITLAB -> thread + "?per_page=100&sort=asc&order_by=created_at";
        };
        ObjectNode payload = JSON.createObjectNode().put("body", text);
        Long existing = find(http.list(list, "listing the comments of #" + number), marker);
        if (existing != null) {
            String one = switch (t.forge()) {
                case GITHUB, GITEA -> t.projectPath() + "/issues/comments/" + existing;
                case GITLAB -> thread + "/" + existing;
            };
            http.send(t.forge() == dev.meshcd.sync.status.HttpStatusBackend.Forge.GITLAB ? "PUT" : "PATCH", one, payload,
                    "updating comment " + existing + " on #" + number);
            LOG.info("{}: updated the review comment {} on #{}", t, existing, number);
            return new Posted(existing, false);
        }
        JsonNode made = http.send("POST", thread, payload, "commenting on #" + number);
        long id = made == null ? -1 : made.path("id").asLong(-1);
        LOG.info("{}: posted the review comment {} on #{}", t, id, number);
        return new Posted(id, true);
    }

    /** The first comment with the marker as one of its lines (GitLab's system notes never count). */
    static Long find(List<JsonNode> comments, String marker) {
        for (JsonNode c : comments) {
            if (c.path("system").asBoolean(false)) {
                continue;
            }
            if (hasLine(c.path("body").asText(""), marker) && c.path("id").canConvertToLong()) {
                return c.path("id").asLong();
            }
        }
        return null;
    }

    private static boolean hasLine(String text, String line) {
        return text.lines().anyMatch(l -> l.strip().equals(line));
    }
}
