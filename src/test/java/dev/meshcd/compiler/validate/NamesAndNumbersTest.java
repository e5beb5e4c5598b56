package dev.meshcd.compiler.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.pipeline.CompileOptions;
import dev.meshcd.compiler.pipeline.CompileResult;
import dev.meshcd.compiler.pipeline.Compiler;
import dev.meshcd.compiler.pipeline.StandardStages;
import dev.meshcd.compiler.source.SourceFile;
import dev.meshcd.compiler.source.SourceTree;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Names and numbers the API server would refuse are errors here too, at their field, one each. */
class NamesAndNumbersTest {
    private static CompileResult validate(String name, String namespace, String weight) {
        return StandardStages.compiler(CompileOptions.DEFAULT).compile(SourceTree.of(SourceFile.ofString("vs.yaml", """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: %s}
                spec:
                  hosts: [cart]
                  http:
                  - route:
                    - {destination: {host: cart}, weight: %s}
                """.formatted(name, namespace, weight))), Compiler.Mode.VALIDATE);
    }

    @ParameterizedTest(name = "name {0}, namespace {1}, weight {2}: {3}")
    @CsvSource(delimiter = '|', value = {
            "cart          | shop      | 100           | ",
            "cart.v2       | shop-1    | 0             | ",
            "'\"a/b\"'     | shop      | 100           | metadata.name",
            "'\"../x\"'    | shop      | 100           | metadata.name",
            "Cart          | shop      | 100           | metadata.name",
            "cart          | '\"Bad NS!\"' | 100       | metadata.namespace",
            "cart          | '\"../..\"' | 100         | metadata.namespace",
            "cart          | shop.eu   | 100           | metadata.namespace",
            "cart          | shop      | 1e30          | spec.http[0].route[0].weight",
            "cart          | shop      | 2147483648    | spec.http[0].route[0].weight",
            "cart          | shop      | 2.5           | spec.http[0].route[0].weight",
            "cart          | shop      | 1e2           | ",
    })
    void eachBadNameOrNumberIsOneErrorAtItsField(String name, String namespace, String weight, String errorPath) {
        CompileResult r = validate(name, namespace, weight);
        if (errorPath == null) {
            assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        } else {
            assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).singleElement()
                    .satisfies(d -> assertThat(d.path()).isEqualTo(errorPath));
        }
    }
}
