package dev.meshcd.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.Reviews;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.cluster.VersionedResources;
import dev.meshcd.admission.webhook.AdmissionRequest;
import dev.meshcd.admission.webhook.AdmissionReviews;
import dev.meshcd.admission.webhook.OwnershipGuard;
import dev.meshcd.admission.webhook.ValidatingHandler;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.Origin;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;

/**
 * A `/validate` request right after the cluster changed (a sync applying objects, an edit): CPU per
 * change + request with the live index derived from the last full build, against rebuilding the index
 * for every new snapshot version (what the handler did before). One request thread; process CPU, so the
 * background rebuilds (and the collector) count.
 * Run: {@code scripts/bench.sh LiveIndexBench [SERVICES=1000]}.
 */
public final class LiveIndexBench {
    private LiveIndexBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Compiler compiler = StandardStages.compiler(CompileOptions.DEFAULT);
        VersionedResources store = new VersionedResources();
        for (int i = 0; i < services; i++) {
            put(compiler, store, service(i));
            put(compiler, store, rule(i, i % 2 == 0));
        }
        OwnershipGuard guard = new OwnershipGuard(Set.of("system:serviceaccount:meshcd-system:meshcd"));
        ValidatingHandler live = new ValidatingHandler(compiler, Snapshot.of(store, Map.of()), guard);
        AdmissionRequest req = AdmissionReviews.parse(Reviews.review("CREATE", "alice", vs(services / 2), null, false));
        // process CPU, not the thread's: the background rebuilds of the live index count too
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long sink = 0;
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        for (int round = 0; round < 6; round++) {
            int n = 1500;
            long c0 = os.getProcessCpuTime();
            for (int i = 0; i < n; i++) { // one DestinationRule changes, then a request
                put(compiler, store, rule(i % services, (i + round) % 2 == 1));
                sink += live.handle(req).allowed() ? 1 : 0;
            }
            long c1 = os.getProcessCpuTime();
            int m = 60;
            for (int i = 0; i < m; i++) { // the same, indexing the whole snapshot for each new version
                put(compiler, store, rule(i % services, (i + round) % 2 == 1));
                sink += new ValidatingHandler(compiler, Snapshot.of(store.resources(), Map.of()), guard).handle(req)
                        .allowed() ? 1 : 0;
            }
            long c2 = os.getProcessCpuTime();
            if (round >= 2) {
                best[0] = Math.min(best[0], (c1 - c0) / n);
                best[1] = Math.min(best[1], (c2 - c1) / m);
            }
        }
        System.out.printf("%d resources; CPU per change + /validate: derived live index %.1f us, full index per "
                + "version %.1f us (%.0fx); checksum %d%n", store.size(), best[0] / 1e3, best[1] / 1e3,
                (double) best[1] / best[0], sink);
    }

    static void put(Compiler compiler, VersionedResources store, String yaml) {
        for (Resource r : compiler.decoder().decode(Reviews.yaml(yaml), Origin.NONE, new Diagnostics())) {
            store.put(r);
        }
    }

    static String service(int i) {
        return "apiVersion: v1\nkind: Service\nmetadata: {name: svc-%d, namespace: shop}\n"
                .formatted(i) + "spec: {selector: {app: svc-%d}, ports: [{name: http, port: 80}]}\n".formatted(i);
    }

    static String rule(int i, boolean withV2) {
        return ("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: svc-%d, namespace: shop}\n"
                + "spec: {host: svc-%d, subsets: [{name: v1, labels: {version: v1}}%s]}\n")
                .formatted(i, i, withV2 ? ", {name: v2, labels: {version: v2}}" : "");
    }

    static ObjectNode vs(int i) {
        return Reviews.yaml(("apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                + "metadata: {name: canary, namespace: shop}\n"
                + "spec: {hosts: [svc-%d], http: [{route: [{destination: {host: svc-%d, subset: v1}}]}]}\n")
                .formatted(i, i));
    }
}
