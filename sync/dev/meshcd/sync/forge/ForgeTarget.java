package dev.meshcd.sync.forge;

import dev.meshcd.sync.status.HttpStatusBackend;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * One project on one forge, and the token meshcd acts with there. {@code base} is GitHub's API root
 * ({@code https://api.github.com}, or {@code https://HOST/api/v3} for GitHub Enterprise) or the Gitea/GitLab
 * server's root ({@code https://git.example.com}); {@code project} is {@code owner/repo} (GitLab: the project
 * path or numeric id). The token goes into a header only: {@link #toString()} and every message leave it out.
 */
public final class ForgeTarget {
    private final HttpStatusBackend.Forge forge;
    private final URI base;
    private final String project;
    private final String token;

    public ForgeTarget(HttpStatusBackend.Forge forge, URI base, String project, String token) {
        this.forge = Objects.requireNonNull(forge, "forge");
        Objects.requireNonNull(base, "base");
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || base.getHost() == null) {
            throw new IllegalArgumentException("the forge URL must be http(s)://HOST[/PATH], not " + base);
        }
        if (base.getRawUserInfo() != null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("the forge URL takes no user, query or fragment: "
                    + scheme + "://" + base.getHost() + "/...");
        }
        String b = base.toString();
        this.base = URI.create(b.replaceAll("/+$", ""));
        if (project == null || project.isBlank() || project.contains("..") || !project.matches("[A-Za-z0-9_./-]+")) {
            throw new IllegalArgumentException("the forge project must be OWNER/REPO (GitLab: a path or id), not "
                    + project);
        }
        this.project = project;
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a forge token is required");
        }
        if (token.strip().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("the forge token holds characters a header cannot carry");
        }
        this.token = token.strip();
    }

    public HttpStatusBackend.Forge forge() {
        return forge;
    }

    public URI base() {
        return base;
    }

    public String project() {
        return project;
    }

    /** The forge in messages: {@code github}, {@code gitea}, {@code gitlab}. */
    public String name() {
        return forge.name().toLowerCase(Locale.ROOT);
    }

    /** The API path prefix of the project: {@code /repos/o/r}, {@code /api/v1/repos/o/r}, {@code /api/v4/projects/ID}. */
    public String projectPath() {
        return switch (forge) {
            case GITHUB -> "/repos/" + project;
            case GITEA -> "/api/v1/repos/" + project;
            case GITLAB -> "/api/v4/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8);
        };
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    boolean sameOrigin(URI other) {
        return base.getScheme().equalsIgnoreCase(String.valueOf(other.getScheme()))
                && base.getHost().equalsIgnoreCase(String.valueOf(other.getHost()))
                && port(base) == port(other);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    String accept() {
        return forge == HttpStatusBackend.Forge.GITHUB ? "application/vnd.github.v3+json" : "application/json";
    }

    void authorize(HttpRequest.Builder b) {
        if (forge == HttpStatusBackend.Forge.GITLAB) {
            b.header("PRIVATE-TOKEN", token);
        } else {
            b.header("Authorization", "token " + token);
        }
    }

    /** {@code text} with the token replaced by {@code ***}. */
    public String scrub(String text) {
        return text == null ? "" : text.replace(token, "***");
    }

    /** The commit-status backend for this project (same server, same token). */
    public HttpStatusBackend statuses(HttpClient http) {
        return new HttpStatusBackend(forge, base, project, token, http);
    }

    @Override
    public String toString() {
        return name() + " " + base + " " + project;
    }
}
