package dev.meshcd.cli;

import dev.meshcd.compiler.review.ReviewReport;
import dev.meshcd.sync.forge.ForgeTarget;
import dev.meshcd.sync.forge.ReviewComments;
import dev.meshcd.sync.forge.ReviewPublisher;
import dev.meshcd.sync.review.PullRequestReview;
import dev.meshcd.sync.status.CommitStatus;
import dev.meshcd.sync.status.HttpStatusBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Option;

/**
 * {@code meshcd review}'s posting options (a mixin, so the review command only calls {@link #publish}): the review
 * goes to pull request {@code --pr} on {@code --post github|gitea|gitlab} as one comment, edited in place on later
 * runs, and the {@code meshcd/review} status goes on the head commit. The token comes from
 * {@code --forge-token-file} or the environment ({@code MESHCD_FORGE_TOKEN}; for GitHub also {@code GITHUB_TOKEN},
 * as GitHub Actions provides it); it appears in no output.
 */
final class ReviewPostOptions {
    static final String TOKEN_ENV = "MESHCD_FORGE_TOKEN";

    @Option(names = "--post", paramLabel = "FORGE", description = "Post the review on a pull request: github, gitea "
            + "or gitlab (with --pr). One comment, found again by its hidden marker and edited on later runs; the "
            + "status meshcd/review goes on HEAD's commit.")
    String post;

    @Option(names = "--pr", paramLabel = "N", description = "The pull request (GitLab: merge request IID) to post on.")
    Long pr;

    @Option(names = "--forge-url", paramLabel = "URL", description = "The forge's API root: GitHub default "
            + "$GITHUB_API_URL or https://api.github.com (Enterprise: https://HOST/api/v3); GitLab default $CI_SERVER_URL "
            + "or https://gitlab.com; Gitea: the server, e.g. https://gitea.example.com (default: the origin remote's).")
    URI forgeUrl;

    @Option(names = "--forge-repo", paramLabel = "OWNER/REPO", description = "The project (GitLab: path or id; default "
            + "$GITHUB_REPOSITORY on GitHub, $CI_PROJECT_ID on GitLab, else the origin remote's path).")
    String forgeRepo;

    @Option(names = "--forge-token-file", paramLabel = "FILE", description = "File holding the forge token (default: env "
            + TOKEN_ENV + ", or GITHUB_TOKEN with --post github). Never printed.")
    Path tokenFile;

    @Option(names = "--head-sha", paramLabel = "SHA", description = "The commit the meshcd/review status goes on "
            + "(default: HEAD's commit with --repo; without --repo and this option no status is set). In CI give the "
            + "pull request's head, e.g. ${{ github.event.pull_request.head.sha }} or $CI_COMMIT_SHA.")
    String headSha;

    boolean posting() {
        return post != null;
    }

    /**
     * Where the review goes, checked before anything is reviewed, so a missing token is a usage error, not a failure
     * after a long review.
     *
     * @param repo the Git repository under review (for the origin remote's URL), or null
     */
    ForgeTarget target(Path repo, Map<String, String> env) throws MeshLoading.UsageException {
        String kind = post.toLowerCase(Locale.ROOT);
        if (!kind.equals("github") && !kind.equals("gitea") && !kind.equals("gitlab")) {
            throw new MeshLoading.UsageException("--post takes github, gitea or gitlab, not " + post);
        }
        if (pr == null || pr <= 0) {
            throw new MeshLoading.UsageException("--post needs --pr N (the pull request's number)");
        }
        HttpStatusBackend.Forge forge = HttpStatusBackend.Forge.valueOf(kind.toUpperCase(Locale.ROOT));
        String token;
        if (tokenFile != null) {
            try {
                token = SmallFile.read(tokenFile).strip();
            } catch (IOException e) {
                throw new MeshLoading.UsageException("--forge-token-file: " + e.getMessage());
            }
        } else {
            token = env.get(TOKEN_ENV);
            if ((token == null || token.isBlank()) && forge == HttpStatusBackend.Forge.GITHUB) {
                token = env.get("GITHUB_TOKEN");
            }
        }
        if (token == null || token.isBlank()) {
            throw new MeshLoading.UsageException("--post " + kind + " needs a token: --forge-token-file FILE or env "
                    + TOKEN_ENV);
        }
        String origin = originUrl(repo);
        URI base = forgeUrl;
        if (base == null) {
            base = switch (forge) {
                case GITHUB -> URI.create(env.getOrDefault("GITHUB_API_URL", "https://api.github.com"));
                case GITLAB -> URI.create(env.getOrDefault("CI_SERVER_URL", "https://gitlab.com"));
                case GITEA -> serverOf(origin);
            };
        }
        if (base == null) {
            throw new MeshLoading.UsageException("--post gitea needs --forge-url (the server, e.g. https://gitea.example.com)");
        }
        String project = forgeRepo;
        if (project == null) {
            project = switch (forge) {
                case GITHUB -> env.get("GITHUB_REPOSITORY");
                case GITLAB -> env.get("CI_PROJECT_ID");
                case GITEA -> null;
            };
        }
        if (project == null) {
            project = SyncArgs.projectOf(origin, forge == HttpStatusBackend.Forge.GITLAB);
        }
        if (project == null) {
            throw new MeshLoading.UsageException("--post " + kind + " needs --forge-repo OWNER/REPO");
        }
        try {
            return new ForgeTarget(forge, base, project, token);
        } catch (IllegalArgumentException e) {
            throw new MeshLoading.UsageException(e.getMessage());
        }
    }

    /** The comment and status of a review: success when HEAD would sync, failure when it would not. */
    static PullRequestReview review(ReviewReport report, String markdown) {
        int introduced = report.findings().introduced().size();
        int fixed = report.findings().fixed().size();
        long errors = report.head().errors();
        String summary = (report.compiles() ? "compiles" : errors + " error" + (errors == 1 ? "" : "s")) + "; "
                + introduced + " finding" + (introduced == 1 ? "" : "s") + " introduced, " + fixed + " fixed";
        return new PullRequestReview(markdown, report.wouldSync() ? CommitStatus.State.SUCCESS
                : CommitStatus.State.FAILURE, summary);
    }

    /** The commit for the status: {@code --head-sha}, else {@code head} resolved in {@code repo}, else null. */
    String headCommit(Path repo, String head) throws MeshLoading.UsageException {
        if (headSha != null) {
            if (!headSha.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
                throw new MeshLoading.UsageException("--head-sha takes a full commit id, not " + headSha);
            }
            return headSha;
        }
        if (repo == null) {
            return null;
        }
        try (Repository r = new FileRepositoryBuilder().readEnvironment().findGitDir(repo.toAbsolutePath().toFile())
                .setMustExist(true).build()) {
            org.eclipse.jgit.lib.ObjectId id = r.resolve(head + "^{commit}");
            return id == null ? null : id.name();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Posts the review (comment, then the status on {@code headSha} unless null); the outcome goes to {@code err}.
     * Returns false when the forge refused or could not be reached.
     */
    boolean publish(ForgeTarget target, PullRequestReview review, String headSha, PrintWriter err) {
        return publish(target, review, headSha, err, t -> new ReviewPublisher(t, null, null));
    }

    boolean publish(ForgeTarget target, PullRequestReview review, String headSha, PrintWriter err,
                    Function<ForgeTarget, ReviewPublisher> publisher) {
        try {
            ReviewComments.Posted posted = publisher.apply(target).publish(pr, headSha, review);
            err.println("meshcd review: " + (posted.created() ? "posted" : "updated") + " the review on " + target.name()
                    + " " + target.project() + " #" + pr + (headSha == null ? " (no commit: no status)"
                    : "; meshcd/review " + review.state().name().toLowerCase(Locale.ROOT) + " on "
                    + headSha.substring(0, Math.min(12, headSha.length()))));
            return true;
        } catch (IOException e) {
            err.println("meshcd review: posting to " + target.name() + " failed: " + target.scrub(e.getMessage()));
            return false;
        }
    }

    /** The {@code origin} remote's URL of the repository at {@code repo}, or null. */
    static String originUrl(Path repo) {
        if (repo == null) {
            return null;
        }
        FileRepositoryBuilder b = new FileRepositoryBuilder().findGitDir(repo.toAbsolutePath().toFile());
        if (b.getGitDir() == null) {
            return null;
        }
        try (Repository r = b.build()) {
            return r.getConfig().getString("remote", "origin", "url");
        } catch (IOException e) {
            return null;
        }
    }

    private static URI serverOf(String url) {
        if (url == null || !url.matches("(?i)https?://[^/@]+/.*")) {
            return null;
        }
        URI u = URI.create(url);
        return URI.create(u.getScheme() + "://" + u.getRawAuthority());
    }
}
