package dev.meshcd.sync.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Whether a webhook delivery comes from the forge holding the shared secret:
 * <ul>
 *   <li>GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>}</li>
 *   <li>Gitea/Forgejo: {@code X-Gitea-Signature} (or {@code X-Forgejo-Signature}): {@code <hex HMAC-SHA256>}</li>
 *   <li>GitLab: {@code X-Gitlab-Token: <secret>}</li>
 * </ul>
 * Compared in constant time; the secret is never logged.
 */
public final class WebhookSignature {
    private final byte[] secret;

    public WebhookSignature(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret is required");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** @param h the request headers, looked up case-insensitively by the caller's map */
    public boolean verify(PushWebhook.Forge forge, Map<String, String> h, byte[] body) {
        return switch (forge) {
            case GITHUB -> {
                String sig = h.get("X-Hub-Signature-256");
                yield sig != null && sig.startsWith("sha256=") && equalHex(sig.substring(7), hmac(body));
            }
            case GITEA -> {
                String sig = h.get("X-Gitea-Signature");
                if (sig == null) {
                    sig = h.get("X-Forgejo-Signature");
                }
                yield sig != null && equalHex(sig, hmac(body));
            }
            case GITLAB -> {
                String token = h.get("X-Gitlab-Token");
                yield token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), secret);
            }
        };
    }

    /** HMAC-SHA256 of the body with the secret (what the forge sends, hex-encoded). */
    public byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean equalHex(String hex, byte[] expected) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected); // constant time for equal lengths
    }
}
