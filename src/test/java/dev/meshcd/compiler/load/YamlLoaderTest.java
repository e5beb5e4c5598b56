package dev.meshcd.compiler.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshcd.compiler.diag.Codes;
import dev.meshcd.compiler.diag.Diagnostic;
import dev.meshcd.compiler.diag.SourceLocation;
import dev.meshcd.compiler.source.FieldPath;
import dev.meshcd.compiler.source.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlLoaderTest {
    private final YamlLoader loader = new YamlLoader();

    private ParsedFile load(String text) {
        return loader.load(SourceFile.ofString("f.yaml", text));
    }

    @Test
    void loadsMultipleDocumentsAndSkipsEmptyOnes() {
        ParsedFile f = load("""
                a: 1
                ---
                # only a comment
                ---
                b: [x, y]
                """);
        assertThat(f.diagnostics()).isEmpty();
        assertThat(f.documents()).hasSize(2);
        assertThat(f.documents().get(0).index()).isEqualTo(0);
        assertThat(f.documents().get(1).index()).isEqualTo(2);
        assertThat(f.documents().get(1).root().get("b").get(1).asText()).isEqualTo("y");
        assertThat(f.documents().get(1).line()).isEqualTo(5);
    }

    /** Flow sequences as Go's YAML library reads them (':' ends a plain scalar only before a blank). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "'[1.2.3.4, 001:db8::]'     | '[\"1.2.3.4\",\"001:db8::\"]'",
            "'[001:db8::]'              | '[\"001:db8::\"]'",
            "'[\"::1\", fe80::]'      | '[\"::1\",\"fe80::\"]'",
            "'[x:, y]'                  | '[\"x:\",\"y\"]'",
            "'[a: b]'                   | '[{\"a\":\"b\"}]'",
            "'[{a: b}, c]'              | '[{\"a\":\"b\"},\"c\"]'",
            "'[a:b, c]'                 | '[\"a:b\",\"c\"]'",
    })
    void flowSequencesReadAsGoReadsThem(String yaml, String json) {
        ParsedFile f = load("v: " + yaml + "\n");
        assertThat(f.diagnostics()).isEmpty();
        assertThat(f.documents().get(0).root().get("v").toString()).isEqualTo(json);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "'42'        | INT     | 42",
            "'-7'        | INT     | -7",
            "'0x1F'      | INT     | 31",
            "'0o17'      | INT     | 15",
            "'1.5'       | NUMBER  | 1.5",
            "'1e3'       | NUMBER  | 1000.0",
            "'true'      | BOOLEAN | true",
            "'False'     | BOOLEAN | false",
            "'~'         | NULL    | null",
            "'null'      | NULL    | null",
            "'\"42\"'    | STRING  | 42",
            "'yes'       | STRING  | yes",
            "'1.2.3'     | STRING  | 1.2.3",
            "'10s'       | STRING  | 10s",
            "'12345678901' | INT   | 12345678901",
    })
    void typesScalarsWithTheYaml12CoreSchema(String yaml, String type, String expected) {
        var v = load("v: " + yaml + "\n").documents().get(0).root().get("v");
        switch (type) {
            case "INT" -> assertThat(v.isIntegralNumber()).isTrue();
            case "NUMBER" -> assertThat(v.isFloatingPointNumber()).isTrue();
            case "BOOLEAN" -> assertThat(v.isBoolean()).isTrue();
            case "NULL" -> assertThat(v.isNull()).isTrue();
            default -> assertThat(v.isTextual()).isTrue();
        }
        assertThat(v.isNull() ? "null" : v.asText()).isEqualTo(expected);
    }

    @Test
    void locatesFieldsLazilyToLineAndColumn() {
        ParsedFile f = load("""
                kind: X
                ---
                spec:
                  http:
                  - route:
                    - destination: {host: a}
                      weight: 10
                    - destination:
                        host: b
                      weight: 90
                """);
        assertThat(f.locate(1, FieldPath.parse("spec.http[0].route[1].weight")))
                .isEqualTo(new SourceLocation("f.yaml", 10, 7));
        assertThat(f.locate(1, FieldPath.parse("spec.http[0].route[0].destination.host")))
                .isEqualTo(new SourceLocation("f.yaml", 6, 21));
        // A path that does not exist points at its nearest existing ancestor.
        assertThat(f.locate(1, FieldPath.parse("spec.http[0].timeout")))
                .isEqualTo(new SourceLocation("f.yaml", 5, 5));
        assertThat(f.locate(0, FieldPath.ROOT)).isEqualTo(new SourceLocation("f.yaml", 1, 1));
    }

    @Test
    void duplicateKeysAreErrorsAtTheSecondKey() {
        ParsedFile f = load("""
                metadata:
                  name: a
                  name: b
                """);
        assertThat(f.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.DUPLICATE_KEY);
            assertThat(d.location()).isEqualTo(new SourceLocation("f.yaml", 3, 3));
            assertThat(d.message()).contains("\"name\"");
        });
    }

    @Test
    void syntaxErrorKeepsEarlierDocumentsAndPointsAtTheProblem() {
        ParsedFile f = load("""
                a: 1
                ---
                b: [1, 2
                """);
        assertThat(f.documents()).hasSize(1);
        Diagnostic d = f.diagnostics().get(0);
        assertThat(d.code()).isEqualTo(Codes.YAML_SYNTAX);
        assertThat(d.location().line()).isGreaterThanOrEqualTo(3);
        assertThat(d.message()).startsWith("invalid YAML:");
    }

    @Test
    void aliasBombIsRefusedWithoutBlowingUp() {
        StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            sb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        ParsedFile f = load(sb.toString());
        assertThat(f.documents()).isEmpty();
        assertThat(f.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.ALIAS_LIMIT);
    }

    @Test
    void smallAliasesExpand() {
        ParsedFile f = load("""
                base: &labels {app: cart}
                copy: *labels
                """);
        assertThat(f.diagnostics()).isEmpty();
        assertThat(f.documents().get(0).root().get("copy").get("app").asText()).isEqualTo("cart");
    }

    @Test
    void deepNestingIsBounded() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        ParsedFile f = load("a: " + deep + "\n");
        assertThat(f.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.NESTING_LIMIT);
    }

    @Test
    void oversizedFilesAreRefusedUnread() {
        YamlLoader small = new YamlLoader(new LoadLimits(100, 64, 1000));
        ParsedFile f = small.load(SourceFile.ofString("big.yaml", "a: " + "x".repeat(200)));
        assertThat(f.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.FILE_TOO_LARGE);
    }

    @Test
    void nonUtf8IsReportedWithItsLine() {
        byte[] bytes = "a: 1\nb: \u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        ParsedFile f = loader.load(new SourceFile("latin1.yaml", bytes));
        assertThat(f.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.NOT_UTF8);
            assertThat(d.location().line()).isEqualTo(2);
        });
    }

    @Test
    void scalarDocumentsAreNotObjects() {
        ParsedFile f = load("just a string\n");
        assertThat(f.documents()).isEmpty();
        assertThat(f.diagnostics()).extracting(Diagnostic::code).containsExactly(Codes.NOT_AN_OBJECT);
    }

    @Test
    void jsonIsLoadedToo() {
        ParsedFile f = loader.load(SourceFile.ofString("x.json", "{\"kind\": \"Service\", \"n\": [1, 2.5]}"));
        assertThat(f.diagnostics()).isEmpty();
        assertThat(f.documents().get(0).root().get("n").get(1).asDouble()).isEqualTo(2.5);
    }

    @Test
    void utf8ByteOrderMarkIsAccepted() {
        byte[] body = "a: 1\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        List<Document> docs = loader.load(new SourceFile("bom.yaml", withBom)).documents();
        assertThat(docs).hasSize(1);
    }
}
