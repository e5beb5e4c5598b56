package dev.meshcd.sync;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a real {@code git daemon} serving bare repositories under a base directory over git://
 * (push enabled), plus a working clone to commit and push from with the git command line.
 */
final class GitServer implements AutoCloseable {
    final Path base;
    final int port;
    private Process daemon;

    GitServer(Path base) throws IOException, InterruptedException {
        this.base = base;
        Files.createDirectories(base);
        this.port = freePort();
        startDaemon();
    }

    /** Starts git daemon (again, after {@link #stopDaemon()}) on this server's port. */
    void startDaemon() throws IOException, InterruptedException {
        this.daemon = new ProcessBuilder("git", "daemon", "--export-all", "--base-path=" + base, "--port=" + port,
                "--listen=127.0.0.1", "--enable=receive-pack", "--reuseaddr", base.toString())
                .redirectErrorStream(true).redirectOutput(base.resolve("daemon.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !daemon.isAlive()) {
                    throw new IOException("git daemon did not start: " + Files.readString(base.resolve("daemon.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Creates bare repo {@code name}.git and returns a working clone of it at {@code work}. */
    Path createRepo(String name, Path work) throws IOException, InterruptedException {
        Path bare = base.resolve(name + ".git");
        git(base, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(work.getParent(), "clone", "-q", bare.toString(), work.toString());
        git(work, "config", "user.name", "Test");
        git(work, "config", "user.email", "test@example.com");
        git(work, "checkout", "-q", "-b", "main");
        return work;
    }

    String url(String name) {
        return "git://127.0.0.1:" + port + "/" + name + ".git";
    }

    /** Writes files (path → content), commits them all and pushes; returns the commit id. */
    static String commit(Path work, String message, String... pathsAndContents) throws IOException, InterruptedException {
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path f = work.resolve(pathsAndContents[i]);
            if (pathsAndContents[i + 1] == null) {
                Files.deleteIfExists(f);
            } else {
                Files.createDirectories(f.getParent());
                Files.writeString(f, pathsAndContents[i + 1]);
            }
        }
        git(work, "add", "-A");
        git(work, "commit", "-q", "--allow-empty", "-m", message);
        git(work, "push", "-q", "-f", "origin", "HEAD:main");
        return git(work, "rev-parse", "HEAD").strip();
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** Stops git daemon: the remote is unreachable (connection refused) until {@link #startDaemon()}. */
    void stopDaemon() {
        close();
        try {
            daemon.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> children = daemon.descendants().toList();
        daemon.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!daemon.waitFor(5, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
