package dev.meshcd.sync.review;

import java.net.URI;
import java.util.Locale;

/**
 * Which clone URLs from a pull-request payload meshcd will fetch from: https, http, ssh, git and scp-like
 * {@code user@host:path} URLs naming a host; never a local path, {@code file://}, a transport helper
 * ({@code ext::}), a host that starts with {@code -} (it would reach ssh's command line as an option), user info
 * with a password, or anything with spaces or control characters.
 */
public final class ForkUrls {
    static final int MAX_LENGTH = 2048;

    private ForkUrls() {
    }

    public static boolean allowed(String url) {
        if (url == null || url.isEmpty() || url.length() > MAX_LENGTH
                || url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return false;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.matches("(https?|ssh|git)://.*")) {
            URI u;
            try {
                u = new URI(url);
            } catch (java.net.URISyntaxException e) {
                return false;
            }
            String host = u.getHost();
            String info = u.getRawUserInfo();
            return host != null && !host.startsWith("-") && (info == null || !info.contains(":"))
                    && u.getRawPath() != null && u.getRawPath().length() > 1;
        }
        // scp-like: user@host:path (no scheme, no second ':' before the path)
        return url.matches("[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9._~][^:]*");
    }

    /** A branch name a refspec can carry safely: Git's rules in short, no {@code ..}, no {@code :}, no glob. */
    public static boolean branchName(String name) {
        return name != null && name.length() <= 255 && name.matches("[A-Za-z0-9._/-]+") && !name.contains("..")
                && !name.startsWith("-") && !name.startsWith("/") && !name.endsWith("/") && !name.endsWith(".lock");
    }
}
