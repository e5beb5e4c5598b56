package dev.meshcd.sync;

import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.sync.git.GitCredentials;
import dev.meshcd.sync.git.TrustedKeys;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one sync (one repository, one branch, one sub-path, into one cluster).
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

    /** Without a signature requirement (the settings before {@code trustedKeys} existed). */
    public SyncOptions(String name, String url, String branch, String path, Path cacheDir, GitCredentials credentials,
                       Duration interval, String clusterName, String targetUrl, boolean prune, boolean selfHeal,
                       boolean forceConflicts, int parallelism, int maxAttempts, Duration backoff,
                       CompileOptions compileOptions) {
        this(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune, selfHeal,
                forceConflicts, parallelism, maxAttempts, backoff, compileOptions, null, null);
    }

    /** Defaults: branch main, whole tree, poll every minute, prune on, self-heal off, force conflicts on, 8 in flight. */
    public static SyncOptions of(String name, String url, Path cacheDir) {
        return new SyncOptions(name, url, "main", "", cacheDir, GitCredentials.NONE, Duration.ofMinutes(1), null,
                null, true, false, true, 8, 5, Duration.ofMillis(500), CompileOptions.DEFAULT);
    }

    public SyncOptions withBranch(String b) {
        return new SyncOptions(name, url, b, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withPath(String p) {
        return new SyncOptions(name, url, branch, p, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withCredentials(GitCredentials c) {
        return new SyncOptions(name, url, branch, path, cacheDir, c, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withInterval(Duration i) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, i, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withCluster(String cluster) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, cluster, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withSelfHeal(boolean heal) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                heal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    public SyncOptions withRetry(int attempts, Duration firstBackoff) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, attempts, firstBackoff, compileOptions, trustedKeys, stateNamespace);
    }

    /** Requests in flight while applying. */
    public SyncOptions withParallelism(int inFlight) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, inFlight, maxAttempts, backoff, compileOptions, trustedKeys, stateNamespace);
    }

    /**
     * Only apply commits signed by one of {@code keys} ({@code --require-signed-by}); null lifts the requirement.
     * Load the keys with {@link TrustedKeys#load(Path...)}.
     */
    public SyncOptions withTrustedKeys(TrustedKeys keys) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, keys, stateNamespace);
    }

    /** Keep the record and the Lease in {@code namespace} (meshcd's own; null: the default). */
    public SyncOptions withStateNamespace(String namespace) {
        return new SyncOptions(name, url, branch, path, cacheDir, credentials, interval, clusterName, targetUrl, prune,
                selfHeal, forceConflicts, parallelism, maxAttempts, backoff, compileOptions, trustedKeys, namespace);
    }

    /** Whether commits must carry a trusted signature to be applied. */
    public boolean requiresSignedCommits() {
        return trustedKeys != null;
    }
}
