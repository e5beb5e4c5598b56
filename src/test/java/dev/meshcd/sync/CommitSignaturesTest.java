package dev.meshcd.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshcd.sync.git.CommitSignatures;
import dev.meshcd.sync.git.CommitSignatures.Status;
import dev.meshcd.sync.git.TrustedKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commit signature verification against a given keyring, on real commits: signed with BouncyCastle keys written
 * with JGit, and (when gpg is installed) signed by {@code git commit -S} with a gpg-generated key and checked in
 * the other direction by {@code git verify-commit}. No cluster.
 */
class CommitSignaturesTest {
    static final SigningKey ALICE = SigningKey.generate("Alice <alice@example.com>");
    static final SigningKey ALICE_SUBKEY = SigningKey.generate("Alice Sub <alice-sub@example.com>", true, 0, false);
    static final SigningKey MALLORY = SigningKey.generate("Mallory <mallory@example.com>");
    static final SigningKey EXPIRED = SigningKey.generate("Old <old@example.com>", false, 60, false);
    static final SigningKey REVOKED = SigningKey.generate("Gone <gone@example.com>", false, 0, true);

    static Path work;
    static TrustedKeys trusted;

    @BeforeAll
    static void repo(@TempDir Path tmp) throws Exception {
        work = tmp.resolve("work");
        Files.createDirectories(work);
        GitServer.git(work, "init", "-q", "-b", "main");
        GitServer.git(work, "config", "user.name", "Test");
        GitServer.git(work, "config", "user.email", "test@example.com");
        trusted = TrustedKeys.parse(ALICE.armoredPublicKey() + ALICE_SUBKEY.armoredPublicKey()
                + EXPIRED.armoredPublicKey() + REVOKED.armoredPublicKey());
    }

    @AfterAll
    static void stopAgent() {
        GnuPg.stopAgents();
    }

    /** Commits a file in the test repo; returns the commit id. */
    static String commit(String content) throws Exception {
        Files.writeString(work.resolve("vs.yaml"), content);
        GitServer.git(work, "add", "-A");
        GitServer.git(work, "commit", "-q", "-m", "change " + content.hashCode());
        return GitServer.git(work, "rev-parse", "HEAD").strip();
    }

    static CommitSignatures.Verdict verify(String commit) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).build()) {
            return CommitSignatures.verify(repo, repo.resolve(commit), trusted);
        }
    }

    record Case(String name, Function<String, String> make, Status status, String description) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("signed by a trusted primary key", c -> sign(c, ALICE), Status.TRUSTED,
                        "signed by " + ALICE.signingKeyId() + " (Alice <alice@example.com>)"),
                new Case("signed by a trusted key's signing subkey", c -> sign(c, ALICE_SUBKEY), Status.TRUSTED,
                        "signed by " + ALICE_SUBKEY.signingKeyId() + " (Alice Sub <alice-sub@example.com>)"),
                new Case("unsigned", c -> c, Status.UNSIGNED, "unsigned commit"),
                new Case("signed by a key not in the keyring", c -> sign(c, MALLORY), Status.UNKNOWN_KEY,
                        "signed by unknown key " + MALLORY.signingKeyId()),
                new Case("message altered after signing", c -> tamper(sign(c, ALICE), "change", "chanGe"),
                        Status.BAD_SIGNATURE, "bad signature by key " + ALICE.signingKeyId() + " (Alice <alice@example.com>)"),
                new Case("author altered after signing", c -> tamper(sign(c, ALICE), "author Test", "author Eve"),
                        Status.BAD_SIGNATURE, "bad signature by key " + ALICE.signingKeyId() + " (Alice <alice@example.com>)"),
                new Case("signature header added to another commit", c -> graft(sign(c, ALICE), c), Status.BAD_SIGNATURE,
                        "bad signature by key " + ALICE.signingKeyId() + " (Alice <alice@example.com>)"),
                new Case("signed by a trusted key after it expired", c -> sign(c, EXPIRED), Status.INVALID_KEY,
                        "signed by key " + EXPIRED.signingKeyId() + " (Old <old@example.com>) after it expired"),
                new Case("signed by a revoked trusted key", c -> sign(c, REVOKED), Status.INVALID_KEY,
                        "signed by revoked key " + REVOKED.signingKeyId() + " (Gone <gone@example.com>)"),
                new Case("SSH signature", c -> withSignature(c, "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"),
                        Status.UNSUPPORTED, "SSH-signed commit; only OpenPGP signatures are accepted"),
                new Case("garbage in gpgsig", c -> withSignature(c, "-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n"),
                        Status.BAD_SIGNATURE, "bad signature")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verdicts(Case c) throws Exception {
        String base = commit("case: " + c.name());
        String sha = c.make().apply(base);
        CommitSignatures.Verdict v = verify(sha);
        assertThat(v.status()).as(v.description()).isEqualTo(c.status());
        assertThat(v.description()).startsWith(c.description());
        assertThat(v.trusted()).isEqualTo(c.status() == Status.TRUSTED);
        assertThat(v.commit()).isEqualTo(sha);
    }

    @Test
    void payloadIsTheCommitWithoutItsSignatureHeaders() throws Exception {
        String base = commit("payload");
        String signed = sign(base, ALICE);
        byte[] raw = rawCommit(signed);
        byte[] unsigned = rawCommit(base);
        String text = new String(raw, StandardCharsets.UTF_8);
        assertThat(text).contains("\ngpgsig -----BEGIN PGP SIGNATURE-----\n");
        // Re-signing keeps every other byte: stripping the header gives back the unsigned commit exactly.
        String stripped = text.replaceAll("(?s)gpgsig .*?-----END PGP SIGNATURE-----\n", "");
        assertThat(stripped).isEqualTo(new String(unsigned, StandardCharsets.UTF_8));
        // A gpgsig-sha256 header (a SHA-256 repository's signature) is not part of the signed payload either.
        String both = text.replace("\ngpgsig ", "\ngpgsig-sha256 -----BEGIN PGP SIGNATURE-----\n =abc\n -----END PGP SIGNATURE-----\ngpgsig ");
        assertThat(CommitSignatures.verify("x", both.getBytes(StandardCharsets.UTF_8), trusted).status())
                .isEqualTo(Status.TRUSTED);
        // The same header text in the message is content, not a signature.
        String inMessage = new String(unsigned, StandardCharsets.UTF_8) + "\ngpgsig -----BEGIN PGP SIGNATURE-----\n";
        assertThat(CommitSignatures.verify("x", inMessage.getBytes(StandardCharsets.UTF_8), trusted).status())
                .isEqualTo(Status.UNSIGNED);
    }

    @Test
    void keyringFiles(@TempDir Path tmp) throws Exception {
        Path two = tmp.resolve("keys.asc");
        Files.writeString(two, "# team keys\n" + ALICE.armoredPublicKey() + "\n" + MALLORY.armoredPublicKey());
        TrustedKeys keys = TrustedKeys.load(two);
        assertThat(keys.primaries()).hasSize(2);
        assertThat(keys.toString()).contains("Alice <alice@example.com>").contains("Mallory <mallory@example.com>");
        String signed = sign(commit("by mallory"), MALLORY);
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).build()) {
            assertThat(CommitSignatures.verify(repo, repo.resolve(signed), keys).status()).isEqualTo(Status.TRUSTED);
        }

        Map<String, String> bad = Map.of(
                "empty.asc", "",
                "text.asc", "not a key\n",
                "private.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxxxx\n-----END PGP PRIVATE KEY BLOCK-----\n",
                "corrupt.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n=AAAA\n-----END PGP PUBLIC KEY BLOCK-----\n");
        for (var e : bad.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.writeString(f, e.getValue());
            assertThatThrownBy(() -> TrustedKeys.load(f)).as(e.getKey()).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("trusted keys " + f + ": ");
        }
        assertThatThrownBy(() -> TrustedKeys.load(tmp.resolve("missing.asc"))).hasMessageContaining("cannot read");
        Files.writeString(tmp.resolve("private.asc"), "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxxxx\n-----END PGP PRIVATE KEY BLOCK-----\n");
        assertThatThrownBy(() -> TrustedKeys.load(tmp.resolve("private.asc"))).hasMessageContaining("holds a private key");
    }

    @Test
    void subkeyWithoutValidBindingIsNotTrusted() throws Exception {
        // Graft Mallory's signing subkey packet onto Alice's key ring, with Mallory's binding signature: a
        // third party appending a subkey to someone else's key (as keyservers allow) must not make it trusted.
        var aliceRing = ringOf(ALICE_SUBKEY);
        var malloryRing = ringOf(SigningKey.generate("Mallory2", true, 0, false));
        org.bouncycastle.openpgp.PGPPublicKey foreignSub = null;
        for (var it = malloryRing.getPublicKeys(); it.hasNext(); ) {
            var k = it.next();
            if (!k.isMasterKey()) {
                foreignSub = k;
            }
        }
        var grafted = org.bouncycastle.openpgp.PGPPublicKeyRing.insertPublicKey(aliceRing, foreignSub);
        var out = new java.io.ByteArrayOutputStream();
        try (var armor = new org.bouncycastle.bcpg.ArmoredOutputStream(out)) {
            grafted.encode(armor);
        }
        TrustedKeys keys = TrustedKeys.parse(out.toString(StandardCharsets.US_ASCII));
        assertThat(keys.find(foreignSub.getKeyID())).isEmpty();
        assertThat(keys.find(aliceRing.getPublicKey().getKeyID())).isPresent();
    }

    @Test
    void gitAndGpgAgree() throws Exception {
        Assumptions.assumeTrue(GnuPg.available(), "gpg not installed");
        Path home = Files.createTempDirectory("meshcd-gpg");
        GnuPg gpg = new GnuPg(home);
        // A gpg key whose signing is done by a subkey, and a commit signed by real git with it.
        String fpr = gpg.generate("Bob <bob@example.com>");
        gpg.run("--quick-add-key", fpr, "ed25519", "sign", "never");
        String bobKeys = gpg.run("--armor", "--export", fpr);
        Files.writeString(work.resolve("vs.yaml"), "by bob\n");
        GitServer.git(work, "add", "-A");
        gpg.git(work, "-c", "gpg.program=gpg", "-c", "user.signingkey=" + fpr, "commit", "-q", "-S", "-m", "signed by git");
        String bobCommit = GitServer.git(work, "rev-parse", "HEAD").strip();
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).build()) {
            CommitSignatures.Verdict v = CommitSignatures.verify(repo, repo.resolve(bobCommit), TrustedKeys.parse(bobKeys));
            assertThat(v.status()).as(v.description()).isEqualTo(Status.TRUSTED);
            assertThat(v.signer()).isEqualTo("Bob <bob@example.com>");
            assertThat(v.keyId()).isNotEqualTo(fpr.substring(24)).as("the subkey signed");
            assertThat(CommitSignatures.verify(repo, repo.resolve(bobCommit), trusted).status())
                    .isEqualTo(Status.UNKNOWN_KEY);
        }
        // The other direction: git + gpg accept what our test signer writes (so the tests above sign like git).
        String ours = sign(commit("by alice for git"), ALICE);
        Files.writeString(home.resolve("alice.asc"), ALICE.armoredPublicKey());
        gpg.run("--import", home.resolve("alice.asc").toString());
        String verify = gpg.git(work, "verify-commit", "--raw", ours);
        assertThat(verify).contains("GOODSIG").contains(ALICE.signingKeyId());
        String tampered = tamper(ours, "change", "chanGe");
        assertThatThrownBy(() -> gpg.git(work, "verify-commit", tampered)).hasMessageContaining("BAD signature");
    }

    // --- helpers -------------------------------------------------------------------------------------------

    static String sign(String commit, SigningKey key) {
        try {
            return SigningKey.resign(work, commit, key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String tamper(String commit, String from, String to) {
        try {
            return SigningKey.tamper(work, commit, from, to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Another commit carrying the first one's gpgsig header. */
    static String graft(String signed, String other) {
        try {
            String raw = new String(rawCommit(signed), StandardCharsets.UTF_8);
            String sig = raw.substring(raw.indexOf("gpgsig "), raw.indexOf("-----END PGP SIGNATURE-----\n") + 28);
            String base = commit("graft target " + other);
            String target = new String(rawCommit(base), StandardCharsets.UTF_8);
            int committer = target.indexOf('\n', target.indexOf("\ncommitter ") + 1) + 1;
            return insert(target.substring(0, committer) + sig + target.substring(committer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String withSignature(String commit, String armored) {
        try {
            String target = new String(rawCommit(commit), StandardCharsets.UTF_8);
            int committer = target.indexOf('\n', target.indexOf("\ncommitter ") + 1) + 1;
            String header = "gpgsig " + armored.strip().replace("\n", "\n ") + "\n";
            return insert(target.substring(0, committer) + header + target.substring(committer));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String insert(String rawCommit) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).build();
             var ins = repo.newObjectInserter()) {
            var id = ins.insert(org.eclipse.jgit.lib.Constants.OBJ_COMMIT, rawCommit.getBytes(StandardCharsets.UTF_8));
            ins.flush();
            return id.name();
        }
    }

    static byte[] rawCommit(String sha) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).build();
             var walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            return walk.parseCommit(repo.resolve(sha)).getRawBuffer();
        }
    }

    static org.bouncycastle.openpgp.PGPPublicKeyRing ringOf(SigningKey key) throws IOException {
        try (var in = org.bouncycastle.openpgp.PGPUtil.getDecoderStream(
                new java.io.ByteArrayInputStream(key.armoredPublicKey().getBytes(StandardCharsets.US_ASCII)))) {
            return new org.bouncycastle.openpgp.PGPPublicKeyRing(in,
                    new org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator());
        }
    }

    /** The real gpg with a private home directory (its agent is stopped after the tests). */
    static final class GnuPg {
        private static final List<Path> HOMES = new ArrayList<>();
        final Path home;

        GnuPg(Path home) throws IOException {
            this.home = home;
            Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            synchronized (HOMES) {
                HOMES.add(home);
            }
        }

        static boolean available() {
            try {
                Process p = new ProcessBuilder("gpg", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }

        /** Generates an unprotected Ed25519 key (certify only; add signing subkeys separately); returns its fingerprint. */
        String generate(String uid) throws Exception {
            run("--quick-generate-key", uid, "ed25519", "cert", "never");
            String colons = run("--with-colons", "--list-keys", uid);
            for (String line : colons.split("\n")) {
                if (line.startsWith("fpr:")) {
                    return line.split(":")[9];
                }
            }
            throw new IllegalStateException("no fingerprint in " + colons);
        }

        String run(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--pinentry-mode", "loopback",
                    "--passphrase", ""));
            cmd.addAll(List.of(args));
            return exec(cmd, null);
        }

        String git(Path dir, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            return exec(cmd, dir);
        }

        private String exec(List<String> cmd, Path dir) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("GNUPGHOME", home.toString());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        }

        /** Stops the gpg-agent each private home started (by its home, so no other agent is touched). */
        static void stopAgents() {
            synchronized (HOMES) {
                for (Path h : HOMES) {
                    try {
                        ProcessBuilder pb = new ProcessBuilder("gpgconf", "--homedir", h.toString(), "--kill", "gpg-agent")
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                        pb.start().waitFor(10, TimeUnit.SECONDS);
                        try (Stream<Path> files = Files.walk(h)) {
                            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                        }
                    } catch (IOException | InterruptedException e) {
                        // best effort
                    }
                }
                HOMES.clear();
            }
        }
    }
}
