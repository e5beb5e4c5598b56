package dev.meshcd.admission.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Revisions and revision tags as the webhook configurations of istiod's chart select them (rendered with
 * {@code istioctl manifest generate} at the oracle's version for revision default and canary, and the chart's
 * revision-tags-mwc.yaml for tags): which injector gets which pod.
 */
class RevisionsTest {
    static Map<String, String> labels(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return m;
        }
        for (String kv : spec.trim().split(" ")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1]);
        }
        return m;
    }

    static ObjectNode pod(Map<String, String> labels) {
        ObjectNode pod = Json.obj("apiVersion", "v1", "kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", "web-1");
        ObjectNode l = meta.putObject("labels");
        labels.forEach(l::put);
        pod.putObject("spec").putArray("containers").add(Json.obj("name", "web", "image", "nginx"));
        return pod;
    }

    /** Tags: "prod=canary,default=canary" (tag=revision). */
    static Map<String, String> tags(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String kv : spec.split(",")) {
                String[] p = kv.split("=", 2);
                m.put(p[0], p[1]);
            }
        }
        return m;
    }

    @ParameterizedTest(name = "[{index}] serves {0} tags [{1}] ns [{2}] pod [{3}] → {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # served | tags                    | namespace labels                       | pod labels                                 | injected | reason
            default  | -                       | istio-injection=enabled                | -                                          | true     | injected
            default  | -                       | istio-injection=enabled istio.io/rev=canary | -                                     | true     | injected
            default  | -                       | istio-injection=enabled                | istio.io/rev=canary                        | true     | injected
            default  | -                       | istio-injection=enabled                | sidecar.istio.io/inject=false              | false    | sidecar.istio.io/inject=false
            default  | -                       | istio-injection=disabled               | sidecar.istio.io/inject=true               | false    | istio-injection=disabled
            default  | -                       | istio.io/rev=default                   | -                                          | true     | injected
            default  | -                       | istio.io/rev=canary                    | -                                          | false    | namespace shop selects revision canary, this injector serves revision default
            default  | -                       | istio.io/rev=canary                    | istio.io/rev=default                       | false    | selects revision canary
            default  | -                       | -                                      | istio.io/rev=default                       | true     | injected
            default  | -                       | -                                      | istio.io/rev=canary                        | false    | pod selects revision canary
            default  | -                       | -                                      | sidecar.istio.io/inject=true               | true     | injected
            default  | -                       | -                                      | sidecar.istio.io/inject=true istio.io/rev=canary | false | pod selects revision canary
            default  | -                       | -                                      | sidecar.istio.io/inject=yes                | false    | not enabled for injection (label it istio.io/rev=default or istio-injection=enabled)
            default  | -                       | -                                      | -                                          | false    | not enabled
            canary   | -                       | istio.io/rev=canary                    | -                                          | true     | injected
            canary   | -                       | istio-injection=enabled                | -                                          | false    | selects the default revision (istio-injection=enabled), this injector serves revision canary
            canary   | -                       | istio-injection=enabled istio.io/rev=canary | -                                     | false    | default revision
            canary   | -                       | -                                      | sidecar.istio.io/inject=true               | false    | pod opts in to the default revision
            canary   | -                       | -                                      | istio.io/rev=canary sidecar.istio.io/inject=false | false | sidecar.istio.io/inject=false
            canary   | prod=canary             | istio.io/rev=prod                      | -                                          | true     | injected
            canary   | prod=canary             | -                                      | istio.io/rev=prod                          | true     | injected
            canary   | prod=stable             | istio.io/rev=prod                      | -                                          | false    | selects revision prod, this injector serves revision canary
            canary   | prod=canary,beta=other  | istio.io/rev=beta                      | -                                          | false    | this injector serves revision canary (tags prod)
            canary   | default=canary          | istio-injection=enabled                | -                                          | true     | injected
            canary   | default=canary          | -                                      | sidecar.istio.io/inject=true               | true     | injected
            canary   | default=canary          | istio.io/rev=default                   | -                                          | true     | injected
            default  | default=canary          | istio-injection=enabled                | -                                          | false    | selects the default revision (istio-injection=enabled), this injector serves revision default
            default  | default=canary          | istio.io/rev=default                   | -                                          | false    | selects revision default, this injector serves revision default, whose name the default tag took over
            default  | default=canary          | istio.io/rev=canary                    | -                                          | false    | selects revision canary
            """)
    void theRevisionsWebhooksSelectAsTheApiServerWould(String served, String tagSpec, String nsLabels, String podLabels,
                                                        boolean injected, String reason) {
        IstioSidecarInjector injector = new IstioSidecarInjector(InjectionPolicyTest.withRevision(served),
                Revisions.of(served, tags(tagSpec)));
        PodInjector.Result r = injector.inject(pod(labels(podLabels)), "shop", labels(nsLabels));
        assertThat(r.injected()).as(r.reason()).isEqualTo(injected);
        assertThat(r.reason()).contains(reason);
        if (injected) {
            // the revision injected is the one served, whichever tag selected it
            assertThat(r.pod().path("metadata").path("annotations").path("istio.io/rev").asText()).isEqualTo(served);
        }
    }

    @Test
    void enableNamespacesByDefaultInjectsUnlabelledPodsOfTheDefaultRevisionOnly() {
        InjectionSettings d = InjectionSettings.defaults();
        InjectionSettings auto = d.withPolicy(new InjectionSettings.Policy(true, true, d.policy().ignoredNamespaces()));
        IstioSidecarInjector byDefault = new IstioSidecarInjector(auto, Revisions.of("default"));
        assertThat(byDefault.inject(pod(Map.of()), "shop", Map.of()).injected()).isTrue();
        // "auto" needs no sidecar.istio.io/inject label at all; "object" needs exactly "true"
        assertThat(byDefault.inject(pod(labels("sidecar.istio.io/inject=yes")), "shop", Map.of()).injected()).isFalse();
        InjectionSettings canary = auto.withMesh(auto.mesh().toBuilder().revision("canary").build());
        assertThat(new IstioSidecarInjector(canary, Revisions.of("canary")).inject(pod(Map.of()), "shop", Map.of())
                .injected()).isFalse();
    }

    @Test
    void tagsPointingElsewhereAreNotTheRevisions() {
        Revisions r = Revisions.of("canary", tags("prod=canary,default=stable,beta=canary"));
        assertThat(r.tags()).isEqualTo(Set.of("beta", "prod"));
        assertThat(r.legacy()).isFalse();
        assertThat(r.names("prod")).isTrue();
        assertThat(r.names("default")).isFalse();
        assertThat(r.names("canary")).isTrue();
        assertThat(Revisions.of("default", tags("prod=stable")).legacy()).isTrue();
        assertThat(Revisions.of("default", tags("default=stable")).legacy()).isFalse();
        assertThat(Revisions.of("", Map.of()).served()).isEqualTo("default");
    }
}
