package dev.meshcd.sync;

import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.TrustedKeys;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one sync (one repository, one branch, one sub-path, into one cluster). Made with {@link #builder}
 * (or {@link #of} for the defaults); {@link #toBuilder} derives other options from these.
 *
 * @param name           the sync's name: ConfigMap {@code meshcd-sync-<name>}, annotation {@code meshcd.dev/repo}
 * @param url            the Git URL (https, ssh, git://, a local path or file://)
 * @param branch         the tracked branch
 * @param path           sub-path of the repository holding the configuration ("" for all)
 * @param cacheDir       where the local mirror lives
 * @param credentials    Git credentials (token for https, SSH key)
 * @param interval       poll interval
 * @param clusterName    suffix of the status contexts ({@code meshcd/sync (prod-eu)}), or null
 * @param targetUrl      the status target URL (where the full report is), or null
 * @param prune          delete managed objects gone from Git
 * @param selfHeal       re-apply objects that drifted
 * @param forceConflicts take over fields other managers own when applying
 * @param parallelism    requests in flight while applying
 * @param maxAttempts    attempts per object for transient failures
 * @param backoff        first retry delay (doubles each attempt)
 * @param compileOptions compiler settings
 * @param trustedKeys    when not null, only commits whose OpenPGP signature verifies against one of these keys are
 *                       applied ({@code --require-signed-by keys.asc}); null applies any commit
 * @param stateNamespace where the sync keeps its record (ConfigMap {@code meshcd-sync-<name>}) and its Lease:
 *                       meshcd's own namespace; null means {@value #DEFAULT_STATE_NAMESPACE}
 */
public record SyncOptions(String name, String url, String branch, String path, Path cacheDir,
                          GitCredentials credentials, Duration interval, String clusterName, String targetUrl,
                          boolean prune, boolean selfHeal, boolean forceConflicts, int parallelism,
                          int maxAttempts, Duration backoff, CompileOptions compileOptions,
                          TrustedKeys trustedKeys, String stateNamespace) {
    public static final String DEFAULT_STATE_NAMESPACE = "meshcd-system";

    public SyncOptions {
        if (name == null || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || name.length() > 50) {
            throw new IllegalArgumentException("sync name must be a DNS label of at most 50 characters: " + name);
        }
        branch = branch == null || branch.isBlank() ? "main" : branch;
        path = path == null ? "" : path;
        credentials = credentials == null ? GitCredentials.NONE : credentials;
        interval = interval == null ? Duration.ofMinutes(1) : interval;
        parallelism = parallelism <= 0 ? 8 : parallelism;
        maxAttempts = maxAttempts <= 0 ? 5 : maxAttempts;
        backoff = backoff == null ? Duration.ofMillis(500) : backoff;
        compileOptions = compileOptions == null ? CompileOptions.DEFAULT : compileOptions;
        stateNamespace = stateNamespace == null || stateNamespace.isBlank() ? DEFAULT_STATE_NAMESPACE : stateNamespace;
        if (!stateNamespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || stateNamespace.length() > 63) {
            throw new IllegalArgumentException("state namespace must be a DNS label: " + stateNamespace);
        }
    }

    /** Defaults: branch main, whole tree, poll every minute, prune on, self-heal off, force conflicts on, 8 in flight. */
    public static SyncOptions of(String name, String url, Path cacheDir) {
        return builder(name, url, cacheDir).build();
    }

    /** Options for the sync {@code name} of {@code url}, mirrored in {@code cacheDir}, starting from the defaults of {@link #of}. */
    public static Builder builder(String name, String url, Path cacheDir) {
        return new Builder(name, url, cacheDir);
    }

    /** A builder holding these options, to derive others from them. */
    public Builder toBuilder() {
        Builder b = new Builder(name, url, cacheDir);
        b.branch = branch;
        b.path = path;
        b.credentials = credentials;
        b.interval = interval;
        b.clusterName = clusterName;
        b.targetUrl = targetUrl;
        b.prune = prune;
        b.selfHeal = selfHeal;
        b.forceConflicts = forceConflicts;
        b.parallelism = parallelism;
        b.maxAttempts = maxAttempts;
        b.backoff = backoff;
        b.compileOptions = compileOptions;
        b.trustedKeys = trustedKeys;
        b.stateNamespace = stateNamespace;
        return b;
    }

    /**
     * Builds {@link SyncOptions}; {@link #build} validates (the name and state namespace must be DNS labels) and
     * fills in the defaults for what is left null or zero.
     */
    public static final class Builder {
        private final String name;
        private final String url;
        private final Path cacheDir;
        private String branch = "main";
        private String path = "";
        private GitCredentials credentials = GitCredentials.NONE;
        private Duration interval = Duration.ofMinutes(1);
        private String clusterName;
        private String targetUrl;
        private boolean prune = true;
        private boolean selfHeal;
        private boolean forceConflicts = true;
        private int parallelism = 8;
        private int maxAttempts = 5;
        private Duration backoff = Duration.ofMillis(500);
        private CompileOptions compileOptions = CompileOptions.DEFAULT;
        private TrustedKeys trustedKeys;
        private String stateNamespace;

        private Builder(String name, String url, Path cacheDir) {
            this.name = name;
            this.url = url;
            this.cacheDir = cacheDir;
        }

        /** The tracked branch (null or blank: main). */
        public Builder branch(String b) {
            this.branch = b;
            return this;
        }

        /** The sub-path holding the configuration (null or "": the whole tree). */
        public Builder path(String p) {
            this.path = p;
            return this;
        }

        public Builder credentials(GitCredentials c) {
            this.credentials = c;
            return this;
        }

        public Builder interval(Duration i) {
            this.interval = i;
            return this;
        }

        /** The suffix of the status contexts ({@code meshcd/sync (prod-eu)}); null for none. */
        public Builder cluster(String cluster) {
            this.clusterName = cluster;
            return this;
        }

        /** The status target URL (where the full report is); null for none. */
        public Builder targetUrl(String u) {
            this.targetUrl = u;
            return this;
        }

        public Builder prune(boolean p) {
            this.prune = p;
            return this;
        }

        public Builder selfHeal(boolean heal) {
            this.selfHeal = heal;
            return this;
        }

        public Builder forceConflicts(boolean force) {
            this.forceConflicts = force;
            return this;
        }

        /** Requests in flight while applying. */
        public Builder parallelism(int inFlight) {
            this.parallelism = inFlight;
            return this;
        }

        /** Attempts per object for transient failures, and the first retry delay (doubling each attempt). */
        public Builder retry(int attempts, Duration firstBackoff) {
            this.maxAttempts = attempts;
            this.backoff = firstBackoff;
            return this;
        }

        public Builder compileOptions(CompileOptions options) {
            this.compileOptions = options;
            return this;
        }

        /**
         * Only apply commits signed by one of {@code keys} ({@code --require-signed-by}); null lifts the
         * requirement. Load the keys with {@link TrustedKeys#load(Path...)}.
         */
        public Builder trustedKeys(TrustedKeys keys) {
            this.trustedKeys = keys;
            return this;
        }

        /** Keep the record and the Lease in {@code namespace} (meshcd's own; null: the default). */
        public Builder stateNamespace(String namespace) {
            this.stateNamespace = namespace;
            return this;
        }

        public SyncOptions build() {
            return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl,
                    prune, selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys,
                    stateNamespace);
        }
    }

    /** Whether commits must carry a trusted signature to be applied. */
    public boolean requiresSignedCommits() {
        return trustedKeys != null;
    }
}
