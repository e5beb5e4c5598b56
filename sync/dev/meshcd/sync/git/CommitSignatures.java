package dev.meshcd.sync.git;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Verifies a commit's OpenPGP signature (its {@code gpgsig} header, as {@code git commit -S} writes it) against
 * {@link TrustedKeys} only, with BouncyCastle.
 *
 * <p>Why not JGit's {@code SignatureVerifiers}: its BouncyCastle verifier is a process-wide registry entry that
 * looks keys up in the user's {@code ~/.gnupg}, with gpg's trust database deciding; meshcd needs "trusted iff in
 * this keyring", per sync. The signed payload is computed as git does ({@code parse_buffer_signed_by_header}): the
 * raw commit object with every {@code gpgsig} / {@code gpgsig-sha256} header line and its continuation lines
 * removed.
 */
public final class CommitSignatures {
    private static final byte[][] SIGNATURE_HEADERS = {"gpgsig ".getBytes(StandardCharsets.US_ASCII),
            "gpgsig-sha256 ".getBytes(StandardCharsets.US_ASCII)};

    /** What a verification found. */
    public enum Status {
        /** A valid signature by a trusted, unrevoked, unexpired key. */
        TRUSTED,
        /** No signature at all. */
        UNSIGNED,
        /** A signature by a key that is not in the trusted set. */
        UNKNOWN_KEY,
        /** A trusted key's signature that does not verify (the commit was altered, or the signature is corrupt). */
        BAD_SIGNATURE,
        /** A valid signature by a trusted key that is revoked, was expired when signing, or did not exist yet. */
        INVALID_KEY,
        /** Not an OpenPGP signature (SSH, X.509) or one meshcd refuses (MD5). */
        UNSUPPORTED
    }

    /**
     * The verdict on one commit.
     *
     * @param keyId  the signing key's long ID (16 hex digits), or "" when unknown
     * @param signer the trusted key's first user ID, or ""
     * @param detail why, for the status description and the log
     */
    public record Verdict(String commit, Status status, String keyId, String signer, String detail) {
        public boolean trusted() {
            return status == Status.TRUSTED;
        }

        /** One line for a commit status: {@code unsigned commit}, {@code signed by unknown key 1A2B…}, ... */
        public String description() {
            return detail;
        }
    }

    private CommitSignatures() {
    }

    /** Verifies commit {@code id} of {@code repository} against {@code keys}. */
    public static Verdict verify(Repository repository, AnyObjectId id, TrustedKeys keys) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit commit = walk.parseCommit(id);
            return verify(commit.name(), commit.getRawBuffer(), keys);
        }
    }

    /** Verifies a raw commit object (header lines, blank line, message). */
    public static Verdict verify(String commit, byte[] raw, TrustedKeys keys) {
        byte[][] split = split(raw);
        byte[] payload = split[0];
        byte[] armored = split[1];
        if (armored == null) {
            return new Verdict(commit, Status.UNSIGNED, "", "", "unsigned commit");
        }
        String text = new String(armored, StandardCharsets.US_ASCII);
        if (text.startsWith("-----BEGIN SSH SIGNATURE-----")) {
            return new Verdict(commit, Status.UNSUPPORTED, "", "", "SSH-signed commit; only OpenPGP signatures are accepted");
        }
        if (text.startsWith("-----BEGIN SIGNED MESSAGE-----") || text.startsWith("-----BEGIN CMS")) {
            return new Verdict(commit, Status.UNSUPPORTED, "", "", "X.509-signed commit; only OpenPGP signatures are accepted");
        }
        List<PGPSignature> signatures;
        try {
            signatures = parseSignatures(armored);
        } catch (IOException | PGPException | RuntimeException e) {
            return new Verdict(commit, Status.BAD_SIGNATURE, "", "", "bad signature: unreadable OpenPGP data");
        }
        if (signatures.isEmpty()) {
            return new Verdict(commit, Status.BAD_SIGNATURE, "", "", "bad signature: no OpenPGP signature packet");
        }
        // Several signatures: any valid trusted one accepts; otherwise report the most telling failure.
        Verdict worst = null;
        for (PGPSignature sig : signatures) {
            Verdict v = verifyOne(commit, sig, payload, keys);
            if (v.trusted()) {
                return v;
            }
            if (worst == null || rank(v.status()) > rank(worst.status())) {
                worst = v;
            }
        }
        return worst;
    }

    private static int rank(Status s) {
        return switch (s) {
            case BAD_SIGNATURE -> 4;
            case INVALID_KEY -> 3;
            case UNSUPPORTED -> 2;
            case UNKNOWN_KEY -> 1;
            default -> 0;
        };
    }

    private static Verdict verifyOne(String commit, PGPSignature sig, byte[] payload, TrustedKeys keys) {
        byte[] issuerFingerprint = sig.getHashedSubPackets() == null || sig.getHashedSubPackets().getIssuerFingerprint() == null
                ? null : sig.getHashedSubPackets().getIssuerFingerprint().getFingerprint();
        var key = issuerFingerprint != null ? keys.find(issuerFingerprint) : keys.find(sig.getKeyID());
        if (key.isEmpty() && issuerFingerprint != null) {
            key = keys.find(sig.getKeyID());
        }
        String keyId = sig.getKeyID() != 0 ? TrustedKeys.keyId(sig.getKeyID())
                : issuerFingerprint != null ? TrustedKeys.hex(issuerFingerprint) : "";
        if (key.isEmpty()) {
            return new Verdict(commit, Status.UNKNOWN_KEY, keyId, "", "signed by unknown key " + keyId);
        }
        TrustedKeys.TrustedKey k = key.get();
        keyId = k.keyId();
        String who = k.userId().isEmpty() ? "" : " (" + k.userId() + ")";
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT
                && sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
            return new Verdict(commit, Status.BAD_SIGNATURE, keyId, k.userId(),
                    "bad signature by key " + keyId + ": not a document signature (type " + sig.getSignatureType() + ")");
        }
        if (sig.getHashAlgorithm() == HashAlgorithmTags.MD5) {
            return new Verdict(commit, Status.UNSUPPORTED, keyId, k.userId(), "signature by key " + keyId + " uses MD5");
        }
        boolean ok;
        try {
            sig.init(new BcPGPContentVerifierBuilderProvider(), k.key());
            sig.update(payload);
            ok = sig.verify();
        } catch (PGPException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            return new Verdict(commit, Status.BAD_SIGNATURE, keyId, k.userId(), "bad signature by key " + keyId + who);
        }
        if (k.revoked()) {
            return new Verdict(commit, Status.INVALID_KEY, keyId, k.userId(), "signed by revoked key " + keyId + who);
        }
        Instant signed = sig.getCreationTime().toInstant();
        if (signed.isBefore(k.key().getCreationTime().toInstant())) {
            return new Verdict(commit, Status.INVALID_KEY, keyId, k.userId(),
                    "signed by key " + keyId + who + " before the key existed");
        }
        if (k.expires() != null && signed.isAfter(k.expires())) {
            return new Verdict(commit, Status.INVALID_KEY, keyId, k.userId(),
                    "signed by key " + keyId + who + " after it expired (" + k.expires() + ")");
        }
        return new Verdict(commit, Status.TRUSTED, keyId, k.userId(), "signed by " + keyId + who);
    }

    private static List<PGPSignature> parseSignatures(byte[] armored) throws IOException, PGPException {
        List<PGPSignature> out = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            BcPGPObjectFactory f = new BcPGPObjectFactory(in);
            Object o;
            while ((o = f.nextObject()) != null) {
                if (o instanceof PGPCompressedData c) {
                    f = new BcPGPObjectFactory(c.getDataStream());
                } else if (o instanceof PGPSignatureList list) {
                    list.forEach(out::add);
                }
            }
        }
        return out;
    }

    /**
     * Splits a raw commit into {payload, signature}: the payload is the commit without its signature headers, the
     * signature the value of the {@code gpgsig} header (continuation lines joined, leading space removed), or null.
     */
    static byte[][] split(byte[] raw) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream(raw.length);
        ByteArrayOutputStream signature = null;
        int pos = 0;
        boolean inHeaders = true;
        boolean inSignature = false;
        while (pos < raw.length) {
            int end = pos;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int next = Math.min(end + 1, raw.length); // the line including its LF
            if (!inHeaders) {
                payload.write(raw, pos, raw.length - pos);
                break;
            }
            if (end == pos) { // blank line: end of the header section
                inHeaders = false;
                inSignature = false;
                payload.write(raw, pos, next - pos);
            } else if (inSignature && raw[pos] == ' ') {
                signature.write(raw, pos + 1, next - pos - 1);
            } else {
                inSignature = false;
                int header = signatureHeader(raw, pos);
                if (header >= 0) {
                    if (header == 0 && signature == null) { // gpgsig: the signature of a SHA-1 repository
                        signature = new ByteArrayOutputStream();
                        signature.write(raw, pos + SIGNATURE_HEADERS[0].length, next - pos - SIGNATURE_HEADERS[0].length);
                        inSignature = true;
                    } else {
                        inSignature = false;
                        // skip its continuation lines too
                        int p = next;
                        while (p < raw.length && raw[p] == ' ') {
                            while (p < raw.length && raw[p] != '\n') {
                                p++;
                            }
                            p = Math.min(p + 1, raw.length);
                        }
                        pos = p;
                        continue;
                    }
                } else {
                    payload.write(raw, pos, next - pos);
                }
            }
            pos = next;
        }
        return new byte[][] {payload.toByteArray(), signature == null ? null : signature.toByteArray()};
    }

    private static int signatureHeader(byte[] raw, int pos) {
        for (int i = 0; i < SIGNATURE_HEADERS.length; i++) {
            byte[] h = SIGNATURE_HEADERS[i];
            if (pos + h.length <= raw.length && java.util.Arrays.equals(raw, pos, pos + h.length, h, 0, h.length)) {
                return i;
            }
        }
        return -1;
    }
}
