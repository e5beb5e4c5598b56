package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kube-inject} on hostile or careless input: nothing is dropped or rewritten silently, every error names
 * its line and column in the input, and no output is written when there is one.
 */
class KubeInjectHostileInputTest {
    @TempDir
    Path tmp;

    private static final String SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";

    private CliRun inject(String input) throws Exception {
        Path in = Files.writeString(tmp.resolve("in.yaml"), input);
        return CliRun.run("kube-inject", "-f", in.toString(), "-o", tmp.resolve("out.yaml").toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                           | input (\n for newlines)                                                                      | expected on stderr
            "document on the --- line         | " + "apiVersion: v1\\nkind: Service\\nmetadata: {name: a}\\n--- apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\n | in.yaml:4:15: invalid YAML",
            "containers is a string           | apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers: oops\\n | in.yaml:5:3: Pod p: spec.containers must be a list, not a string (\"oops\")",
            "a container is a string          | apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers: [web]\\n | in.yaml:5:16: Pod p: spec.containers[0] must be a mapping, not a string (\"web\")",
            "template spec is a list          | apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: d}\\nspec:\\n  template:\\n    spec: []\\n | in.yaml:6:5: Deployment d: spec.template.spec must be a mapping, not a list",
            "volumes is a mapping in a List   | apiVersion: v1\\nkind: List\\nitems:\\n- apiVersion: v1\\n  kind: Pod\\n  metadata: {name: p}\\n  spec: {containers: [{name: c, image: i}], volumes: {a: 1}}\\n | in.yaml:7:45: Pod p: items[0].spec.volumes must be a list, not a mapping",
            "List items is a mapping          | apiVersion: v1\\nkind: List\\nitems:\\n  kind: Pod\\n | in.yaml:3:1: List: items must be a list, not a mapping",
            "YAML syntax error                | " + "apiVersion: v1\\nkind: Service\\nmetadata: {name: a}\\n---\\nkind: [\\n | in.yaml:6:1: invalid YAML",
            "duplicate key                    | apiVersion: v1\\nkind: Pod\\nkind: Pod\\n | in.yaml:3:1: duplicate key \"kind\"",
    })
    void eachMistakeIsAnErrorAtItsLineAndNothingIsWritten(String name, String input, String expected) throws Exception {
        CliRun r = inject(input.replace("\\n", "\n"));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.err()).contains(expected).doesNotContain("Exception");
        assertThat(tmp.resolve("out.yaml")).doesNotExist();
    }

    @Test
    void aFlowDocumentOnTheSeparatorLineIsInjected() throws Exception {
        CliRun r = inject(SERVICE + "--- {apiVersion: v1, kind: Pod, metadata: {name: p},"
                + " spec: {containers: [{name: c, image: i}]}}\n");
        assertThat(r.code()).as(r.err()).isZero();
        String out = Files.readString(tmp.resolve("out.yaml"));
        assertThat(out).startsWith(SERVICE).contains("istio-proxy").contains("name: p");
    }

    @Test
    void badUtf8IsReportedAtItsLineAndColumn() throws Exception {
        byte[] bytes = (SERVICE + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: \"p\u0000\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf('\u0000');
        bytes[at] = (byte) 0xff;
        Path in = Files.write(tmp.resolve("in.yaml"), bytes);
        CliRun r = CliRun.run("kube-inject", "-f", in.toString(), "-o", tmp.resolve("out.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ERRORS);
        assertThat(r.err()).contains("in.yaml:7:20: file is not valid UTF-8").doesNotContain("Input length");
        assertThat(tmp.resolve("out.yaml")).doesNotExist();
    }

    @Test
    void inputOverTheLimitIsRefusedWithoutReadingIt() {
        CliRun r = CliRun.withStdin(CliRun.endlessZeros(), "kube-inject", "--max-file-size", "1Mi", "-f", "-",
                "-o", tmp.resolve("out.yaml").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("<stdin> is larger than the 1 MiB limit; raise it with --max-file-size");
        CliRun device = CliRun.run("kube-inject", "-f", "/dev/zero", "-o", tmp.resolve("out.yaml").toString());
        assertThat(device.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(device.err()).contains("/dev/zero is a character device");
        assertThat(tmp.resolve("out.yaml")).doesNotExist();
    }
}
