package dev.meshcd.sync;

import dev.meshcd.sync.git.TrustedKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GpgSignature;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Test support: a real OpenPGP key (Ed25519, v4, generated with BouncyCastle; optionally signing with a bound
 * subkey, expiring or revoked) and real signed Git commits: the commit is built with JGit, signed over exactly the
 * bytes {@code git commit -S} signs, and written with its {@code gpgsig} header.
 */
final class SigningKey {
    private final PGPPublicKeyRing ring;
    private final PGPPublicKey signingPublic;
    private final PGPPrivateKey signingPrivate;

    private SigningKey(PGPPublicKeyRing ring, PGPPublicKey signingPublic, PGPPrivateKey signingPrivate) {
        this.ring = ring;
        this.signingPublic = signingPublic;
        this.signingPrivate = signingPrivate;
    }

    /** A primary key that signs itself. */
    static SigningKey generate(String userId) {
        return generate(userId, false, 0, false);
    }

    /**
     * @param subkey          sign with a bound signing subkey instead of the primary
     * @param expiresSeconds  key lifetime from its creation (0: never); the key is created 1 hour ago
     * @param revoked         add a revocation of the primary key
     */
    static SigningKey generate(String userId, boolean subkey, long expiresSeconds, boolean revoked) {
        try {
            Date created = new Date(System.currentTimeMillis() - 3_600_000L);
            PGPKeyPair primary = ed25519(created);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | (subkey ? 0 : KeyFlags.SIGN_DATA));
            if (expiresSeconds > 0) {
                hashed.setKeyExpirationTime(false, expiresSeconds);
            }
            PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary, userId,
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), hashed.generate(), null,
                    signer(primary.getPublicKey()), null);
            PGPKeyPair signing = primary;
            if (subkey) {
                signing = ed25519(created);
                PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
                sub.setKeyFlags(false, KeyFlags.SIGN_DATA);
                gen.addSubKey(signing, sub.generate(), null);
            }
            PGPPublicKeyRing ring = gen.generatePublicKeyRing();
            if (revoked) {
                PGPSignatureGenerator rg = new PGPSignatureGenerator(signer(primary.getPublicKey()), primary.getPublicKey());
                rg.init(PGPSignature.KEY_REVOCATION, primary.getPrivateKey());
                PGPSignature revocation = rg.generateCertification(ring.getPublicKey());
                ring = PGPPublicKeyRing.insertPublicKey(ring,
                        PGPPublicKey.addCertification(ring.getPublicKey(), revocation));
            }
            PGPPublicKey signingPublic = ring.getPublicKey(signing.getKeyID());
            return new SigningKey(ring, signingPublic, signing.getPrivateKey());
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PGPKeyPair ed25519(Date created) throws PGPException {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(),
                created);
    }

    private static BcPGPContentSignerBuilder signer(PGPPublicKey key) {
        return new BcPGPContentSignerBuilder(key.getAlgorithm(), HashAlgorithmTags.SHA256);
    }

    /** The public key block, as {@code gpg --armor --export} would give it. */
    String armoredPublicKey() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armor = new ArmoredOutputStream(out)) {
                ring.encode(armor);
            }
            return out.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    TrustedKeys trusted() throws IOException {
        return TrustedKeys.parse(armoredPublicKey());
    }

    /** 16 hex digits of the key that signs. */
    String signingKeyId() {
        return String.format("%016X", signingPublic.getKeyID());
    }

    /** An armored detached signature over {@code data}, as gpg writes it into a commit. */
    byte[] sign(byte[] data) {
        try {
            PGPSignatureGenerator g = new PGPSignatureGenerator(signer(signingPublic), signingPublic);
            g.init(PGPSignature.BINARY_DOCUMENT, signingPrivate);
            PGPSignatureSubpacketGenerator sp = new PGPSignatureSubpacketGenerator();
            sp.setSignatureCreationTime(false, new Date());
            sp.setIssuerFingerprint(false, signingPublic);
            g.setHashedSubpackets(sp.generate());
            g.update(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(out)) {
                g.generate().encode(armor);
            }
            return out.toByteArray();
        } catch (PGPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Replaces HEAD of the working clone {@code work} with the same commit signed by this key (like
     * {@code git commit --amend -S}), pushes it to {@code origin main} and returns the new commit id.
     */
    String signHeadAndPush(Path work) throws IOException, InterruptedException {
        String id = resign(work, "HEAD", this);
        GitServer.git(work, "push", "-q", "-f", "origin", "HEAD:main");
        return id;
    }

    /** Rewrites commit {@code rev} of the repository at {@code work} signed by {@code key}; moves HEAD's branch to it. */
    static String resign(Path work, String rev, SigningKey key) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repo); ObjectInserter ins = repo.newObjectInserter()) {
            RevCommit c = walk.parseCommit(repo.resolve(rev));
            CommitBuilder b = new CommitBuilder();
            b.setTreeId(c.getTree());
            b.setParentIds(c.getParents());
            b.setAuthor(c.getAuthorIdent());
            b.setCommitter(c.getCommitterIdent());
            b.setEncoding(c.getEncoding());
            b.setMessage(c.getFullMessage());
            b.setGpgSignature(new GpgSignature(key.sign(b.build())));
            ObjectId id = ins.insert(b);
            ins.flush();
            moveHead(repo, id);
            return id.name();
        }
    }

    /**
     * Writes a copy of commit {@code rev} (signature kept) whose message was altered after signing: what an
     * attacker with push access but without the key could produce. Moves HEAD's branch to it.
     */
    static String tamper(Path work, String rev, String oldText, String newText) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setWorkTree(work.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(repo); ObjectInserter ins = repo.newObjectInserter()) {
            RevCommit c = walk.parseCommit(repo.resolve(rev));
            String raw = new String(c.getRawBuffer(), StandardCharsets.UTF_8);
            if (!raw.contains(oldText)) {
                throw new IllegalArgumentException("commit " + c.name() + " has no " + oldText);
            }
            ObjectId id = ins.insert(Constants.OBJ_COMMIT, raw.replace(oldText, newText).getBytes(StandardCharsets.UTF_8));
            ins.flush();
            moveHead(repo, id);
            return id.name();
        }
    }

    private static void moveHead(Repository repo, ObjectId id) throws IOException {
        RefUpdate u = repo.updateRef(Constants.HEAD);
        u.setNewObjectId(id);
        u.setForceUpdate(true);
        RefUpdate.Result r = u.update();
        if (r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NEW && r != RefUpdate.Result.FAST_FORWARD
                && r != RefUpdate.Result.NO_CHANGE) {
            throw new IOException("cannot move HEAD to " + id.name() + ": " + r);
        }
    }
}
