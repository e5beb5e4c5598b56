package dev.meshcd.admission.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a cluster runs init containers with {@code restartPolicy: Always} as sidecars (Kubernetes 1.29, where
 * the SidecarContainers feature is on by default), so that istio-proxy may be injected as one. An older API
 * server drops the field, and istio-proxy becomes an init container that never ends: the pod never starts.
 */
public final class NativeSidecarSupport {
    static final int FIRST_MINOR = 29;
    private static final Logger LOG = LoggerFactory.getLogger(NativeSidecarSupport.class);

    private NativeSidecarSupport() {
    }

    /**
     * From the API server's {@code /version}; false (regular sidecars, which every version runs) when it cannot
     * be read.
     */
    public static boolean of(KubernetesClient client) {
        try {
            VersionInfo v = client.getKubernetesVersion();
            return v != null && supported(v.getMajor(), v.getMinor());
        } catch (KubernetesClientException e) {
            LOG.warn("cannot read the API server's version ({}): injecting regular sidecars, not native ones",
                    e.getMessage());
            return false;
        }
    }

    /** {@code major}/{@code minor} as {@code /version} reports them ("1", "29" or "29+"). */
    public static boolean supported(String major, String minor) {
        int ma = leadingNumber(major);
        int mi = leadingNumber(minor);
        return ma > 1 || ma == 1 && mi >= FIRST_MINOR;
    }

    private static int leadingNumber(String s) {
        int n = 0;
        int i = 0;
        while (s != null && i < s.length() && Character.isDigit(s.charAt(i)) && n < 100_000) {
            n = n * 10 + (s.charAt(i++) - '0');
        }
        return i == 0 ? -1 : n;
    }
}
