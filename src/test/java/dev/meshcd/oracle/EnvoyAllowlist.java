package dev.meshcd.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * src/test/resources/oracle/envoy-allowlist.txt: what the Envoy differential does not compare, and the known
 * differences, each with its reason. Fields are separated by " | " (a bare "|", as in cluster names, is text). Three kinds of line ({@code *} in a pattern matches any text):
 * <pre>
 * omit    | KIND/PATH                                   | reason   a field meshcd deliberately leaves out
 * default | KIND/PATH                        | VALUE    | reason   Envoy's default, stated by one side only
 * diff    | CORPUS | PROXY | only-istio|only-meshcd|differs | KEY | reason   a known difference
 * </pre>
 * KIND is routeconfig, vhost or cluster; KEY is a key of {@link EnvoyModel}. A diff entry must still match a
 * difference (no stale entries) in the corpora that ran.
 */
final class EnvoyAllowlist {
    static final Path FILE = Path.of("src/test/resources/oracle/envoy-allowlist.txt");

    record Omit(Pattern path, String value, String reason, int line) {
    }

    record Diff(Pattern corpus, Pattern proxy, String side, Pattern key, String reason, int line, String text) {
        boolean matches(String c, String p, String s, String k) {
            return side.equals(s) && corpus.matcher(c).matches() && proxy.matcher(p).matches() && key.matcher(k).matches();
        }
    }

    final List<Omit> omits = new ArrayList<>();
    final List<Diff> diffs = new ArrayList<>();
    final Set<Diff> used = new HashSet<>();

    static EnvoyAllowlist read() throws IOException {
        EnvoyAllowlist a = new EnvoyAllowlist();
        List<String> lines = Files.readAllLines(FILE);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+\\|\\s+"); // " | " separates: cluster names hold bare "|"
            String where = FILE + ":" + (i + 1);
            switch (f[0]) {
                case "omit" -> {
                    assertThat(f).as("%s: want 'omit | KIND/PATH | reason'", where).hasSize(3);
                    a.omits.add(new Omit(glob(f[1]), null, reason(f[2], where), i + 1));
                }
                case "default" -> {
                    assertThat(f).as("%s: want 'default | KIND/PATH | VALUE | reason'", where).hasSize(4);
                    a.omits.add(new Omit(glob(f[1]), f[2], reason(f[3], where), i + 1));
                }
                case "diff" -> {
                    assertThat(f).as("%s: want 'diff | CORPUS | PROXY | SIDE | KEY | reason'", where).hasSize(6);
                    assertThat(f[3]).as("%s side", where).isIn("only-istio", "only-meshcd", "differs");
                    a.diffs.add(new Diff(glob(f[1]), glob(f[2]), f[3], glob(f[4]), reason(f[5], where), i + 1,
                            where + ": " + line));
                }
                default -> throw new AssertionError(where + ": a line starts with omit, default or diff: " + line);
            }
        }
        return a;
    }

    private static String reason(String r, String where) {
        assertThat(r).as("%s: every entry needs a reason", where).isNotBlank();
        return r;
    }

    /** Whether a leaf (KIND/PATH and its value) is left out of the comparison. */
    boolean omitted(String kindPath, String value) {
        for (Omit o : omits) {
            if (o.path().matcher(kindPath).matches() && (o.value() == null || o.value().equals(value))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a difference is listed; marks the entry used. */
    boolean allowed(String corpus, String proxy, String side, String key) {
        for (Diff d : diffs) {
            if (d.matches(corpus, proxy, side, key)) {
                used.add(d);
                return true;
            }
        }
        return false;
    }

    /**
     * Entries of corpora that ran which matched nothing. Entries for every corpus ({@code *}) are judged by the test
     * of the fixed corpora only ({@code withWildcards}), so the generated test does not call them stale.
     */
    List<String> stale(Set<String> corporaRun, boolean withWildcards) {
        List<String> out = new ArrayList<>();
        for (Diff d : diffs) {
            if (!withWildcards && d.corpus().pattern().contains(".*")) {
                continue;
            }
            if (!used.contains(d) && corporaRun.stream().anyMatch(c -> d.corpus().matcher(c).matches())) {
                out.add(d.text());
            }
        }
        return out;
    }

    static Pattern glob(String g) {
        List<String> parts = new ArrayList<>();
        for (String part : g.split("\\*", -1)) {
            parts.add(Pattern.quote(part));
        }
        return Pattern.compile(String.join(".*", parts), Pattern.DOTALL);
    }
}
