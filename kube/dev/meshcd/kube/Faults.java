package dev.meshcd.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** How a failed call to the cluster is told in a status or a log line: briefly, without a stack trace. */
public final class Faults {
    private Faults() {
    }

    /**
     * The API server's own status message when it answered; otherwise the root cause ({@code
     * "ConnectException: Connection refused"}), or the exception's message when it has no cause.
     */
    public static String brief(Throwable t) {
        if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
            return k.getStatus().getMessage();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root == t ? t.getMessage()
                : root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** {@link #brief}, cut at its first line: for one log line. */
    public static String oneLine(Throwable t) {
        String m = brief(t);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
