package dev.meshcd.cli;

import dev.meshcd.admission.webhook.WebhookServer;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.sync.LeaderElection;
import dev.meshcd.sync.Reconciler;
import dev.meshcd.sync.SyncLoop;
import dev.meshcd.sync.SyncOptions;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.GitRemote;
import dev.meshcd.sync.git.TrustedKeys;
import dev.meshcd.sync.forge.ForgeTarget;
import dev.meshcd.sync.forge.ReviewPublisher;
import dev.meshcd.sync.review.PullRequestReviews;
import dev.meshcd.sync.review.ReviewQueue;
import dev.meshcd.sync.status.HttpStatusBackend;
import dev.meshcd.sync.status.StatusBackend;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The GitOps-loop options of {@code meshcd run --repo}, and the loop they set up. */
final class SyncArgs {
    /** Looked up when used: the commands set log levels after their classes are loaded. */
    private static Logger log() {
        return LoggerFactory.getLogger("dev.meshcd.cli.sync");
    }

    @Option(names = "--repo", paramLabel = "URL|PATH", description = "Git repository to follow (https://, ssh://, "
            + "git@host:path, git://, file:// or a local path)")
    String repo;

    @Option(names = "--branch", description = "branch to follow (default ${DEFAULT-VALUE})")
    String branch = "main";

    @Option(names = "--path", description = "sub-directory of the repository holding the configuration (default: all)")
    String path = "";

    @Option(names = "--interval", converter = SyncWiring.DurationConverter.class,
            description = "poll interval: 30s, 5m, ... (default 1m)")
    Duration interval = Duration.ofMinutes(1);

    @Option(names = "--name", description = "this sync's name: a DNS label, kept in ConfigMap meshcd-sync-NAME and "
            + "on every applied object (default ${DEFAULT-VALUE})")
    String name = "default";

    @Option(names = "--cluster-name", description = "suffix of the status contexts, e.g. prod-eu gives "
            + "\"meshcd/sync (prod-eu)\"; give each cluster following the same repo its own")
    String clusterName;

    @Option(names = "--require-signed-by", paramLabel = "KEYS.asc", description = "apply only commits signed by a key "
            + "in this armored OpenPGP public keyring (repeatable); an unsigned or otherwise signed commit gets a "
            + "failing status and is not applied")
    java.util.List<Path> trustedKeyFiles = new java.util.ArrayList<>();

    @Option(names = "--status", description = "where commit statuses go: notes (git notes under refs/notes/meshcd, "
            + "pushed to the repo), github, gitea, gitlab or none (default ${DEFAULT-VALUE})")
    String status = "none";

    @Option(names = "--status-url", description = "forge API root: GitHub default https://api.github.com; Gitea and "
            + "GitLab: the server (default: the https repo URL's server)")
    URI statusUrl;

    @Option(names = "--status-token-file", description = "file holding the forge token for statuses "
            + "(or env MESHCD_STATUS_TOKEN)")
    Path statusTokenFile;

    @Option(names = "--status-repo", description = "OWNER/REPO (GitLab: project path or id) for statuses "
            + "(default: from the repo URL)")
    String statusRepo;

    @Option(names = "--target-url", description = "link shown with each status (e.g. a dashboard)")
    String targetUrl;

    @Option(names = "--self-heal", description = "re-apply objects that drifted from Git")
    boolean selfHeal;

    @Option(names = "--no-prune", description = "never delete managed objects that are gone from Git")
    boolean noPrune;

    @Option(names = "--git-token-file", description = "file holding a token for https Git (or env MESHCD_GIT_TOKEN, "
            + "MESHCD_GIT_TOKEN_FILE); never logged")
    Path gitTokenFile;

    @Option(names = "--git-username", description = "user name sent with the token (default git, or env MESHCD_GIT_USERNAME)")
    String gitUsername;

    @Option(names = "--git-ssh-key", description = "SSH private key for ssh Git URLs (or env MESHCD_GIT_SSH_KEY_FILE)")
    Path gitSshKey;

    @Option(names = "--git-known-hosts", description = "known_hosts file for ssh Git URLs (or env MESHCD_GIT_KNOWN_HOSTS)")
    Path gitKnownHosts;

    @Option(names = "--cache-dir", description = "where the Git mirror lives (default: $TMPDIR/meshcd-sync-NAME)")
    Path cacheDir;

    @Option(names = "--webhook-secret-file", description = "shared secret of push webhooks (or env "
            + "MESHCD_WEBHOOK_SECRET); without it /hooks/* are not served")
    Path webhookSecretFile;

    @Option(names = "--leader-elect", description = "sync only while holding the Lease meshcd-sync-leader-NAME in "
            + "the state namespace (run several replicas: all serve webhooks, one syncs)")
    boolean leaderElect;

    @Option(names = "--state-namespace", description = "meshcd's namespace, where the sync keeps its record "
            + "(ConfigMap meshcd-sync-NAME) and its Lease (default: $POD_NAMESPACE, else meshcd-system)")
    String stateNamespace;

    @Option(names = "--leader-identity", description = "this replica's name in the Lease (default: $POD_NAME, "
            + "else HOSTNAME-PID)")
    String leaderIdentity;

    @Option(names = "--lease-duration", converter = SyncWiring.DurationConverter.class,
            description = "how long a leader's Lease lasts without renewal (default 15s)")
    Duration leaseDuration = Duration.ofSeconds(15);

    @Option(names = "--pr-reviews", paramLabel = "N", description = "pull-request reviews running at once, beside the "
            + "sync (default ${DEFAULT-VALUE}; 0: pull-request events are ignored). Reviews need push webhooks "
            + "(--webhook-secret-file) and a forge (--status github|gitea|gitlab: its URL, token and project)")
    int prReviews = 2;

    @Option(names = "--pr-review-queue", paramLabel = "N", description = "pull requests waiting for review at most; "
            + "beyond, events are answered 429 (default ${DEFAULT-VALUE})")
    int prReviewQueue = 16;

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The loop, its leader election and its webhook routes; {@link #start()} once the server is up. */
    /** @param workspace where the loop compiles; the webhook validates under its settings too */
    /** @param health the sync's failure, if it is failing, for /readyz's note */
    /** @param reviews the pull-request reviews (queue and mirror), closed with the loop; null when off */
    record Running(SyncLoop loop, LeaderElection election, Map<String, WebhookServer.PostHandler> routes,
                   Runnable starter, Workspace workspace, SyncWiring.Health health, AutoCloseable reviews)
            implements AutoCloseable {
        void start() {
            starter.run();
        }

        @Override
        public void close() {
            shuttingDown = true;
            if (election != null) {
                election.close();
            }
            loop.close();
            loop.reconciler().close();
            if (reviews != null) {
                try {
                    reviews.close();
                } catch (Exception e) {
                    log().warn("closing the pull-request reviews: {}", e.getMessage());
                }
            }
        }
    }

    Running prepare(KubernetesClient client) throws UsageException, IOException {
        return prepare(client, null);
    }

    /**
     * @param cluster the webhook's live snapshot once it runs (null: none): each commit is checked against the
     *                cluster as well as the repository (see {@link InformerContext})
     */
    Running prepare(KubernetesClient client, java.util.function.Supplier<dev.meshcd.admission.cluster.Snapshot> cluster)
            throws UsageException, IOException {
        SyncOptions options = options();
        if (prReviews < 0) {
            throw new UsageException("--pr-reviews must be 0 or more, not " + prReviews);
        }
        if (prReviewQueue < 1) {
            throw new UsageException("--pr-review-queue must be 1 or more, not " + prReviewQueue);
        }
        java.util.function.Supplier<dev.meshcd.compiler.context.MeshContext> live = cluster == null
                ? () -> dev.meshcd.compiler.context.MeshContext.NONE
                : new InformerContext(cluster, options.name(), "cluster " + client.getMasterUrl().toString()
                        .replaceAll("/+$", ""));
        Workspace workspace = Reconciler.workspaceFor(options, live);
        Function<GitRemote, StatusBackend> statuses = statusBackend();
        SyncLoop loop;
        SyncWiring.Health health = new SyncWiring.Health(options.name());
        try {
            loop = SyncWiring.loop(client, options, workspace, statuses,
                    SyncWiring.logging(options.name()).andThen(health));
        } catch (IOException | RuntimeException e) {
            throw new UsageException("cannot open " + options.credentials().redact(repo) + ": "
                    + options.credentials().redact(e.getMessage()));
        }
        String secret = webhookSecret();
        PullRequestReviewing reviews = secret == null ? null : reviews(options, live);
        Map<String, WebhookServer.PostHandler> routes = secret == null ? Map.of()
                : SyncWiring.hookRoutes(secret, options.branch(), loop, reviews == null ? null : reviews.queue());
        if (secret == null) {
            log().info("push webhooks off (no --webhook-secret-file): polling {} every {}", options.name(), options.interval());
        }
        if (!leaderElect) {
            return new Running(loop, null, routes, loop::start, workspace, health, reviews);
        }
        String identity = leaderIdentity != null ? leaderIdentity : defaultIdentity();
        Runnable onLose = () -> {
            loop.stop();
            if (!shuttingDown) {
                // As Kubernetes controllers do: a replica that lost its lease exits and is restarted, so it
                // never syncs on a stale view and competes again from a clean state.
                log().error("{} lost the sync lease; exiting so that it restarts", identity);
                new Thread(() -> System.exit(1), "meshcd-lost-lease").start();
            }
        };
        LeaderElection election = new LeaderElection(client, options.stateNamespace(), name, identity, leaseDuration,
                loop::start, onLose);
        return new Running(loop, election, routes, election::start, workspace, health, reviews);
    }

    /** The review queue and the runner it feeds, closed together (queue first: no review starts after). */
    record PullRequestReviewing(ReviewQueue queue, PullRequestReviews runner) implements AutoCloseable {
        @Override
        public void close() {
            queue.close();
            runner.close();
        }
    }

    /**
     * Pull-request reviews when on ({@code --pr-reviews} > 0 and a forge to post to), else null. Every replica
     * reviews the events it receives: the comment is found again by its marker, so replicas share it.
     */
    private PullRequestReviewing reviews(SyncOptions options, java.util.function.Supplier<dev.meshcd.compiler.context.MeshContext> live)
            throws UsageException {
        if (prReviews == 0) {
            return null;
        }
        ForgeTarget target = forgeTarget();
        if (target == null) {
            log().info("pull-request reviews off: they post through a forge (--status github|gitea|gitlab)");
            return null;
        }
        Path cache = options.cacheDir();
        Path mirror = cache.resolveSibling(cache.getFileName() + "-reviews");
        PullRequestReviews runner;
        try {
            runner = new PullRequestReviews(options.url(), options.branch(), options.credentials(), mirror,
                    new SyncReviewer(options, live), new ReviewPublisher(target, options.clusterName(), null));
        } catch (IOException e) {
            throw new UsageException("cannot open the review mirror " + mirror + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--cluster-name: " + e.getMessage());
        }
        log().info("pull-request reviews on: {} at once, {} waiting at most, posted to {}", prReviews, prReviewQueue,
                target);
        return new PullRequestReviewing(new ReviewQueue(prReviews, prReviewQueue, runner), runner);
    }

    /** Set when the process is stopping: losing the lease then is expected, not a reason to exit. */
    private static volatile boolean shuttingDown;

    SyncOptions options() throws UsageException {
        GitCredentials creds;
        try {
            GitCredentials env = GitCredentials.fromEnvironment(System.getenv());
            String token = gitTokenFile != null ? SmallFile.read(gitTokenFile).strip()
                    : env.tokenValue();
            creds = new GitCredentials(gitUsername != null ? gitUsername : env.username(), token,
                    gitSshKey != null ? gitSshKey : env.sshKeyFile(),
                    gitKnownHosts != null ? gitKnownHosts : env.knownHostsFile());
        } catch (IOException e) {
            throw new UsageException("cannot read Git credentials: " + e.getMessage());
        }
        if (creds.sshKeyFile() != null && !Files.isReadable(creds.sshKeyFile())) {
            throw new UsageException("--git-ssh-key " + creds.sshKeyFile() + ": not readable");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new UsageException("--interval must be positive");
        }
        Path cache = cacheDir != null ? cacheDir
                : Path.of(System.getProperty("java.io.tmpdir"), "meshcd-sync-" + name);
        SyncOptions.Builder options = SyncOptions.builder(name, repo, cache).branch(branch).path(path)
                .credentials(creds).interval(interval).cluster(clusterName).targetUrl(targetUrl).prune(!noPrune)
                .selfHeal(selfHeal);
        valid(options, "--name");
        options.stateNamespace(stateNamespace != null ? stateNamespace : System.getenv("POD_NAMESPACE"));
        valid(options, "--state-namespace");
        if (!trustedKeyFiles.isEmpty()) {
            try {
                options.trustedKeys(TrustedKeys.load(trustedKeyFiles.toArray(Path[]::new)));
            } catch (IOException e) {
                throw new UsageException("--require-signed-by: " + e.getMessage());
            }
        }
        return options.build();
    }

    /** Builds the options as far as given, to blame {@code flag} for what they reject. */
    private static void valid(SyncOptions.Builder options, String flag) throws UsageException {
        try {
            options.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    private String webhookSecret() throws UsageException {
        try {
            if (webhookSecretFile != null) {
                String s = SmallFile.read(webhookSecretFile).strip();
                if (s.isEmpty()) {
                    throw new UsageException("--webhook-secret-file " + webhookSecretFile + " is empty");
                }
                return s;
            }
        } catch (IOException e) {
            throw new UsageException("cannot read --webhook-secret-file: " + e.getMessage());
        }
        String env = System.getenv("MESHCD_WEBHOOK_SECRET");
        return env == null || env.isBlank() ? null : env.strip();
    }

    Function<GitRemote, StatusBackend> statusBackend() throws UsageException {
        String kind = status.toLowerCase(Locale.ROOT);
        switch (kind) {
            case "none":
                return remote -> StatusBackend.NONE;
            case "notes":
                return SyncWiring.notes();
            default:
                ForgeTarget target = forgeTarget();
                return remote -> target.statuses(null);
        }
    }

    /** The forge of {@code --status github|gitea|gitlab} (server, project, token); null for notes and none. */
    ForgeTarget forgeTarget() throws UsageException {
        String kind = status.toLowerCase(Locale.ROOT);
        switch (kind) {
            case "none", "notes":
                return null;
            case "github", "gitea", "gitlab":
                break;
            default:
                throw new UsageException("--status must be notes, github, gitea, gitlab or none, not " + status);
        }
        HttpStatusBackend.Forge forge = HttpStatusBackend.Forge.valueOf(kind.toUpperCase(Locale.ROOT));
        String token;
        try {
            token = statusTokenFile != null ? SmallFile.read(statusTokenFile).strip()
                    : System.getenv("MESHCD_STATUS_TOKEN");
        } catch (IOException e) {
            throw new UsageException("cannot read --status-token-file: " + e.getMessage());
        }
        if (token == null || token.isBlank()) {
            throw new UsageException("--status " + kind + " needs --status-token-file (or env MESHCD_STATUS_TOKEN)");
        }
        URI base = statusUrl;
        URI repoUri = httpsRepo(repo);
        if (base == null) {
            if (forge == HttpStatusBackend.Forge.GITHUB) {
                base = URI.create("https://api.github.com");
            } else if (repoUri != null) {
                base = URI.create(repoUri.getScheme() + "://" + repoUri.getHost()
                        + (repoUri.getPort() == -1 ? "" : ":" + repoUri.getPort()));
            } else {
                throw new UsageException("--status " + kind + " needs --status-url (the server, e.g. https://git.example.com)");
            }
        }
        String project = statusRepo != null ? statusRepo : projectOf(repo, forge == HttpStatusBackend.Forge.GITLAB);
        if (project == null) {
            throw new UsageException("--status " + kind + " needs --status-repo OWNER/REPO (cannot tell it from " + repo + ")");
        }
        try {
            return new ForgeTarget(forge, base, project, token.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--status " + kind + ": " + e.getMessage());
        }
    }

    private static URI httpsRepo(String url) {
        if (url == null || !url.matches("(?i)https?://.*")) {
            return null;
        }
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The forge project of a repo URL: https://host/owner/repo(.git), ssh://git@host/owner/repo.git or
     * git@host:owner/repo.git; the last two path segments, or (GitLab, nested groups) the whole path.
     */
    static String projectOf(String url, boolean wholePath) {
        if (url == null) {
            return null;
        }
        String p;
        if (url.matches("(?i)(https?|ssh|git)://.*")) {
            String rest = url.replaceFirst("(?i)^[a-z]+://", "");
            int slash = rest.indexOf('/');
            p = slash < 0 ? "" : rest.substring(slash + 1);
        } else if (url.matches("[^/@:]+@[^/:]+:.*")) {
            p = url.substring(url.indexOf(':') + 1);
        } else {
            return null;
        }
        p = p.replaceAll("/+$", "").replaceAll("\\.git$", "");
        String[] parts = p.split("/");
        if (parts.length < 2) {
            return null;
        }
        return wholePath ? p : parts[parts.length - 2] + "/" + parts[parts.length - 1];
    }

    static String defaultIdentity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "meshcd";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
