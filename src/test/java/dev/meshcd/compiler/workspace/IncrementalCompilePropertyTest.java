package dev.meshcd.compiler.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.bench.PolicyRepo;
import dev.meshcd.compiler.context.MeshContext;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.output.IstioOutput;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Incremental compilation is invisible: for random sequences of edits (files added, changed, deleted and
 * renamed; references broken and fixed; resources duplicated across files; meshcd policies and the mesh-wide
 * defaults changed; meshcd.yaml's excludes, namespace, suppressions, context: paths and unresolved: changed; the
 * context a shell supplies changed), a workspace updated edit by
 * edit gives exactly what a fresh workspace gives on the same tree: the same resources, generated resources and
 * diagnostics, positions included. A failing seed names the edit and the tree it failed on.
 */
class IncrementalCompilePropertyTest {
    private static final int SEQUENCES = 30;
    private static final int EDITS = 25;
    private static final int SERVICES = 6;

    static Stream<Long> seeds() {
        long base = Long.getLong("meshcd.property.seed", 20261207L);
        return LongStream.range(base, base + Integer.getInteger("meshcd.property.sequences", SEQUENCES)).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anUpdatedWorkspaceEqualsAFreshCompile(long seed) {
        Random random = new Random(seed);
        TreeMap<String, SourceFile> tree = new TreeMap<>();
        for (int i = 0; i < SERVICES; i++) {
            put(tree, serviceFile(i), service(i, random));
        }
        put(tree, PolicyRepo.policyFile(0), PolicyRepo.policy(0, SERVICES, seed, 90));
        put(tree, "repo/meshcd.yaml", config(random));
        AtomicReference<MeshContext> context = new AtomicReference<>(MeshContext.NONE);
        Workspace incremental = workspace(context);
        Compiler.Mode mode = random.nextInt(4) == 0 ? Compiler.Mode.VALIDATE : Compiler.Mode.CHECK;
        incremental.compile(new SourceTree(List.copyOf(tree.values())), mode);
        List<String> history = new ArrayList<>();
        for (int step = 0; step < EDITS; step++) {
            Edit edit = randomEdit(tree, random, seed * 1000 + step, context);
            history.add(edit.describe());
            edit.changed().forEach(f -> tree.put(f.name(), f));
            edit.removed().forEach(tree::remove);
            CompileResult got = incremental.update(edit.changed(), edit.removed(), mode);
            CompileResult expected = workspace(context).compile(new SourceTree(List.copyOf(tree.values())), mode);
            assertThat(render(got)).as("seed %d after %s", seed, history).isEqualTo(render(expected));
        }
    }

    private static Workspace workspace(AtomicReference<MeshContext> context) {
        return Workspace.builder().configName("repo/meshcd.yaml").context(context::get).build();
    }

    /** Everything a compile answers that a caller can see. */
    private static String render(CompileResult r) {
        StringBuilder sb = new StringBuilder();
        for (Resource res : r.resources()) {
            sb.append(res.key().display()).append(" @ ").append(res.origin()).append('\n')
                    .append(IstioOutput.yaml(res));
        }
        r.diagnostics().forEach(d -> sb.append(d).append('\n'));
        return sb.append("files=").append(r.files()).append(" documents=").append(r.documents()).toString();
    }

    private record Edit(String describe, List<SourceFile> changed, List<String> removed) {
    }

    private static Edit randomEdit(TreeMap<String, SourceFile> tree, Random random, long salt,
                                   AtomicReference<MeshContext> context) {
        List<String> names = new ArrayList<>(tree.keySet());
        String any = names.get(random.nextInt(names.size()));
        int i = random.nextInt(SERVICES + 3);
        return switch (random.nextInt(11)) {
            case 0 -> { // add or change a service file
                SourceFile f = file(serviceFile(i), service(i, random));
                yield new Edit("write " + f.name(), List.of(f), List.of());
            }
            case 1 -> { // delete any file (the config too)
                yield new Edit("delete " + any, List.of(), List.of(any));
            }
            case 2 -> { // rename: the same content under another name
                SourceFile old = tree.get(any);
                String to = "repo/moved/" + salt + "-" + any.substring(any.lastIndexOf('/') + 1);
                yield new Edit("rename " + any + " to " + to, List.of(new SourceFile(to, old.content())), List.of(any));
            }
            case 3 -> { // break a reference: a subset or host that does not exist
                SourceFile f = file(serviceFile(i), service(i, random).replace("subset: v2", "subset: v9")
                        .replace("host: svc" + ((i + 1) % SERVICES), "host: missing" + i));
                yield new Edit("break references in " + f.name(), List.of(f), List.of());
            }
            case 4 -> { // the same resource defined in a second file
                SourceFile f = file("repo/dup/" + salt + ".yaml", destinationRule(random.nextInt(SERVICES)));
                yield new Edit("duplicate into " + f.name(), List.of(f), List.of());
            }
            case 5 -> { // a meshcd policy: new, or other weights
                int p = random.nextInt(3);
                SourceFile f = file(PolicyRepo.policyFile(p), PolicyRepo.policy(p, SERVICES, salt, 10 + random.nextInt(80)));
                yield new Edit("policy " + f.name(), List.of(f), List.of());
            }
            case 6 -> { // the mesh-wide defaults every policy is lowered under
                SourceFile f = file("repo/defaults.yaml", meshDefaults(random));
                yield new Edit("defaults", List.of(f), List.of());
            }
            case 7 -> { // meshcd.yaml: other excludes, namespace, suppressions
                SourceFile f = file("repo/meshcd.yaml", config(random));
                yield new Edit("config " + new String(f.content(), java.nio.charset.StandardCharsets.UTF_8).replace("\n", " "), List.of(f), List.of());
            }
            case 8 -> { // an unchanged file written again
                yield new Edit("rewrite " + any + " unchanged", List.of(tree.get(any)), List.of());
            }
            case 9 -> { // the shell's context: none, services the broken references name, a whole cluster's view
                int kind = random.nextInt(3);
                List<Resource> objects = new ArrayList<>();
                if (kind > 0) {
                    String yaml = service(i % SERVICES, random).replace("name: svc" + (i % SERVICES), "name: missing" + i)
                            .replace("subsets:", "subsets:\n                  - {name: v9, labels: {version: v1}}");
                    objects.addAll(CONTEXT_DECODER.compile(new SourceTree(List.of(file("cluster", yaml))),
                            Compiler.Mode.VALIDATE).resources());
                }
                context.set(new MeshContext(objects, kind == 2, "cluster", String.valueOf(salt)));
                yield new Edit("context " + (kind == 0 ? "empty" : kind == 1 ? "missing" + i : "complete, missing" + i),
                        List.of(), List.of());
            }
            default -> { // invalid YAML in a file, then (later edits) fixed
                SourceFile f = file(serviceFile(i), "apiVersion: v1\nkind: Service\nmetadata: {name: [broken\n");
                yield new Edit("break YAML of " + f.name(), List.of(f), List.of());
            }
        };
    }

    private static final Compiler CONTEXT_DECODER = dev.meshcd.compiler.pipeline.StandardStages.compiler(
            dev.meshcd.compiler.pipeline.CompileOptions.DEFAULT.withDefaultNamespace("shop"));

    private static String serviceFile(int i) {
        return "repo/svc/svc" + i + ".yaml";
    }

    /** A Service, its two versions, a DestinationRule and a VirtualService splitting (or routing to the next service). */
    private static String service(int i, Random random) {
        int w = 10 * random.nextInt(11);
        String ns = random.nextInt(5) == 0 ? "" : "  namespace: shop\n";
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: svc%1$d
                %2$s  labels: {app: svc%1$d}
                spec:
                  selector: {app: svc%1$d}
                  ports:
                  - {name: http, port: 80}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: svc%1$d-v1
                %2$sspec:
                  selector: {matchLabels: {app: svc%1$d, version: v1}}
                  template:
                    metadata: {labels: {app: svc%1$d, version: v1}}
                    spec: {containers: [{name: app, image: app}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: svc%1$d-v2
                %2$sspec:
                  selector: {matchLabels: {app: svc%1$d, version: v2}}
                  template:
                    metadata: {labels: {app: svc%1$d, version: v2}}
                    spec: {containers: [{name: app, image: app}]}
                ---
                %3$s---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: svc%1$d
                %2$sspec:
                  hosts: [svc%1$d]
                  http:
                  - match: [{headers: {x-next: {exact: "1"}}}]
                    route:
                    - destination: {host: svc%4$d}
                  - route:
                    - destination: {host: svc%1$d, subset: v1}
                      weight: %5$d
                    - destination: {host: svc%1$d, subset: v2}
                      weight: %6$d
                """.formatted(i, ns, destinationRule(i).replace("  namespace: shop\n", ns),
                (i + 1) % SERVICES, w, 100 - w);
    }

    private static String destinationRule(int i) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata:
                  name: svc%1$d
                  namespace: shop
                spec:
                  host: svc%1$d
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """.formatted(i);
    }

    private static String meshDefaults(Random random) {
        return """
                apiVersion: meshcd.dev/v1alpha1
                kind: MeshDefaults
                metadata: {name: mesh, namespace: istio-system}
                spec:
                  timeout: %ds
                """.formatted(1 + random.nextInt(9));
    }

    private static String config(Random random) {
        StringBuilder sb = new StringBuilder("apiVersion: meshcd.dev/v1alpha1\nkind: MeshcdConfig\n");
        sb.append("defaultNamespace: ").append(random.nextBoolean() ? "shop" : "other").append('\n');
        if (random.nextBoolean()) {
            sb.append("exclude: [").append(random.nextBoolean() ? "dup/" : "svc/svc" + random.nextInt(SERVICES) + ".yaml")
                    .append("]\n");
        }
        if (random.nextInt(3) == 0) {
            sb.append("context: [dup/]\n"); // the duplicated DestinationRules become context: the repository's win
        }
        if (random.nextInt(3) == 0) {
            sb.append("unresolved: error\n");
        }
        if (random.nextBoolean()) {
            sb.append("suppress:\n- code: ").append(random.nextBoolean() ? "IST0101" : "MCD1012").append('\n');
        }
        return sb.toString();
    }

    private static void put(TreeMap<String, SourceFile> tree, String name, String text) {
        tree.put(name, file(name, text));
    }

    private static SourceFile file(String name, String text) {
        return SourceFile.ofString(name, text);
    }
}
