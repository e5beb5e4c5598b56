package dev.meshcd.compiler.validate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshcd.compiler.model.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Schema keywords the Istio CRDs use rarely or only in status, on a small CRD of our own. */
class SyntheticSchemaTest {
    private static final String CATALOG_YAML = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
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
                        properties:
                          port:
                            x-kubernetes-int-or-string: true
                            anyOf: [{type: integer}, {type: string}]
                          ratio: {type: number, minimum: 0, maximum: 1, exclusiveMaximum: true}
                          when: {type: string, format: date-time}
                          blob: {type: string, format: byte}
                          name: {type: string, maxLength: 3}
                          nullableCount: {type: integer, nullable: true}
                          tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
                          free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                          choice:
                            type: object
                            properties:
                              a: {type: string}
                              b: {type: string}
                            anyOf: [{required: [a]}, {required: [b]}]
                          exactlyOne:
                            type: object
                            properties:
                              a: {type: string}
                              b: {type: string}
                            oneOf: [{required: [a]}, {required: [b]}]
                          notBoth:
                            type: object
                            properties:
                              a: {type: string}
                              b: {type: string}
                            not: {required: [a, b]}
                          labels:
                            type: object
                            additionalProperties: {type: string}
                            maxProperties: 2
                          anything: {}
            """;
    private static final CrdCatalog CATALOG = CrdCatalog.fromYaml(CATALOG_YAML);

    private static final YAMLMapper YAML = new YAMLMapper();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("port: 8080", List.of()),
                Arguments.of("port: http", List.of()),
                Arguments.of("port: 1.5", List.of("spec.port: must be of type integer or string, got number 1.5")),
                Arguments.of("port: true", List.of("spec.port: must be of type integer or string, got boolean true")),
                Arguments.of("ratio: 0.5", List.of()),
                Arguments.of("ratio: 1", List.of("spec.ratio: must be less than 1, got 1")),
                Arguments.of("when: '2024-01-02T03:04:05Z'", List.of()),
                Arguments.of("when: yesterday",
                        List.of("spec.when: must be an RFC 3339 date-time, got \"yesterday\"")),
                Arguments.of("blob: aGVsbG8=", List.of()),
                Arguments.of("blob: '%%%'", List.of("spec.blob: must be base64-encoded bytes")),
                Arguments.of("name: abc", List.of()),
                Arguments.of("name: \"\\u00e9\\u00e9\\u00e9\"", List.of()),
                Arguments.of("name: abcd", List.of("spec.name: may not be longer than 3 characters, is 4")),
                Arguments.of("nullableCount: null", List.of()),
                Arguments.of("tags: [a, b, a]", List.of("spec.tags[2]: duplicate entry \"a\" (also at index 0)")),
                Arguments.of("tags: [a, null]", List.of("spec.tags[1]: must be of type string, got null")),
                Arguments.of("free: {x: {y: [1, 2]}}", List.of()),
                Arguments.of("choice: {a: x}", List.of()),
                Arguments.of("choice: {}", List.of("spec.choice: must match at least one of the schemas in anyOf")),
                Arguments.of("exactlyOne: {a: x}", List.of()),
                Arguments.of("exactlyOne: {a: x, b: y}",
                        List.of("spec.exactlyOne: must match exactly one of the schemas in oneOf (matched 2)")),
                Arguments.of("notBoth: {a: x}", List.of()),
                Arguments.of("notBoth: {a: x, b: y}", List.of("spec.notBoth: must not match the schema in \"not\"")),
                Arguments.of("labels: {a: x, b: y}", List.of()),
                Arguments.of("labels: {a: x, b: y, c: z}", List.of("spec.labels: must have at most 2 entries, has 3")),
                Arguments.of("labels: {a: 1}", List.of("spec.labels.a: must be of type string, got integer 1")),
                Arguments.of("anything: [1, {a: b}]", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validates(String specField, List<String> expected) throws Exception {
        SchemaNode root = CATALOG.schema("example.com", "Widget", "v1");
        ObjectNode object = (ObjectNode) YAML.readTree("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                + "spec:\n  " + specField + "\n");
        List<String> errors = new ArrayList<>();
        StructuralValidator.validateResource(root, object, (path, message) -> errors.add(path + ": " + message));
        assertThat(errors).isEqualTo(expected);
    }

    @Test
    void catalogIndexesWithoutParsingAndKnowsVersions() {
        CrdCatalog catalog = CrdCatalog.fromYaml(CATALOG_YAML);
        assertThat(catalog.has(new Kind("example.com", "Widget"))).isTrue();
        assertThat(catalog.has(new Kind("example.com", "Gadget"))).isFalse();
        assertThat(catalog.schema("example.com", "Widget", "v1")).isNotNull();
        assertThat(catalog.schema("example.com", "Widget", "v2")).isNull();
        assertThat(catalog.schema("example.com", "Gadget", "v1")).isNull();
    }
}
