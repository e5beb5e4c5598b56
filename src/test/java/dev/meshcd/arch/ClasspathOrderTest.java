package dev.meshcd.arch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The Envoy api jar bundles an old copy of CEL's {@code dev.cel.expr} classes. CEL must win: it is
 * declared first in pom.xml (and the shade filter drops Envoy's copy). This fails if the order flips.
 */
class ClasspathOrderTest {
    @Test
    void celExprClassesComeFromCelsOwnJar() throws Exception {
        Class<?> expr = Class.forName("dev.cel.expr.Expr");
        String location = expr.getProtectionDomain().getCodeSource().getLocation().toString();
        assertThat(location).doesNotContain("controlplane").doesNotContain("envoyproxy");
    }
}
