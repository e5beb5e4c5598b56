package dev.meshcd.compiler.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Severity;
import dev.meshcd.compiler.envoy.EnvoyTranslator;
import dev.meshcd.compiler.index.MeshIndex;
import dev.meshcd.compiler.index.Workload;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.IncrementalState;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind that runs pods (or stands for a proxy outside Kubernetes) is a workload for every selector check:
 * Sidecar workloadSelector (IST0101), DestinationRule subsets (IST0173) and Gateway selectors (IST0101); its
 * labels and service account come from where that kind keeps them.
 */
class WorkloadKindsTest {
    /** Labels every probe workload carries in its pods; "probe" is unique to the case. */
    private static final String LABELS = "{app: reviews, version: v9, probe: p}";

    /** Selects the probe's pods three ways; without a probe workload each check fails (see the control case). */
    private static final String SELECTORS = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: probe, namespace: shop}
            spec:
              workloadSelector: {labels: {probe: p}}
              egress: [{hosts: ["./*"]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: shop}
            spec:
              host: reviews
              subsets: [{name: v9, labels: {version: v9}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: probe, namespace: shop}
            spec:
              selector: {probe: p}
              servers: [{port: {number: 9080, name: http, protocol: HTTP}, hosts: ["*"]}]
            """;

    static Stream<Arguments> kinds() {
        return Stream.of(
            kind("Pod", "Pod", "sa-pod", """
                apiVersion: v1
                kind: Pod
                metadata: {name: probe, namespace: shop, labels: %s}
                spec: {serviceAccountName: sa-pod, containers: [{name: app, image: x}]}
                """),
            kind("Deployment", "Deployment", "sa-dep", podTemplated("apps/v1", "Deployment", "sa-dep")),
            kind("StatefulSet", "StatefulSet", "sa-sts", podTemplated("apps/v1", "StatefulSet", "sa-sts")),
            kind("DaemonSet", "DaemonSet", "sa-ds", podTemplated("apps/v1", "DaemonSet", "sa-ds")),
            kind("ReplicaSet", "ReplicaSet", "sa-rs", podTemplated("apps/v1", "ReplicaSet", "sa-rs")),
            kind("Job", "Job", "sa-job", podTemplated("batch/v1", "Job", "sa-job")),
            kind("CronJob batch/v1 (template under jobTemplate)", "CronJob", "sa-cron", """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: probe, namespace: shop}
                spec:
                  schedule: "* * * * *"
                  jobTemplate:
                    spec:
                      template:
                        metadata: {labels: %s}
                        spec: {serviceAccountName: sa-cron, containers: [{name: app, image: x}]}
                """),
            kind("CronJob batch/v1beta1", "CronJob", "default", """
                apiVersion: batch/v1beta1
                kind: CronJob
                metadata: {name: probe, namespace: shop}
                spec:
                  schedule: "* * * * *"
                  jobTemplate: {spec: {template: {metadata: {labels: %s}, spec: {containers: [{name: a, image: x}]}}}}
                """),
            kind("Argo Rollout with a template", "Rollout", "sa-ro", podTemplated("argoproj.io/v1alpha1", "Rollout", "sa-ro")),
            kind("Argo Rollout with workloadRef (the Deployment's template)", "Rollout", "sa-ref", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: probe, namespace: shop}
                spec:
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: probe-template, scaleDown: onsuccess}
                  strategy: {canary: {steps: [{setWeight: 20}]}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: probe-template, namespace: shop}
                spec:
                  replicas: 0
                  selector: {matchLabels: {app: reviews}}
                  template:
                    metadata: {labels: %s}
                    spec: {serviceAccountName: sa-ref, containers: [{name: app, image: x}]}
                """),
            kind("WorkloadEntry (spec.labels)", "WorkloadEntry", "sa-we", """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: probe, namespace: shop}
                spec: {address: 10.0.0.9, labels: %s, serviceAccount: sa-we}
                """),
            kind("WorkloadGroup (spec.metadata.labels)", "WorkloadGroup", "sa-wg", """
                apiVersion: networking.istio.io/v1
                kind: WorkloadGroup
                metadata: {name: probe, namespace: shop}
                spec:
                  metadata: {labels: %s}
                  template: {serviceAccount: sa-wg}
                """),
            kind("Deployment extensions/v1beta1 (removed)", "Deployment", "sa-old", podTemplated("extensions/v1beta1", "Deployment", "sa-old")),
            kind("Deployment apps/v1beta1 (removed)", "Deployment", "sa-old", podTemplated("apps/v1beta1", "Deployment", "sa-old")),
            kind("StatefulSet apps/v1beta2 (removed)", "StatefulSet", "sa-old", podTemplated("apps/v1beta2", "StatefulSet", "sa-old")),
            kind("DaemonSet extensions/v1beta1 (removed)", "DaemonSet", "sa-old", podTemplated("extensions/v1beta1", "DaemonSet", "sa-old")),
            kind("ReplicaSet apps/v1beta2 (removed)", "ReplicaSet", "sa-old", podTemplated("apps/v1beta2", "ReplicaSet", "sa-old")));
    }

    private static Arguments kind(String name, String kind, String serviceAccount, String yaml) {
        return Arguments.of(name, kind, serviceAccount, yaml.formatted(LABELS));
    }

    private static String podTemplated(String apiVersion, String kind, String serviceAccount) {
        return """
                apiVersion: %s
                kind: %s
                metadata: {name: probe, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  template:
                    metadata: {labels: %%s}
                    spec: {serviceAccountName: %s, containers: [{name: app, image: x}]}
                """.formatted(apiVersion, kind, serviceAccount);
    }

    private static CompileResult check(String... files) {
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop"), List.of());
        List<SourceFile> sources = new java.util.ArrayList<>();
        sources.add(SourceFile.ofString("base.yaml", AnalyzeFixture.BASE));
        for (int i = 0; i < files.length; i++) {
            sources.add(SourceFile.ofString("case" + i + ".yaml", files[i]));
        }
        return c.compile(new SourceTree(sources), Compiler.Mode.CHECK);
    }

    @Test
    void withoutAProbeWorkloadEverySelectorCheckFails() {
        List<String> findings = AnalyzeFixture.findings(check(SELECTORS).diagnostics());
        assertThat(findings).containsExactly(
                "case0.yaml:13 IST0173 spec.subsets[0].name",
                "case0.yaml:19 IST0101 spec.selector",
                "case0.yaml:5 IST0101 spec.workloadSelector.labels");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyWorkloadKindSatisfiesEverySelectorCheck(String name, String kind, String serviceAccount, String yaml) {
        CompileResult result = check(yaml, SELECTORS);

        assertThat(AnalyzeFixture.findings(result.diagnostics())).isEmpty();
        boolean removedVersion = name.contains("(removed)");
        assertThat(result.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).extracting(Diagnostic::code)
                .containsExactlyElementsOf(removedVersion ? List.of(Codes.REMOVED_API_VERSION) : List.of());
        assertThat(result.diagnostics()).noneMatch(d -> d.code().equals(Codes.UNKNOWN_KIND));
        Workload probe = result.index().workloadsIn("shop").stream()
                .filter(w -> w.name().equals("probe")).findFirst().orElseThrow();
        assertThat(probe.kind()).isEqualTo(kind);
        assertThat(probe.labels()).containsEntry("probe", "p").containsEntry("version", "v9");
        assertThat(probe.serviceAccount()).isEqualTo(serviceAccount);
    }

    @Test
    void aRemovedApiVersionIsOneErrorAtApiVersionNamingAppsV1() {
        CompileResult result = check(podTemplated("extensions/v1beta1", "Deployment", "sa").formatted(LABELS));

        assertThat(result.diagnostics()).filteredOn(d -> d.code().equals(Codes.REMOVED_API_VERSION)).singleElement()
                .satisfies(d -> {
                    assertThat(d.severity()).isEqualTo(Severity.ERROR);
                    assertThat(d.message()).contains("extensions/v1beta1 Deployment").contains("apps/v1");
                    assertThat(d.location().line()).isEqualTo(1);
                    assertThat(d.path()).isEqualTo("apiVersion");
                });
        assertThat(result.resources()).anyMatch(r -> r.key().group().equals("apps") && r.name().equals("probe"));
    }

    @Test
    void rolloutStrategyMetadataLabelsSelectCanaryAndStablePods() {
        String rollout = """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: reviews, namespace: shop}
                spec:
                  selector: {matchLabels: {app: reviews}}
                  template:
                    metadata: {labels: {app: reviews}}
                    spec: {containers: [{name: app, image: x}]}
                  strategy:
                    canary:
                      canaryMetadata: {labels: {role: canary}}
                      stableMetadata: {labels: {role: stable}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews-roles, namespace: shop}
                spec:
                  host: reviews
                  subsets: [{name: canary, labels: {role: canary}}, {name: stable, labels: {role: stable}},
                            {name: typo, labels: {role: canry}}]
                """;
        List<String> findings = AnalyzeFixture.findings(check(rollout).diagnostics());
        assertThat(findings).containsExactly("case0.yaml:20 IST0173 spec.subsets[2].name");
    }

    @Test
    void aRolloutFollowsItsWorkloadRefDeploymentAcrossIncrementalRecompiles() {
        String rollout = """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: probe, namespace: shop}
                spec:
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: tmpl}
                """;
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: tmpl, namespace: shop}
                spec:
                  replicas: 0
                  selector: {matchLabels: {app: tmpl}}
                  template:
                    metadata: {labels: {app: tmpl, rev: "%s"}}
                    spec: {containers: [{name: app, image: x}]}
                """;
        Compiler c = StandardStages.compiler(CompileOptions.DEFAULT.withDefaultNamespace("shop"), List.of());
        IncrementalState state = new IncrementalState();
        c.compile(state, new SourceTree(List.of(SourceFile.ofString("rollout.yaml", rollout),
                SourceFile.ofString("deployment.yaml", deployment.formatted("1")))), Compiler.Mode.CHECK);

        CompileResult next = c.recompile(state, List.of(SourceFile.ofString("deployment.yaml", deployment.formatted("2"))),
                List.of(), Compiler.Mode.CHECK);

        MeshIndex index = next.index();
        assertThat(index.workloadsMatchingIn("shop", Map.of("rev", "2"))).extracting(Workload::kind)
                .containsExactlyInAnyOrder("Rollout", "Deployment");
        assertThat(index.workloadsMatchingIn("shop", Map.of("rev", "1"))).isEmpty();
        MeshIndex fresh = c.compile(new SourceTree(List.of(SourceFile.ofString("rollout.yaml", rollout),
                SourceFile.ofString("deployment.yaml", deployment.formatted("2")))), Compiler.Mode.CHECK).index();
        assertThat(index.workloads()).map(Workload::toString)
                .containsExactlyInAnyOrderElementsOf(fresh.workloads().stream().map(Workload::toString).toList());
    }

    @Test
    void workloadEntriesGroupsAndRolloutsAreProxiesJobsAreNot() {
        CompileResult result = check(String.join("---\n",
                podTemplated("argoproj.io/v1alpha1", "Rollout", "sa").formatted("{app: ro}"),
                """
                apiVersion: networking.istio.io/v1
                kind: WorkloadGroup
                metadata: {name: vm, namespace: shop}
                spec: {metadata: {labels: {app: vm}}, template: {serviceAccount: vm}}
                """,
                podTemplated("batch/v1", "Job", "sa").formatted("{app: job}").replace("name: probe", "name: job")));

        List<String> proxies = new EnvoyTranslator(result.index()).proxies().stream().map(p -> p.id()).toList();
        assertThat(proxies).contains("shop/probe", "shop/vm").doesNotContain("shop/job");
    }
}
