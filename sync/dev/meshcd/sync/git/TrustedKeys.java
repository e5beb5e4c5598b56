package dev.meshcd.sync.git;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * The OpenPGP public keys whose commit signatures meshcd trusts ({@code --require-signed-by keys.asc}): one or more
 * ASCII-armored public key blocks (as {@code gpg --armor --export} writes them, several blocks may be concatenated)
 * or a binary keyring. Only these keys count; {@code ~/.gnupg} and its trust database are never consulted.
 *
 * <p>Subkeys count only with a valid binding signature by their primary key (a subkey appended to someone's key
 * by a third party, as keyservers allow, is ignored), and only when their key flags allow signing.
 * Immutable and thread-safe.
 */
public final class TrustedKeys {
    private static final Pattern ARMOR = Pattern.compile(
            "-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----.*?-----END PGP \\1 KEY BLOCK-----", Pattern.DOTALL);

    /**
     * One usable key: a primary key or a bound subkey, with the primary it belongs to.
     *
     * @param revoked true when the key (or its primary) carries a valid revocation signature
     * @param expires when the key (or its primary) expires, or null
     */
    public record TrustedKey(PGPPublicKey key, PGPPublicKey primary, String userId, boolean revoked, Instant expires) {
        /** 16 upper-case hex digits, as gpg prints a long key ID. */
        public String keyId() {
            return TrustedKeys.keyId(key.getKeyID());
        }

        public String fingerprint() {
            return hex(key.getFingerprint());
        }

        /** The primary key's fingerprint (what users know the key by). */
        public String primaryFingerprint() {
            return hex(primary.getFingerprint());
        }
    }

    private final Map<Long, TrustedKey> byKeyId;
    private final List<PGPPublicKeyRing> rings;
    private final String source;

    private TrustedKeys(Map<Long, TrustedKey> byKeyId, List<PGPPublicKeyRing> rings, String source) {
        this.byKeyId = Collections.unmodifiableMap(byKeyId);
        this.rings = List.copyOf(rings);
        this.source = source;
    }

    /** Reads keys from files (armored or binary); an unreadable file or one without public keys is an error. */
    public static TrustedKeys load(Path... files) throws IOException {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IOException("trusted keys " + f + ": cannot read: " + e.getMessage(), e);
            }
            List<PGPPublicKeyRing> found = parse(bytes, f.toString());
            rings.addAll(found);
            names.add(f.toString());
        }
        return of(rings, String.join(", ", names));
    }

    /** Parses keys from the text of an armored keyring (tests, configuration held in memory). */
    public static TrustedKeys parse(String armored) throws IOException {
        return of(parse(armored.getBytes(StandardCharsets.UTF_8), "<keys>"), "<keys>");
    }

    private static TrustedKeys of(List<PGPPublicKeyRing> rings, String source) {
        Map<Long, TrustedKey> byId = new LinkedHashMap<>();
        for (PGPPublicKeyRing ring : rings) {
            PGPPublicKey primary = ring.getPublicKey();
            String uid = firstUserId(primary);
            boolean primaryRevoked = revoked(primary, primary, PGPSignature.KEY_REVOCATION);
            Instant primaryExpires = expiry(primary);
            byId.put(primary.getKeyID(), new TrustedKey(primary, primary, uid, primaryRevoked, primaryExpires));
            Iterator<PGPPublicKey> keys = ring.getPublicKeys();
            while (keys.hasNext()) {
                PGPPublicKey k = keys.next();
                if (!k.isMasterKey() && boundForSigning(primary, k)) {
                    Instant subExpires = expiry(k);
                    Instant expires = primaryExpires == null ? subExpires : subExpires == null ? primaryExpires
                            : subExpires.isBefore(primaryExpires) ? subExpires : primaryExpires;
                    byId.put(k.getKeyID(), new TrustedKey(k, primary, uid,
                            primaryRevoked || revoked(primary, k, PGPSignature.SUBKEY_REVOCATION), expires));
                }
            }
        }
        return new TrustedKeys(byId, rings, source);
    }

    static List<PGPPublicKeyRing> parse(byte[] bytes, String name) throws IOException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        if (text.contains("-----BEGIN PGP ")) {
            Matcher m = ARMOR.matcher(text);
            while (m.find()) {
                if (m.group(1).equals("PRIVATE")) {
                    throw new IOException("trusted keys " + name + ": holds a private key; give only public keys "
                            + "(gpg --armor --export KEYID)");
                }
                rings.addAll(decode(m.group().getBytes(StandardCharsets.ISO_8859_1), name));
            }
        } else if (bytes.length > 0) {
            rings.addAll(decode(bytes, name));
        }
        if (rings.isEmpty()) {
            throw new IOException("trusted keys " + name + ": no OpenPGP public key found (expected the output of "
                    + "gpg --armor --export KEYID)");
        }
        return rings;
    }

    private static List<PGPPublicKeyRing> decode(byte[] block, String name) throws IOException {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(block))) {
            PGPPublicKeyRingCollection c = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            List<PGPPublicKeyRing> out = new ArrayList<>();
            c.getKeyRings().forEachRemaining(out::add);
            return out;
        } catch (PGPException | IOException | RuntimeException e) {
            throw new IOException("trusted keys " + name + ": not an OpenPGP public keyring: " + e.getMessage(), e);
        }
    }

    /** True when {@code sub} carries a valid binding signature by {@code primary} that allows signing. */
    private static boolean boundForSigning(PGPPublicKey primary, PGPPublicKey sub) {
        Iterator<PGPSignature> sigs = sub.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
        while (sigs.hasNext()) {
            PGPSignature s = sigs.next();
            try {
                s.init(new BcPGPContentVerifierBuilderProvider(), primary);
                if (!s.verifyCertification(primary, sub)) {
                    continue;
                }
            } catch (PGPException | RuntimeException e) {
                continue;
            }
            int flags = s.getHashedSubPackets() == null ? 0 : s.getHashedSubPackets().getKeyFlags();
            if (flags == 0 || (flags & KeyFlags.SIGN_DATA) != 0) {
                return true;
            }
        }
        return false;
    }

    /** A revocation signature of {@code type} on {@code key} that verifies against {@code primary}. */
    private static boolean revoked(PGPPublicKey primary, PGPPublicKey key, int type) {
        Iterator<PGPSignature> sigs = key.getSignaturesOfType(type);
        while (sigs.hasNext()) {
            PGPSignature s = sigs.next();
            try {
                s.init(new BcPGPContentVerifierBuilderProvider(), primary);
                if (key == primary ? s.verifyCertification(primary) : s.verifyCertification(primary, key)) {
                    return true;
                }
            } catch (PGPException | RuntimeException e) {
                // an unverifiable revocation (e.g. added by a third party) does not count
            }
        }
        return false;
    }

    private static Instant expiry(PGPPublicKey key) {
        long valid = key.getValidSeconds();
        return valid <= 0 ? null : key.getCreationTime().toInstant().plusSeconds(valid);
    }

    private static String firstUserId(PGPPublicKey key) {
        Iterator<String> ids = key.getUserIDs();
        return ids.hasNext() ? ids.next() : "";
    }

    /** The key (primary or bound signing subkey) with this 64-bit key ID. */
    public Optional<TrustedKey> find(long keyId) {
        return Optional.ofNullable(byKeyId.get(keyId));
    }

    /** The key with this fingerprint (issuer fingerprint subpacket of v4+ signatures). */
    public Optional<TrustedKey> find(byte[] fingerprint) {
        for (TrustedKey k : byKeyId.values()) {
            if (java.util.Arrays.equals(k.key().getFingerprint(), fingerprint)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** Primary keys, one per key ring. */
    public List<TrustedKey> primaries() {
        Map<Long, TrustedKey> seen = new LinkedHashMap<>();
        for (PGPPublicKeyRing r : rings) {
            PGPPublicKey p = r.getPublicKey();
            seen.putIfAbsent(p.getKeyID(), byKeyId.get(p.getKeyID()));
        }
        return List.copyOf(seen.values());
    }

    /** Where the keys came from (file names), for logs. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("trusted keys from ").append(source).append(':');
        for (TrustedKey k : primaries()) {
            sb.append(' ').append(k.primaryFingerprint()).append(k.userId().isEmpty() ? "" : " (" + k.userId() + ")");
        }
        return sb.toString();
    }

    static String keyId(long id) {
        return String.format(Locale.ROOT, "%016X", id);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(String.format(Locale.ROOT, "%02X", x & 0xff));
        }
        return sb.toString();
    }
}
