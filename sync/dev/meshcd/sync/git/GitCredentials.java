package dev.meshcd.sync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How meshcd authenticates to a Git server: a token (HTTPS basic auth, user name defaulting to
 * {@code git}) and/or an SSH private key file (with an optional known_hosts file). Read from files or
 * the environment; {@link #toString()} never shows the token, and {@link #redact(String)} scrubs it
 * from any text (exception messages) before it is logged or reported.
 *
 * <p>Environment variables: {@code MESHCD_GIT_TOKEN} or {@code MESHCD_GIT_TOKEN_FILE},
 * {@code MESHCD_GIT_USERNAME}, {@code MESHCD_GIT_SSH_KEY_FILE}, {@code MESHCD_GIT_KNOWN_HOSTS}.
 */
public final class GitCredentials {
    public static final GitCredentials NONE = new GitCredentials(null, null, null, null);

    private final String username;
    private final char[] token;
    private final Path sshKeyFile;
    private final Path knownHostsFile;

    public GitCredentials(String username, String token, Path sshKeyFile, Path knownHostsFile) {
        this.username = username == null || username.isBlank() ? "git" : username;
        this.token = token == null || token.isBlank() ? null : token.strip().toCharArray();
        this.sshKeyFile = sshKeyFile;
        this.knownHostsFile = knownHostsFile;
    }

    public static GitCredentials token(String username, String token) {
        return new GitCredentials(username, token, null, null);
    }

    public static GitCredentials sshKey(Path keyFile, Path knownHosts) {
        return new GitCredentials(null, null, keyFile, knownHosts);
    }

    /** Reads a token from a file (trailing newline stripped), as mounted from a Kubernetes Secret. */
    public static GitCredentials tokenFile(String username, Path file) throws IOException {
        return new GitCredentials(username, Files.readString(file, StandardCharsets.UTF_8).strip(), null, null);
    }

    /** From {@code MESHCD_GIT_*} variables in {@code env} (pass {@code System.getenv()}). */
    public static GitCredentials fromEnvironment(Map<String, String> env) throws IOException {
        String token = env.get("MESHCD_GIT_TOKEN");
        String tokenFile = env.get("MESHCD_GIT_TOKEN_FILE");
        if ((token == null || token.isBlank()) && tokenFile != null && !tokenFile.isBlank()) {
            token = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).strip();
        }
        String key = env.get("MESHCD_GIT_SSH_KEY_FILE");
        String hosts = env.get("MESHCD_GIT_KNOWN_HOSTS");
        return new GitCredentials(env.get("MESHCD_GIT_USERNAME"), token,
                key == null || key.isBlank() ? null : Path.of(key),
                hosts == null || hosts.isBlank() ? null : Path.of(hosts));
    }

    public String username() {
        return username;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** The token itself; only for putting it on the wire. */
    char[] tokenChars() {
        return token == null ? null : token.clone();
    }

    public String tokenValue() {
        return token == null ? null : new String(token);
    }

    public Path sshKeyFile() {
        return sshKeyFile;
    }

    public Path knownHostsFile() {
        return knownHostsFile;
    }

    /** The text with every occurrence of the token (and user:token@ URL credentials) replaced by ***. */
    public String redact(String text) {
        return redact(text, token == null ? List.of() : List.of(new String(token)));
    }

    /** Replaces each secret, and anything in URL user-info position, by ***. */
    public static String redact(String text, List<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        List<String> sorted = new ArrayList<>(secrets);
        sorted.sort((a, b) -> b.length() - a.length());
        for (String s : sorted) {
            if (s != null && !s.isEmpty()) {
                out = out.replace(s, "***");
            }
        }
        return out.replaceAll("(?i)(https?://)[^/@\\s:]+:[^/@\\s]+@", "$1***@");
    }

    @Override
    public String toString() {
        return "GitCredentials[user=" + username + ", token=" + (token == null ? "none" : "***")
                + ", sshKey=" + sshKeyFile + "]";
    }
}
