package dev.meshcd.sync.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * SSH transport through the OpenSSH client ({@code ssh}): JGit core has no SSH implementation of its
 * own (that lives in org.eclipse.jgit.ssh.apache, which meshcd does not ship), so each Git command runs
 * as {@code ssh -i KEY -o IdentitiesOnly=yes [-p PORT] user@host git-upload-pack 'path'}. With a
 * known_hosts file, host keys are checked strictly against it; without one, against the user's.
 */
public final class ExternalSshSessionFactory extends SshSessionFactory {
    private final String sshCommand;
    private final Path keyFile;
    private final Path knownHosts;

    public ExternalSshSessionFactory(String sshCommand, Path keyFile, Path knownHosts) {
        this.sshCommand = sshCommand == null ? "ssh" : sshCommand;
        this.keyFile = keyFile;
        this.knownHosts = knownHosts;
    }

    @Override
    public String getType() {
        return "meshcd-openssh";
    }

    /** The ssh argument list for one remote command (visible for tests). */
    List<String> command(URIish uri, String remoteCommand) {
        List<String> cmd = new ArrayList<>();
        cmd.add(sshCommand);
        cmd.add("-o");
        cmd.add("BatchMode=yes");
        if (keyFile != null) {
            cmd.add("-i");
            cmd.add(keyFile.toString());
            cmd.add("-o");
            cmd.add("IdentitiesOnly=yes");
        }
        if (knownHosts != null) {
            cmd.add("-o");
            cmd.add("UserKnownHostsFile=" + knownHosts);
            cmd.add("-o");
            cmd.add("StrictHostKeyChecking=yes");
        }
        if (uri.getPort() > 0) {
            cmd.add("-p");
            cmd.add(Integer.toString(uri.getPort()));
        }
        String user = uri.getUser();
        cmd.add(user == null || user.isEmpty() ? uri.getHost() : user + "@" + uri.getHost());
        cmd.add(remoteCommand);
        return cmd;
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider credentialsProvider, FS fs, int tms)
            throws TransportException {
        return new RemoteSession() {
            @Override
            public Process exec(String commandName, int timeout) throws IOException {
                ProcessBuilder pb = new ProcessBuilder(command(uri, commandName));
                if (keyFile != null) {
                    pb.environment().remove("SSH_AUTH_SOCK"); // only the configured key
                }
                return pb.start();
            }

            @Override
            public void disconnect() {
                // one process per command; nothing held open
            }
        };
    }
}
