package dev.meshcd.sync.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote repository mirrored into a local bare repository (the cache): {@link #fetch()} brings the
 * tracked branch up to date and returns its head commit, which is then read with
 * {@code GitTreeSource} without any checkout. Works for https://, http://, ssh://, scp-like
 * {@code user@host:path}, git:// and local paths / file:// URLs.
 *
 * <p>Credentials go only to JGit's credentials provider (HTTPS) or the ssh command line (a key file
 * path); every message that leaves this class is scrubbed with {@link GitCredentials#redact}.
 */
public final class GitRemote implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GitRemote.class);

    private final String url;
    private final String branch;
    private final GitCredentials credentials;
    private final Repository repository;
    private final String sshCommand;

    public GitRemote(String url, String branch, Path cacheDir, GitCredentials credentials) throws IOException {
        this(url, branch, cacheDir, credentials, "ssh");
    }

    public GitRemote(String url, String branch, Path cacheDir, GitCredentials credentials, String sshCommand)
            throws IOException {
        this.url = url;
        this.branch = branch == null || branch.isBlank() ? "main" : branch;
        this.credentials = credentials == null ? GitCredentials.NONE : credentials;
        this.sshCommand = sshCommand;
        Files.createDirectories(cacheDir);
        this.repository = FileRepositoryBuilder.create(cacheDir.toFile());
        if (!Files.exists(cacheDir.resolve("HEAD"))) {
            repository.create(true);
        }
    }

    public String url() {
        return url;
    }

    public String branch() {
        return branch;
    }

    public Repository repository() {
        return repository;
    }

    /** The local ref the tracked branch is fetched into. */
    public String trackingRef() {
        return "refs/remotes/origin/" + branch;
    }

    /** Fetches the tracked branch (forced: a force-push replaces it) and returns its head commit. */
    public ObjectId fetch() throws GitException {
        RefSpec spec = new RefSpec("+refs/heads/" + branch + ":" + trackingRef());
        try (Git git = new Git(repository)) {
            configure(git.fetch().setRemote(url).setRefSpecs(spec).setRemoveDeletedRefs(false)).call();
            Ref ref = repository.exactRef(trackingRef());
            if (ref == null || ref.getObjectId() == null) {
                throw new GitException("branch " + branch + " not found at " + safeUrl());
            }
            LOG.debug("fetched {} {} at {}", safeUrl(), branch, ref.getObjectId().name());
            return ref.getObjectId();
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw failure("fetch", e);
        }
    }

    /** Fetches arbitrary refspecs (e.g. notes) from the remote; missing remote refs are not an error. */
    public void fetch(String... refSpecs) throws GitException {
        List<RefSpec> specs = new ArrayList<>();
        for (String s : refSpecs) {
            specs.add(new RefSpec(s));
        }
        try (Git git = new Git(repository)) {
            configure(git.fetch().setRemote(url).setRefSpecs(specs)).call();
        } catch (GitAPIException | RuntimeException e) {
            throw failure("fetch", e);
        }
    }

    /**
     * Fetches one remote ref into {@code localRef} (forced), {@code depth} commits deep (0: whole history; a review
     * needs one tree, and a shallow fetch bounds what an untrusted head can make us download), and returns the
     * commit it points at.
     */
    public ObjectId fetchRef(String remoteRef, String localRef, int depth) throws GitException {
        try (Git git = new Git(repository)) {
            var fetch = git.fetch().setRemote(url).setRefSpecs(new RefSpec("+" + remoteRef + ":" + localRef))
                    .setRemoveDeletedRefs(false);
            if (depth > 0) {
                fetch.setDepth(depth);
            }
            configure(fetch).call();
            Ref ref = repository.exactRef(localRef);
            if (ref == null || ref.getObjectId() == null) {
                throw new GitException(remoteRef + " not found at " + safeUrl());
            }
            return ref.getObjectId();
        } catch (GitAPIException | IOException | RuntimeException e) {
            throw failure("fetch " + remoteRef + " from", e);
        }
    }

    /** Pushes one refspec; returns the remote's verdict (OK, REJECTED_NONFASTFORWARD, ...). */
    public RemoteRefUpdate.Status push(String refSpec) throws GitException {
        try (Git git = new Git(repository)) {
            Iterable<PushResult> results = configure(git.push().setRemote(url).setRefSpecs(new RefSpec(refSpec)))
                    .call();
            RemoteRefUpdate.Status status = RemoteRefUpdate.Status.NOT_ATTEMPTED;
            for (PushResult r : results) {
                for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                    status = u.getStatus();
                }
            }
            return status;
        } catch (GitAPIException | RuntimeException e) {
            throw failure("push", e);
        }
    }

    /** True when {@code ancestor} is reachable from {@code head} (both present locally). */
    public boolean isAncestor(ObjectId ancestor, ObjectId head) throws IOException {
        if (!repository.getObjectDatabase().has(ancestor)) {
            return false;
        }
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit a = walk.parseCommit(ancestor);
            RevCommit h = walk.parseCommit(head);
            return walk.isMergedInto(a, h);
        }
    }

    private <C extends TransportCommand<C, ?>> C configure(C command) {
        command.setTimeout(60);
        if (credentials.hasToken()) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(credentials.username(),
                    credentials.tokenChars()));
        }
        if (isSsh(url)) {
            ExternalSshSessionFactory factory = new ExternalSshSessionFactory(sshCommand, credentials.sshKeyFile(),
                    credentials.knownHostsFile());
            command.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport ssh) {
                    ssh.setSshSessionFactory(factory);
                }
            });
        }
        return command;
    }

    static boolean isSsh(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("ssh://") || lower.startsWith("git+ssh://") || lower.startsWith("ssh+git://")) {
            return true;
        }
        if (lower.contains("://") || lower.startsWith("/") || lower.startsWith(".")) {
            return false;
        }
        try {
            URIish u = new URIish(url);
            return u.getHost() != null && u.getScheme() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The URL without any user-info credentials. */
    public String safeUrl() {
        return credentials.redact(url);
    }

    private GitException failure(String what, Exception e) {
        StringBuilder msg = new StringBuilder(what).append(' ').append(safeUrl()).append(": ");
        Throwable t = e;
        String last = null;
        while (t != null) {
            String m = t.getMessage();
            if (m != null && !m.equals(last)) {
                if (last != null) {
                    msg.append(": ");
                }
                msg.append(m);
                last = m;
            }
            t = t.getCause();
        }
        GitException ge = new GitException(credentials.redact(msg.toString()));
        LOG.warn("{}", ge.getMessage());
        return ge;
    }

    @Override
    public void close() {
        repository.close();
    }
}
