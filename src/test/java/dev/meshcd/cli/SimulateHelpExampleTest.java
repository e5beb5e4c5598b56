package dev.meshcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code meshcd simulate --help}'s example runs as written, and curl's unquoted {@code -H name: value} works. */
class SimulateHelpExampleTest {

    @Test
    void theHelpExampleRunsAsWritten() {
        EnvoyCommandsTest.Run help = EnvoyCommandsTest.run("simulate", "--help");
        String text = help.out();
        int at = text.indexOf("Example");
        assertThat(at).as(text).isPositive();
        // the example's lines, joined where a line ends with the shell's continuation backslash
        String command = text.substring(text.indexOf('\n', at) + 1).strip().replaceAll("\\\\\\s*\\n\\s*", " ");
        List<String> argv = shellWords(command);
        assertThat(argv.get(0)).isEqualTo("meshcd");
        EnvoyCommandsTest.Run r = EnvoyCommandsTest.run(argv.subList(1, argv.size()).toArray(String[]::new));
        assertThat(r.code()).as(command + "\n" + r.out()).isZero();
        assertThat(r.out()).contains("route:        canary-testers", "outbound|80|v2|catalog.shop.svc.cluster.local");
    }

    @Test
    void anUnquotedCurlHeaderIsOneHeader() {
        for (String request : List.of("GET http://catalog/items -H x-canary: true",
                "GET http://catalog/items -H \"x-canary: true\"", "GET http://catalog/items -H x-canary:true")) {
            EnvoyCommandsTest.Run r = EnvoyCommandsTest.run("simulate", "examples/", "--proxy", "shop/frontend-v1",
                    "--request", request);
            assertThat(r.code()).as(request + "\n" + r.out()).isZero();
            assertThat(r.out()).as(request).contains("route:        canary-testers");
        }
    }

    /** Words as a POSIX shell splits them (double quotes only: all the example uses). */
    static List<String> shellWords(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
