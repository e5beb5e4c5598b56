package dev.meshcd.sync;

import static dev.meshcd.sync.MeshDocs.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.workspace.Workspace;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import dev.meshcd.kube.Ownership;
import dev.meshcd.sync.plan.DesiredObject;
import dev.meshcd.sync.plan.Plan;
import dev.meshcd.sync.plan.Planner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlannerTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";


    static final Compiler COMPILER = StandardStages.compiler(CompileOptions.DEFAULT);
    static final Planner PLANNER = new Planner("prod", "cluster.local");

    static List<DesiredObject> desired(String... docs) {
        List<SourceFile> files = new ArrayList<>();
        for (int i = 0; i < docs.length; i++) {
            files.add(SourceFile.ofString("mesh/f" + i + ".yaml", docs[i]));
        }
        CompileResult r = COMPILER.compile(new SourceTree(files), Compiler.Mode.VALIDATE);
        assertThat(r.hasErrors()).as(r.diagnostics().toString()).isFalse();
        return PLANNER.desired(r.resources(), COMMIT);
    }

    /** Live objects as they would be after applying these docs for repo {@code repo}. */
    static List<Plan.LiveObject> live(String repo, String... docs) {
        List<Plan.LiveObject> out = new ArrayList<>();
        for (DesiredObject d : new Planner(repo, "cluster.local").desired(
                COMPILER.compile(sources(docs), Compiler.Mode.VALIDATE).resources(), "feedbeef")) {
            ObjectNode body = d.body().deepCopy();
            body.with("metadata").put("resourceVersion", "42").put("uid", "u-" + d.key().name());
            out.add(new Plan.LiveObject(d.key(), d.apiVersion(), body));
        }
        return out;
    }

    static SourceTree sources(String... docs) {
        List<SourceFile> files = new ArrayList<>();
        for (int i = 0; i < docs.length; i++) {
            files.add(SourceFile.ofString("mesh/f" + i + ".yaml", docs[i]));
        }
        return new SourceTree(files);
    }

    static ResourceKey key(String kind, String name) {
        return new ResourceKey(Kind.NETWORKING, kind, "shop", name);
    }

    static Stream<Arguments> ordering() {
        return Stream.of(
                Arguments.of("fresh install: gateways, service entries and rules before the routes using them",
                        List.of(SE, GW, DR_API, DR_CART, VS), List.of(),
                        Map.of(key("ServiceEntry", "api"), 0, key("Gateway", "gw"), 0, key("DestinationRule", "cart"), 0,
                                key("DestinationRule", "api"), 1, key("VirtualService", "cart"), 2)),
                Arguments.of("independent objects share the first wave",
                        List.of(VS_OTHER, DR_CART), List.of(),
                        Map.of(new ResourceKey(Kind.NETWORKING, "VirtualService", "web", "unrelated"), 0,
                                key("DestinationRule", "cart"), 0)),
                Arguments.of("new subset before the route to it",
                        List.of(DR_CART.replace("{name: v2, labels: {version: v2}}", "{name: v2, labels: {version: v2}}, {name: v3, labels: {version: v3}}"),
                                VS.replace("subset: v2}, weight: 10", "subset: v3}, weight: 10")),
                        List.of(DR_CART, VS),
                        Map.of(key("DestinationRule", "cart"), 0, key("VirtualService", "cart"), 1)),
                Arguments.of("removed subset after the route stops using it",
                        List.of(DR_CART.replace(", {name: v2, labels: {version: v2}}", ""),
                                VS.replace("weight: 90", "weight: 100").replace(",\n            {destination: {host: cart, subset: v2}, weight: 10}", "")
                                        .replace(",\n                    {destination: {host: cart, subset: v2}, weight: 10}", "")),
                        List.of(DR_CART, VS),
                        Map.of(key("VirtualService", "cart"), 0, key("DestinationRule", "cart"), 1)),
                Arguments.of("only what changed is applied",
                        List.of(SE, GW, DR_API, DR_CART, VS.replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20")),
                        List.of(SE, GW, DR_API, DR_CART, VS),
                        Map.of(key("VirtualService", "cart"), 0, key("Gateway", "gw"), -1, key("DestinationRule", "cart"), -1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ordering")
    void applyOrder(String name, List<String> git, List<String> liveDocs, Map<ResourceKey, Integer> expectedWave) {
        Plan plan = PLANNER.plan(desired(git.toArray(String[]::new)), live("prod", liveDocs.toArray(String[]::new)));
        expectedWave.forEach((k, wave) -> assertThat(plan.applyWaveOf(k)).as(k.display()).isEqualTo(wave));
        assertThat(plan.pruneCount()).isZero();
    }

    @Test
    void nothingToDoWhenLiveHashesMatch() {
        Plan plan = PLANNER.plan(desired(SE, GW, DR_CART, VS), live("prod", SE, GW, DR_CART, VS));
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.unchanged()).hasSize(4);
    }

    @Test
    void prunesOnlyThisReposObjectsGoneFromGitDependentsFirst() {
        List<Plan.LiveObject> live = new ArrayList<>(live("prod", SE, GW, DR_CART, VS));
        live.addAll(live("staging", VS_OTHER));
        Plan plan = PLANNER.plan(desired(SE), live);
        assertThat(plan.applyCount()).isZero();
        assertThat(plan.pruneCount()).isEqualTo(3);
        assertThat(plan.pruneWaveOf(key("VirtualService", "cart"))).isZero();
        assertThat(plan.pruneWaveOf(key("Gateway", "gw"))).isEqualTo(1);
        assertThat(plan.pruneWaveOf(key("DestinationRule", "cart"))).isEqualTo(1);
        assertThat(plan.pruneWaveOf(new ResourceKey(Kind.NETWORKING, "VirtualService", "web", "unrelated")))
                .as("another repo's object").isEqualTo(-1);
    }

    @Test
    void objectWithoutManagedByLabelIsNeverPruned() {
        List<Plan.LiveObject> live = live("prod", GW);
        ((ObjectNode) live.get(0).body().path("metadata").path("labels")).remove(Ownership.MANAGED_BY);
        assertThat(PLANNER.plan(List.of(), live).pruneCount()).isZero();
    }

    @Test
    void desiredCarriesLabelsAnnotationsAndSkipsContextKinds() {
        List<DesiredObject> d = desired(SVC, "# comment\n" + VS);
        assertThat(d).extracting(DesiredObject::key).containsExactly(key("VirtualService", "cart"));
        ObjectNode meta = (ObjectNode) d.get(0).body().path("metadata");
        assertThat(meta.path("labels").path(Ownership.MANAGED_BY).asText()).isEqualTo("meshcd");
        assertThat(meta.path("annotations").path(Ownership.COMMIT).asText()).isEqualTo(COMMIT);
        assertThat(meta.path("annotations").path(Ownership.REPO).asText()).isEqualTo("prod");
        assertThat(meta.path("annotations").path(Ownership.SOURCE).asText()).isEqualTo("mesh/f1.yaml#L2");
        assertThat(meta.path("annotations").path(Ownership.CONTENT_HASH).asText()).isEqualTo(d.get(0).hash());
        assertThat(meta.path("namespace").asText()).isEqualTo("shop");
    }

    @Test
    void hashIgnoresCommitAndKeyOrder() {
        String reordered = """
                kind: VirtualService
                apiVersion: networking.istio.io/v1
                metadata: {namespace: web, name: unrelated}
                spec: {http: [{route: [{destination: {host: web}}]}], hosts: [web]}
                """;
        Planner p = new Planner("prod", "cluster.local");
        List<Resource> a = COMPILER.compile(SourceTree.of(SourceFile.ofString("a.yaml", VS_OTHER)), Compiler.Mode.VALIDATE).resources();
        List<Resource> b = COMPILER.compile(SourceTree.of(SourceFile.ofString("a.yaml", reordered)), Compiler.Mode.VALIDATE).resources();
        assertThat(p.desired(a, "c1").get(0).hash()).isEqualTo(p.desired(b, "c2").get(0).hash());
    }

    @Test
    void unchangedResourcesKeepTheirDesiredObjectAcrossCommits() {
        Workspace compiler = Workspace.builder().build();
        Planner p = new Planner("prod", "cluster.local");
        List<DesiredObject> before = p.desired(compiler.compile(sources(GW, VS), Compiler.Mode.VALIDATE).resources(), "c1");
        CompileResult changed = compiler.update(List.of(SourceFile.ofString("mesh/f1.yaml",
                VS.replace("weight: 90", "weight: 80").replace("weight: 10", "weight: 20"))), List.of(), Compiler.Mode.VALIDATE);
        List<DesiredObject> after = p.desired(changed.resources(), "c2");

        assertThat(after.get(0).key()).isEqualTo(key("Gateway", "gw"));
        assertThat(after.get(0)).as("same resource, same desired object").isSameAs(before.get(0));
        assertThat(after.get(0).body().path("metadata").path("annotations").path(Ownership.COMMIT).asText())
                .as("the commit its content came from").isEqualTo("c1");
        assertThat(after.get(1).key()).isEqualTo(key("VirtualService", "cart"));
        assertThat(after.get(1).hash()).isNotEqualTo(before.get(1).hash());
        assertThat(after.get(1).body().path("metadata").path("annotations").path(Ownership.COMMIT).asText()).isEqualTo("c2");
        // Planned against the objects applied before (the in-memory diff base): only the route changes.
        List<Plan.LiveObject> base = before.stream().map(d -> new Plan.LiveObject(d.key(), d.apiVersion(), d.body())).toList();
        Plan plan = p.plan(after, base);
        assertThat(plan.applyWaves()).singleElement().satisfies(w -> assertThat(w).extracting(DesiredObject::key)
                .containsExactly(key("VirtualService", "cart")));
        assertThat(plan.unchanged()).containsExactly(key("Gateway", "gw"));
    }
}
