package dev.meshcd.admission.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.admission.Reviews;
import dev.meshcd.admission.TestValidators;
import dev.meshcd.admission.cluster.Snapshot;
import dev.meshcd.admission.cluster.VersionedResources;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.Origin;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The validating webhook's view of a changing cluster: after every change its verdict on a VirtualService is
 * the one a handler over a fresh, fully indexed snapshot of the same resources gives, while small changes
 * are derived from the last full index instead of rebuilding it.
 */
class LiveIndexTest {
    static final Compiler COMPILER = TestValidators.compiler();
    static final OwnershipGuard GUARD = new OwnershipGuard(Set.of("system:serviceaccount:meshcd-system:meshcd"));

    VersionedResources store;
    ValidatingHandler live;

    @BeforeEach
    void mesh() {
        store = new VersionedResources();
        for (int i = 0; i < 20; i++) {
            service(i);
            destinationRule(i, "v1", "v2");
        }
        Snapshot snapshot = Snapshot.of(store, Map.of());
        live = new ValidatingHandler(COMPILER, snapshot, GUARD);
    }

    @Test
    void smallChangesAreDerivedAndSeenAtOnce() {
        assertVerdict(3, "v2", true);
        assertThat(live.rootBuilds()).isEqualTo(1);

        store.remove(destinationRuleKey(3)); // the subset's DestinationRule is gone
        assertVerdict(3, "v2", false);
        destinationRule(3, "v1"); // back, without v2
        assertVerdict(3, "v2", false);
        assertVerdict(3, "v1", true);
        destinationRule(3, "v1", "v2");
        assertVerdict(3, "v2", true);
        service(40); // a new service and its rule
        destinationRule(40, "v2");
        assertVerdict(40, "v2", true);
        assertThat(live.rootBuilds()).as("a handful of changes derive the index").isEqualTo(1);
    }

    @Test
    void manyChangesRebuildAndStayRight() {
        assertVerdict(5, "v2", true);
        for (int i = 100; i < 100 + dev.meshcd.admission.cluster.LiveIndex.rebuildAfter(store.size()) + 50; i++) {
            service(i);
            destinationRule(i, "v1", "v2");
        }
        store.remove(destinationRuleKey(150));
        assertVerdict(150, "v2", false); // derived from the old root while a new one is built in the background
        dev.meshcd.testing.Await.until(Duration.ofSeconds(10), "a new root", () -> live.rootBuilds() == 2);
        assertVerdict(151, "v2", true);
        store.remove(destinationRuleKey(151));
        assertVerdict(151, "v2", false); // derived from the new root
        assertThat(live.rootBuilds()).isEqualTo(2);
    }

    @Test
    void changesOlderThanTheLogRebuild() {
        assertVerdict(7, "v2", true);
        for (int round = 0; round * 40 <= VersionedResources.LOG_SIZE; round++) { // the same objects, re-sent
            for (int i = 0; i < 20; i++) {
                service(i);
                destinationRule(i, "v1", "v2");
            }
        }
        store.remove(destinationRuleKey(7));
        assertThat(store.changesSince(1)).as("trimmed from the log").isNull();
        assertVerdict(7, "v2", false);
        assertVerdict(8, "v2", true);
    }

    /** The live handler's verdict, checked against a handler over a fixed copy of the store. */
    void assertVerdict(int service, String subset, boolean allowed) {
        AdmissionRequest req = request(service, subset);
        AdmissionResponse got = live.handle(req);
        AdmissionResponse fresh = new ValidatingHandler(COMPILER, Snapshot.of(store.resources(), Map.of()), GUARD)
                .handle(req);
        assertThat(got.allowed()).as("svc-%d/%s: %s", service, subset, got.message()).isEqualTo(allowed);
        assertThat(got.allowed()).isEqualTo(fresh.allowed());
        assertThat(got.message()).isEqualTo(fresh.message());
        assertThat(got.warnings()).isEqualTo(fresh.warnings());
    }

    static AdmissionRequest request(int service, String subset) {
        ObjectNode vs = Reviews.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: canary, namespace: shop}
                spec:
                  hosts: [svc-%d]
                  http:
                  - route:
                    - destination: {host: svc-%d, subset: %s}
                """.formatted(service, service, subset));
        try {
            return AdmissionReviews.parse(Reviews.review("CREATE", "alice", vs, null, false));
        } catch (AdmissionReviews.BadReview e) {
            throw new IllegalStateException(e);
        }
    }

    void service(int i) {
        put("""
                apiVersion: v1
                kind: Service
                metadata: {name: svc-%d, namespace: shop}
                spec:
                  selector: {app: svc-%d}
                  ports: [{name: http, port: 80}]
                """.formatted(i, i));
    }

    void destinationRule(int i, String... subsets) {
        StringBuilder y = new StringBuilder("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc-%d, namespace: shop}
                spec:
                  host: svc-%d
                  subsets:
                """.formatted(i, i));
        for (String s : subsets) {
            y.append("  - {name: ").append(s).append(", labels: {version: ").append(s).append("}}\n");
        }
        put(y.toString());
    }

    static ResourceKey destinationRuleKey(int i) {
        return new ResourceKey("networking.istio.io", "DestinationRule", "shop", "svc-" + i);
    }

    void put(String yaml) {
        Diagnostics d = new Diagnostics();
        for (Resource r : COMPILER.decoder().decode(Reviews.yaml(yaml), Origin.NONE, d)) {
            store.put(r);
        }
        assertThat(d.hasErrors()).as(d.sorted().toString()).isFalse();
    }
}
