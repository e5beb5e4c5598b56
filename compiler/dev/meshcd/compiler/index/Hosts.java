package dev.meshcd.compiler.index;

import java.util.Locale;

/** Istio's host name rules: short-name resolution and wildcard matching. */
public final class Hosts {
    private Hosts() {
    }

    /**
     * Resolves a host as istiod does ({@code ResolveShortnameToFQDN}): a name without dots is a
     * Kubernetes service in {@code namespace}; anything else, wildcards included, stays as written.
     */
    public static String resolve(String host, String namespace, String domainSuffix) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("*") || h.contains(".") || namespace == null || namespace.isEmpty()) {
            return h;
        }
        return h + "." + namespace + ".svc." + domainSuffix;
    }

    public static boolean isWildcard(String host) {
        return host.startsWith("*");
    }

    /** True when the (possibly wildcard) pattern covers the concrete or wildcard host. */
    public static boolean covers(String pattern, String host) {
        if (pattern.equals("*") || pattern.equals(host)) {
            return true;
        }
        if (isWildcard(pattern)) {
            String suffix = pattern.substring(1); // ".example.com"
            if (isWildcard(host)) {
                return host.substring(1).endsWith(suffix);
            }
            return host.endsWith(suffix);
        }
        return false;
    }

    /** True when two host patterns can match a common host. */
    public static boolean overlap(String a, String b) {
        return covers(a, b) || covers(b, a);
    }
}
