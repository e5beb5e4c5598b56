package dev.meshcd.bench;

import dev.meshcd.cli.Main;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Issue #18's benchmark: {@code meshcd review} of a one-line change (one VirtualService's weights) in a repository
 * of N services (MeshRepoGenerator: 7 documents and 2 proxies per service, no Sidecar scoping, so every proxy sees
 * every host) against the baseline of one {@code meshcd check} of the same repository, both run in process through
 * the CLI's entry point in the same JVM, alternated round by round; medians reported. Target: review at most 2x
 * check (BASE is compiled whole, HEAD as an update of the changed file, and only what the change reaches is
 * translated to Envoy configuration).
 *
 * <p>Run with {@code scripts/bench.sh ReviewBench [N] [ROUNDS]}.
 */
public final class ReviewBench {
    private ReviewBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path repo = Files.createTempDirectory("meshcd-review-bench-");
        MeshRepoGenerator.generate(repo, n);
        try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
            commit(git, "base");
            Path file = repo.resolve(MeshRepoGenerator.namespaceOf(n / 2)).resolve("svc-" + (n / 2) + ".yaml");
            Files.writeString(file, Files.readString(file).replace("weight: 90", "weight: 80")
                    .replace("weight: 10", "weight: 20"));
            commit(git, "one line");
        }
        System.out.printf("generated %d services into %s%n", n, repo);
        String[] check = {"check", "--no-config", repo.toString()};
        String[] review = {"review", "--no-config", "--repo", repo.toString(), "HEAD~1", "HEAD"};
        // warm-up, not counted; the review must say what changed
        quiet(check);
        String out = capture(review);
        if (!out.contains("svc-" + (n / 2)) || !out.contains("90% / v2 10% becomes v1 80% / v2 20%")) {
            throw new IllegalStateException("the review does not show the change:\n" + out);
        }
        long[] c = new long[rounds];
        long[] r = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            System.gc();
            long t0 = System.nanoTime();
            quiet(check);
            c[i] = System.nanoTime() - t0;
            System.gc();
            long t1 = System.nanoTime();
            quiet(review);
            r[i] = System.nanoTime() - t1;
            System.out.printf("round %d: check %.2f s, review %.2f s (%.2f)%n", i + 1, c[i] / 1e9, r[i] / 1e9,
                    (double) r[i] / c[i]);
        }
        long cm = median(c);
        long rm = median(r);
        System.out.printf("RESULT review-vs-check services=%d check_median_s=%.3f review_median_s=%.3f ratio=%.2f"
                + " comment_chars=%d cpus=%d%n", n, cm / 1e9, rm / 1e9, (double) rm / cm, out.length(),
                Runtime.getRuntime().availableProcessors());
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("bench", "bench@example.com");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static void quiet(String[] args) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            Main.run(args);
        } finally {
            System.setOut(old);
        }
    }

    private static String capture(String[] args) {
        PrintStream old = System.out;
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Main.run(args);
        } finally {
            System.setOut(old);
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
