package dev.meshcd.compiler.validate.cel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.Diagnostics;
import dev.meshcd.compiler.model.Kind;
import dev.meshcd.compiler.model.KindInfo;
import dev.meshcd.compiler.model.KindRegistry;
import dev.meshcd.compiler.model.Resource;
import dev.meshcd.compiler.model.ResourceKey;
import dev.meshcd.compiler.source.Origin;
import dev.meshcd.compiler.validate.schema.CrdCatalog;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rule features Istio's CRDs do not use yet: oldSelf, messageExpression, fieldPath, rules on list-map items. */
class CelTransitionRulesTest {
    private static final Kind WIDGET = new Kind("example.com", "Widget");
    private static final CrdCatalog CATALOG = CrdCatalog.fromYaml("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              names: {kind: Widget, plural: widgets}
              scope: Namespaced
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        x-kubernetes-validations:
                        - rule: "self.replicas <= self.maxReplicas"
                          messageExpression: "'replicas ' + string(self.replicas) + ' exceed ' + string(self.maxReplicas)"
                        - rule: "!has(self.owner) || self.owner.size() > 2"
                          message: owner too short
                          fieldPath: .owner
                        properties:
                          replicas: {type: integer}
                          maxReplicas: {type: integer}
                          owner: {type: string}
                          class:
                            type: string
                            x-kubernetes-validations:
                            - rule: "self == oldSelf"
                              message: class is immutable
                          ports:
                            type: array
                            x-kubernetes-list-type: map
                            x-kubernetes-list-map-keys: [name]
                            items:
                              type: object
                              properties:
                                name: {type: string}
                                number: {type: integer}
                              x-kubernetes-validations:
                              - rule: "self.number >= oldSelf.number"
                                message: a port number may only grow
                              - rule: "self.number > 0"
            """);

    private final CelValidator validator = new CelValidator(KindRegistry.standard()
            .with(new KindInfo(WIDGET, Set.of("v1"), true, KindInfo.Role.ISTIO)), CATALOG, new CelRules());

    private static Resource widget(String spec) throws Exception {
        ObjectNode o = (ObjectNode) new YAMLMapper().readTree("apiVersion: example.com/v1\nkind: Widget\n"
                + "metadata: {name: w}\nspec:\n" + spec.stripIndent().indent(2));
        return new Resource("example.com/v1", new ResourceKey("example.com", "Widget", "default", "w"), o, Origin.NONE);
    }

    private List<String> validate(Resource r, Resource old) {
        Diagnostics sink = new Diagnostics();
        validator.validate(r, old, sink);
        return sink.sorted().stream().map(d -> d.path() + ": " + d.message()).toList();
    }

    @Test
    void messageExpressionAndFieldPath() throws Exception {
        assertThat(validate(widget("{replicas: 5, maxReplicas: 3, owner: ab}"), null)).containsExactlyInAnyOrder(
                "spec: replicas 5 exceed 3", "spec.owner: owner too short");
        assertThat(validate(widget("{replicas: 2, maxReplicas: 3, owner: abc}"), null)).isEmpty();
    }

    @Test
    void missingFieldIsAnEvaluationErrorNotACrash() throws Exception {
        assertThat(validate(widget("{replicas: 2}"), null)).singleElement().asString()
                .startsWith("spec: rule evaluation error: ").contains("maxReplicas");
    }

    @Test
    void transitionRulesRunOnlyWithAnOldObject() throws Exception {
        Resource v1 = widget("{replicas: 1, maxReplicas: 1, class: gold, ports: [{name: a, number: 80}, {name: b, number: 90}]}");
        Resource v2 = widget("{replicas: 1, maxReplicas: 1, class: silver, ports: [{name: b, number: 85}, {name: a, number: 81},"
                + " {name: c, number: 0}]}");
        // create: no oldSelf, transition rules skipped; plain item rule still runs
        assertThat(validate(v2, null)).containsExactly("spec.ports[2]: failed rule: self.number > 0");
        // update: class changed, port b shrank (correlated by its list-map key, not by index)
        assertThat(validate(v2, v1)).containsExactlyInAnyOrder(
                "spec.class: class is immutable",
                "spec.ports[0]: a port number may only grow",
                "spec.ports[2]: failed rule: self.number > 0");
        assertThat(validate(v1, v1)).isEmpty();
    }

    @Test
    void diagnosticsCarryTheResource() throws Exception {
        Diagnostics sink = new Diagnostics();
        validator.validate(widget("{replicas: 9, maxReplicas: 1}"), sink);
        Diagnostic d = sink.sorted().get(0);
        assertThat(d.resource()).isEqualTo("Widget default/w");
        assertThat(d.code()).isEqualTo("IST0106");
    }
}
