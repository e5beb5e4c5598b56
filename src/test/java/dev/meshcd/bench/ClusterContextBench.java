package dev.meshcd.bench;

import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.kube.ApiResources;
import dev.meshcd.kube.ClusterContextLoader;
import dev.meshcd.testing.LocalCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loading a live cluster as analysis context ({@code --kubeconfig}) against {@code kubectl get -A -o json} of the
 * same kinds, on a real kube-apiserver holding SERVICES Services and PODS Pods (realistic pods: env, volumes,
 * probes, resources, as Deployments create them). Rounds alternate kubectl and meshcd; wall time each, meshcd's
 * heap in use after its load (after a GC) and the heap's peak. Run it with the heap it must fit in:
 * {@code BENCH_JAVA_OPTS=-Xmx1g scripts/bench.sh ClusterContextBench [SERVICES=10000] [PODS=50000] [ROUNDS=3]}.
 */
public final class ClusterContextBench {
    private static final String KINDS = "namespaces,services,pods,deployments.apps,statefulsets.apps,daemonsets.apps,"
            + "replicasets.apps,jobs.batch,cronjobs.batch,secrets,virtualservices.networking.istio.io,"
            + "destinationrules.networking.istio.io,gateways.networking.istio.io,serviceentries.networking.istio.io,"
            + "sidecars.networking.istio.io,workloadentries.networking.istio.io,workloadgroups.networking.istio.io,"
            + "envoyfilters.networking.istio.io,proxyconfigs.networking.istio.io,"
            + "authorizationpolicies.security.istio.io,peerauthentications.security.istio.io,"
            + "requestauthentications.security.istio.io,telemetries.telemetry.istio.io,wasmplugins.extensions.istio.io";

    private ClusterContextBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try (LocalCluster cluster = LocalCluster.startPrivate()) {
            // Creating 60,000 objects on a loaded machine: long timeouts, and fabric8 retries what still times out.
            KubernetesClient client = cluster.client(cfg -> {
                cfg.setRequestTimeout(120_000);
                cfg.setRequestRetryBackoffLimit(5);
            });
            long t0 = System.nanoTime();
            populate(client, services, pods);
            System.out.printf("created %d Services and %d Pods in %.1f s%n", services, pods, secs(System.nanoTime() - t0));
            ClusterContextLoader loader = new ClusterContextLoader(client, ApiResources.of(client), KindRegistry.standard());
            System.out.println("| round | kubectl get -A -o json | meshcd load | ratio | objects | heap after load |");
            System.out.println("| --- | --- | --- | --- | --- | --- |");
            for (int r = 1; r <= rounds; r++) {
                long k0 = System.nanoTime();
                Process p = new ProcessBuilder(LocalCluster.Kubectl.kubectlBinary(), "--kubeconfig",
                        cluster.kubeconfig().toString(), "get", KINDS, "-A", "-o", "json")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("kubectl get failed");
                }
                long kubectl = System.nanoTime() - k0;
                System.gc();
                long m0 = System.nanoTime();
                ClusterContextLoader.Result result = loader.load("istio-system");
                long meshcd = System.nanoTime() - m0;
                System.gc();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.printf("| %d | %.2f s | %.2f s | %.2f | %d | %d MiB |%n", r, secs(kubectl), secs(meshcd),
                        (double) meshcd / kubectl, result.context().resources().size(), heap >> 20);
                result = null;
            }
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("heap: max %d MiB, peak of the pools %d MiB%n",
                    Runtime.getRuntime().maxMemory() >> 20, peak >> 20);
        }
    }

    private static void populate(KubernetesClient client, int services, int pods) throws Exception {
        int namespaces = Math.max(1, services / 100);
        for (int n = 0; n < namespaces; n++) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + n).endMetadata().build()).create();
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            int i = s;
            done.add(pool.submit(() -> createPatiently(client, new ServiceBuilder().withNewMetadata().withName("svc-" + i)
                    .withNamespace("bench-" + (i % namespaces)).endMetadata().withNewSpec().withClusterIP("None")
                    .addToSelector("app", "svc-" + i).addNewPort().withName("http").withPort(8080).endPort()
                    .endSpec().build())));
        }
        for (int p = 0; p < pods; p++) {
            int i = p;
            done.add(pool.submit(() -> createPatiently(client, pod(i, services, namespaces))));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /** Creates an object, retrying what a loaded API server times out (409: an earlier attempt got through). */
    private static void createPatiently(KubernetesClient client, io.fabric8.kubernetes.api.model.HasMetadata object) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resource(object).create();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return;
                }
                if (attempt == 20) {
                    throw e;
                }
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A pod as a Deployment with a sidecar leaves it: labels, env, volumes, probes and resources. */
    private static Pod pod(int i, int services, int namespaces) {
        int svc = i % services;
        return new PodBuilder().withNewMetadata().withName("svc-" + svc + "-" + i).withNamespace("bench-" + (svc % namespaces))
                .withLabels(Map.of("app", "svc-" + svc, "version", "v" + (i % 3), "pod-template-hash", "7c9f8d6b5",
                        "security.istio.io/tlsMode", "istio", "service.istio.io/canonical-name", "svc-" + svc))
                .withAnnotations(Map.of("sidecar.istio.io/status", "{\"initContainers\":[\"istio-init\"],"
                        + "\"containers\":[\"istio-proxy\"],\"volumes\":[\"istio-envoy\",\"istio-data\"]}",
                        "prometheus.io/port", "15020", "prometheus.io/scrape", "true"))
                .endMetadata().withNewSpec().withServiceAccountName("svc-" + svc)
                .addNewContainer().withName("app").withImage("registry.example/app:1." + (i % 7))
                .addNewPort().withContainerPort(8080).withProtocol("TCP").endPort()
                .addNewEnv().withName("LOG_LEVEL").withValue("info").endEnv()
                .addNewEnv().withName("UPSTREAM").withValue("http://svc-" + ((svc + 1) % services) + ":8080").endEnv()
                .withNewResources().addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("256Mi")).endResources()
                .withNewReadinessProbe().withNewHttpGet().withPath("/healthz").withNewPort(8080).endHttpGet().endReadinessProbe()
                .addNewVolumeMount().withName("config").withMountPath("/etc/app").endVolumeMount()
                .endContainer()
                .addNewContainer().withName("istio-proxy").withImage("docker.io/istio/proxyv2:1.28.0")
                .withArgs("proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning")
                .addNewEnv().withName("ISTIO_META_WORKLOAD_NAME").withValue("svc-" + svc).endEnv()
                .addNewEnv().withName("ISTIO_META_MESH_ID").withValue("cluster.local").endEnv()
                .addNewEnv().withName("TRUST_DOMAIN").withValue("cluster.local").endEnv()
                .addNewPort().withContainerPort(15090).withName("http-envoy-prom").withProtocol("TCP").endPort()
                .withNewResources().addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("40Mi"))
                .endResources()
                .addNewVolumeMount().withName("istio-envoy").withMountPath("/etc/istio/proxy").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName("svc-" + svc).endConfigMap().endVolume()
                .addNewVolume().withName("istio-envoy").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                .endSpec().build();
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }
}
