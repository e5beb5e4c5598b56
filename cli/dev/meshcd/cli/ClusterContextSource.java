package dev.meshcd.cli;

import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.kube.ApiResources;
import dev.meshcd.kube.ClusterContextLoader;
import dev.meshcd.kube.Faults;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code --kubeconfig} for the compiling commands (check, compile, simulate, diff): the live cluster, read once per
 * command and root namespace, as the context the repository is analyzed against.
 */
final class ClusterContextSource {
    private final Path kubeconfig;
    private final String kubeContext;
    private final PrintWriter err;
    private final Map<String, MeshContext> loaded = new HashMap<>();

    ClusterContextSource(Path kubeconfig, String kubeContext, PrintWriter err) {
        this.kubeconfig = kubeconfig;
        this.kubeContext = kubeContext;
        this.err = err;
    }

    /**
     * The cluster's objects, with Istio's mesh config from {@code rootNamespace}; what could not be read is noted on
     * standard error once.
     *
     * @throws MeshLoading.UsageException when the kubeconfig cannot be read or the cluster does not answer
     */
    MeshContext load(String rootNamespace) throws MeshLoading.UsageException {
        MeshContext context = loaded.get(rootNamespace);
        if (context != null) {
            return context;
        }
        try (KubernetesClient client = client(kubeconfig, kubeContext)) {
            ClusterContextLoader.Result result = new ClusterContextLoader(client, ApiResources.of(client),
                    KindRegistry.standard()).load(rootNamespace);
            result.notes().forEach(n -> err.println("meshcd: note: " + n));
            err.flush();
            loaded.put(rootNamespace, result.context());
            return result.context();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            throw new MeshLoading.UsageException("cannot read the cluster of " + describe() + ": " + Faults.oneLine(e));
        }
    }

    /** A client of the kubeconfig's cluster (the caller closes it); a bad kubeconfig is a usage error. */
    KubernetesClient client() throws MeshLoading.UsageException {
        return client(kubeconfig, kubeContext);
    }

    /** A client for a command line's {@code --kubeconfig} (and {@code --context}): one attempt per request, no retries. */
    static KubernetesClient client(Path kubeconfig, String kubeContext) throws MeshLoading.UsageException {
        Config cfg;
        try {
            cfg = Config.fromKubeconfig(kubeContext, SmallFile.read(kubeconfig), kubeconfig.toString());
        } catch (IOException e) { // bounded like every small file meshcd reads
            if (e.getCause() instanceof NoSuchFileException) {
                throw new MeshLoading.UsageException(kubeconfig + ": no such file (--kubeconfig)");
            }
            throw new MeshLoading.UsageException("--kubeconfig: " + e.getMessage());
        } catch (RuntimeException e) { // fabric8: not a kubeconfig, or no such context
            throw new MeshLoading.UsageException("--kubeconfig " + kubeconfig + ": " + Faults.oneLine(e));
        }
        // One attempt: a command line should fail fast, not retry for a minute as a controller would.
        cfg.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    String describe() {
        return kubeconfig + (kubeContext == null ? "" : " (context " + kubeContext + ")");
    }
}
